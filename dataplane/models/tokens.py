"""The scope of a department's system token (系统对接令牌, S9): which grants it may use."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class SystemTokenScope(models.Model):
    """What a system token (``ApiToken`` of kind SYSTEM) may read, and how fast.

    A system token reads only through the grants listed here (and, if allowed, what its
    department may read without a grant: unconditional resources and its own data).
    """

    token = models.OneToOneField("portal.ApiToken", on_delete=models.CASCADE,
                                 related_name="dataplane_scope", verbose_name=_("令牌"))
    grants = models.ManyToManyField("sharing.Grant", blank=True, related_name="+",
                                    verbose_name=_("可使用的共享授权"))
    allow_without_grant = models.BooleanField(
        _("可读取无需授权的数据"), default=False,
        help_text=_("无条件共享资源和本部门自己的资源"))
    rate_per_minute = models.PositiveIntegerField(_("每分钟请求上限"), default=120)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("签发人"))
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[grants])

    class Meta:
        verbose_name = _("系统令牌范围")
        verbose_name_plural = _("系统令牌范围")

    def __str__(self) -> str:
        return str(self.token)

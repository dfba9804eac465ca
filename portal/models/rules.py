"""Rule packs: the limits of one jurisdiction, each with the article it comes from.

A region uses its own pack or inherits its parent's; the default pack (the national
《政务数据共享条例》) governs regions with none. Every save of a pack is a new
``RulePackVersion`` (a frozen copy of its rules); a step that opens records the version
and the rule that set its due date, so editing a pack changes only steps opened
afterwards. The rules themselves are read through ``portal.rules``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class RulePack(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    source = models.CharField(_("依据"), max_length=120,
                              help_text=_("引用条款时显示的文件名，如《政务数据共享条例》"))
    copied_from = models.ForeignKey("self", verbose_name=_("复制自"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="copies")
    is_default = models.BooleanField(_("默认规则包"), default=False,
                                     help_text=_("未设置规则包且上级也未设置的区划使用默认规则包"))
    rules = models.JSONField(_("规则"), default=dict)
    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("规则包")
        verbose_name_plural = _("规则包")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                    name="portal_rulepack_one_default"),
        ]

    def __str__(self) -> str:
        return self.name


class RulePackVersion(models.Model):
    """One saved state of a pack; steps point here, so a pack whose versions timed a
    step cannot be deleted."""

    pack = models.ForeignKey(RulePack, on_delete=models.CASCADE, related_name="versions",
                             verbose_name=_("规则包"))
    version = models.PositiveIntegerField(_("版本"))
    rules = models.JSONField(_("规则"))
    source = models.CharField(_("依据"), max_length=120)
    saved_at = models.DateTimeField(_("保存时间"), default=timezone.now)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("保存人"))

    class Meta:
        verbose_name = _("规则包版本")
        verbose_name_plural = _("规则包版本")
        ordering = ["pack", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "version"], name="portal_rulepackversion_once"),
        ]

    def __str__(self) -> str:
        return f"{self.pack.code} v{self.version}"

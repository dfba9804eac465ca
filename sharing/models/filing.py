"""First-access filing (备案, S6, HN-36).

Before a department first uses shared data it files a written record with its
commitment to the sharing and secrecy rules; the information center acknowledges it.
Until then the department can neither apply for nor consume shared data.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.workflow import Transition, TransitionTable


class Filing(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待信息中心确认")
        ACKNOWLEDGED = "acknowledged", _("已备案")
        RETURNED = "returned", _("已退回")
        REVOKED = "revoked", _("备案已撤销")

    department = models.OneToOneField("portal.Department", on_delete=models.PROTECT,
                                      related_name="sharing_filing", verbose_name=_("部门"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.DRAFT)
    responsible_person = models.CharField(_("第一责任人"), max_length=32)
    security_officer = models.CharField(_("数据安全管理员"), max_length=32)
    contact_person = models.CharField(_("联系人"), max_length=32)
    contact_phone = models.CharField(_("联系电话"), max_length=32)
    systems = models.TextField(_("使用共享数据的业务系统"),
                               help_text=_("列出将接入共享平台的业务系统名称及用途"))
    data_uses = models.TextField(_("共享数据使用范围"),
                                 help_text=_("说明本部门使用共享数据的业务范围"))
    security_measures = models.TextField(_("安全保障措施"))
    commitment_accepted = models.BooleanField(
        _("承诺遵守共享与保密规定"), default=False,
        help_text=_("承诺仅按申请用途使用共享数据，不向第三方提供，遵守信息资源共享和保密规定"),
    )
    commitment_document = models.FileField(_("加盖公章的备案承诺书"), upload_to="sharing/filings/%Y/",
                                           blank=True)
    signed_on = models.DateField(_("签署日期"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("提交人"))
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+",
                                        verbose_name=_("确认人"))
    review_comment = models.TextField(_("审核意见"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("共享使用备案")
        verbose_name_plural = _("共享使用备案")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["status", "department"], name="sharing_filing_status")]

    def __str__(self) -> str:
        return f"{self.department} · {self.get_status_display()}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED, self.Status.REVOKED)


FILING_TRANSITIONS = TransitionTable(
    Transition("submit", source=[Filing.Status.DRAFT, Filing.Status.RETURNED, Filing.Status.REVOKED],
               target=Filing.Status.SUBMITTED, label=_("提交备案")),
    Transition("acknowledge", source=Filing.Status.SUBMITTED, target=Filing.Status.ACKNOWLEDGED,
               label=_("确认备案")),
    Transition("return", source=Filing.Status.SUBMITTED, target=Filing.Status.RETURNED,
               label=_("退回修改")),
    Transition("revoke", source=Filing.Status.ACKNOWLEDGED, target=Filing.Status.REVOKED,
               label=_("撤销备案")),
    model=Filing,
)

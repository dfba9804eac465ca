"""Third-party transfer (S7, NAT-14, HN-23): received data passes to a third party only
with both the authority's and the provider's consent."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.models.deadlines import DeadlineFields
from portal.workflow import Transition, TransitionTable


class TransferRequest(DeadlineFields):
    class Status(models.TextChoices):
        PENDING = "pending", _("待同意")
        APPROVED = "approved", _("已同意转送")
        REFUSED = "refused", _("不同意转送")
        WITHDRAWN = "withdrawn", _("已撤回")

    grant = models.ForeignKey("sharing.Grant", on_delete=models.PROTECT,
                              related_name="transfers", verbose_name=_("所依据的授权"))
    applicant = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                  related_name="sharing_transfers_made",
                                  verbose_name=_("申请部门"))
    provider = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                 related_name="sharing_transfers_received",
                                 verbose_name=_("提供部门"))
    recipient_department = models.ForeignKey(
        "portal.Department", null=True, blank=True, on_delete=models.PROTECT,
        related_name="sharing_transfers_incoming", verbose_name=_("接收单位（平台内）"))
    recipient_name = models.CharField(_("接收单位名称"), max_length=128)
    items = models.ManyToManyField("catalog.DataItem", related_name="+",
                                   verbose_name=_("转送信息项"))
    purpose = models.TextField(_("接收方用途"))
    reason = models.TextField(_("转送理由"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    authority_consent = models.BooleanField(_("主管部门意见"), null=True, blank=True)
    authority_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("主管部门办理人"))
    authority_at = models.DateTimeField(_("主管部门办理时间"), null=True, blank=True)
    authority_comment = models.TextField(_("主管部门意见说明"), blank=True)
    provider_consent = models.BooleanField(_("提供部门意见"), null=True, blank=True)
    provider_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("提供部门办理人"))
    provider_at = models.DateTimeField(_("提供部门办理时间"), null=True, blank=True)
    provider_comment = models.TextField(_("提供部门意见说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("申请人"))
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[items])

    class Meta(DeadlineFields.Meta):
        verbose_name = _("第三方转送申请")
        verbose_name_plural = _("第三方转送申请")
        ordering = ["-created_at", "-pk"]
        indexes = [
            *DeadlineFields.Meta.indexes,
            models.Index(fields=["applicant", "-created_at"], name="sharing_transfer_applicant"),
            models.Index(fields=["provider", "-created_at"], name="sharing_transfer_provider"),
            models.Index(fields=["status", "-created_at"], name="sharing_transfer_status"),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} → {self.recipient_name}"


TRANSFER_TRANSITIONS = TransitionTable(
    Transition("consent", source=TransferRequest.Status.PENDING,
               target=TransferRequest.Status.PENDING, label=_("同意")),
    Transition("approve", source=TransferRequest.Status.PENDING,
               target=TransferRequest.Status.APPROVED, label=_("双方同意，准予转送")),
    Transition("refuse", source=TransferRequest.Status.PENDING,
               target=TransferRequest.Status.REFUSED, label=_("不同意转送")),
    Transition("withdraw", source=TransferRequest.Status.PENDING,
               target=TransferRequest.Status.WITHDRAWN, label=_("撤回")),
    model=TransferRequest,
)

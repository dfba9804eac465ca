"""Answer extensions (S3): where the provider region's rule pack allows it, the provider
asks once for more time with a reason; whoever the pack names (e.g. Guizhou: the
provider department's head) consents, the answer step gets its new due date and the
applicant is told."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AnswerExtension(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待同意")
        APPROVED = "approved", _("已同意延期")
        REFUSED = "refused", _("不同意延期")

    request = models.OneToOneField("sharing.ShareRequest", on_delete=models.CASCADE,
                                   related_name="extension", verbose_name=_("共享申请"))
    days = models.PositiveSmallIntegerField(_("延长工作日数"))
    reason = models.TextField(_("延期理由"))
    consent_by = models.CharField(_("同意方"), max_length=12,
                                  help_text=_("规则包规定的同意方：head、data_admin 或 authority"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("申请人"))
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("同意人"))
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_comment = models.TextField(_("意见"), blank=True)
    previous_due_on = models.DateField(_("原答复期限"))
    new_due_on = models.DateField(_("延长后的答复期限"), null=True, blank=True)
    rule_version = models.ForeignKey("portal.RulePackVersion", on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("规则包版本"))

    # The rule that times ``new_due_on`` (read with ``rule_version`` wherever the date is
    # shown, as for any step's due date).
    due_rule = "sharing.answer_extension"

    class Meta:
        verbose_name = _("答复延期")
        verbose_name_plural = _("答复延期")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.request} · {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

"""Disputes (S4): negotiation between the two departments, then coordination by the
authority (NAT-12, HN-20, the Hebei flow), whose decision is recorded and may change
the request's outcome or the resource's sharing type (with co-reviewers, HY-16).

The workflow state lives on the request (``NEGOTIATING`` / ``COORDINATING``); a dispute
is the record of that negotiation: its messages, the escalation and the decision.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import SharingType
from portal.models import Role
from portal.models.accounts import CO_REVIEWER_ROLES


class Dispute(models.Model):
    class Outcome(models.TextChoices):
        AGREED = "agreed", _("协商一致，同意共享")
        APPROVED = "approved", _("协调决定：予以共享")
        REFUSED = "refused", _("协调决定：不予共享")
        WITHDRAWN = "withdrawn", _("申请部门撤回")

    request = models.OneToOneField("sharing.ShareRequest", on_delete=models.CASCADE,
                                   related_name="dispute", verbose_name=_("共享申请"))
    opened_at = models.DateTimeField(_("发起协商时间"), default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("发起人"))
    reason = models.TextField(_("协商事由"))
    escalated_at = models.DateTimeField(_("提请协调时间"), null=True, blank=True)
    escalated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("提请人"))
    escalation_reason = models.TextField(_("提请协调理由"), blank=True)
    proposed_sharing_type = models.CharField(
        _("拟调整共享类型"), max_length=16, choices=SharingType.choices, blank=True,
        help_text=_("主管部门拟调整资源共享类型时，须经保密、法制等部门会审"))
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices, blank=True)
    decision = models.TextField(_("协调决定"), blank=True)
    sharing_type_changed_to = models.CharField(_("共享类型调整为"), max_length=16,
                                               choices=SharingType.choices, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("决定人"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("协商协调")
        verbose_name_plural = _("协商协调")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return str(self.request)


class DisputeMessage(models.Model):
    """One message of the negotiation thread, with an optional attachment."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="messages",
                                verbose_name=_("协商"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("发言人"))
    department = models.ForeignKey("portal.Department", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("所属部门"))
    body = models.TextField(_("内容"))
    attachment = models.FileField(_("附件"), upload_to="sharing/disputes/%Y/", blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("协商记录")
        verbose_name_plural = _("协商记录")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["dispute", "created_at"], name="sharing_msg_dispute")]

    def __str__(self) -> str:
        return self.body[:40]


class CoReview(models.Model):
    """A co-reviewer's sign-off (secrecy, establishment, legal; HN-12, HY-16) on a
    coordination that changes a sharing type or on a negative-list review round."""

    class Decision(models.TextChoices):
        AGREE = "agree", _("同意")
        DISAGREE = "disagree", _("不同意")

    dispute = models.ForeignKey(Dispute, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="co_reviews", verbose_name=_("协商协调"))
    review_round = models.ForeignKey("sharing.NegativeListRound", null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="co_reviews",
                                     verbose_name=_("负面清单审查"))
    role = models.CharField(_("会审部门"), max_length=32, choices=[
        (role.value, role.label) for role in Role if role in CO_REVIEWER_ROLES])
    requested_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("会审人"))
    decision = models.CharField(_("会审意见"), max_length=10, choices=Decision.choices,
                                blank=True)
    opinion = models.TextField(_("意见说明"), blank=True)
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会审意见")
        verbose_name_plural = _("会审意见")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(dispute__isnull=False, review_round__isnull=True)
                           | Q(dispute__isnull=True, review_round__isnull=False)),
                name="sharing_coreview_one_target"),
            models.UniqueConstraint(fields=["dispute", "role"], condition=Q(dispute__isnull=False),
                                    name="sharing_coreview_dispute_role"),
            models.UniqueConstraint(fields=["review_round", "role"],
                                    condition=Q(review_round__isnull=False),
                                    name="sharing_coreview_round_role"),
        ]
        indexes = [models.Index(fields=["role", "signed_at"], name="sharing_coreview_pending")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.get_decision_display() or _('待会审')}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

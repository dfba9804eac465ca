"""The public's side: ratings, moderated comments, conditional-open applications (O4, O5)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.models.deadlines import DeadlineMarkers
from portal.workflow import Transition, TransitionTable


class Rating(models.Model):
    dataset = models.ForeignKey("opendata.Dataset", on_delete=models.CASCADE,
                                related_name="ratings", verbose_name=_("数据集"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", verbose_name=_("用户"))
    score = models.PositiveSmallIntegerField(
        _("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    updated_at = models.DateTimeField(_("时间"), auto_now=True)

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "user"], name="od_rating_once"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5),
                                   name="od_rating_range"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id}: {self.score}"


class Comment(models.Model):
    """A public comment, shown only after moderation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已公开")
        REJECTED = "rejected", _("未通过")

    dataset = models.ForeignKey("opendata.Dataset", on_delete=models.CASCADE,
                                related_name="comments", verbose_name=_("数据集"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+", verbose_name=_("留言人"))
    body = models.TextField(_("留言内容"), max_length=1000)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    created_at = models.DateTimeField(_("留言时间"), default=timezone.now)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("审核人"))
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reply = models.TextField(_("部门回复"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("留言")
        verbose_name_plural = _("留言")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["dataset", "status", "-created_at"],
                                name="od_comment_ds_status")]

    def __str__(self) -> str:
        return self.body[:40]


COMMENT_TRANSITIONS = TransitionTable(
    Transition("approve", source=[Comment.Status.PENDING, Comment.Status.REJECTED],
               target=Comment.Status.APPROVED, label=_("公开")),
    Transition("reject", source=[Comment.Status.PENDING, Comment.Status.APPROVED],
               target=Comment.Status.REJECTED, label=_("不予公开")),
    model=Comment,
)


class AccessApplication(DeadlineMarkers):
    """A public user's application for a conditionally open dataset (O5)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")
        CANCELLED = "cancelled", _("已撤回")
        REVOKED = "revoked", _("已终止")

    class Purpose(models.TextChoices):
        RESEARCH = "research", _("科学研究")
        PUBLIC_SERVICE = "public_service", _("公益服务")
        COMMERCIAL = "commercial", _("商业开发")
        JOURNALISM = "journalism", _("新闻报道")
        PERSONAL = "personal", _("个人使用")
        OTHER = "other", _("其他")

    dataset = models.ForeignKey("opendata.Dataset", on_delete=models.PROTECT,
                                related_name="applications", verbose_name=_("数据集"))
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="open_applications", verbose_name=_("申请人"))
    organisation = models.CharField(_("申请单位"), max_length=128, blank=True)
    purpose_kind = models.CharField(_("用途类别"), max_length=20, choices=Purpose.choices)
    purpose = models.TextField(_("使用目的"), max_length=2000)
    security_measures = models.TextField(_("数据安全措施"), max_length=2000, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices,
                              default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    due_on = models.DateField(_("答复期限"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("审批人"))
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_comment = models.TextField(_("审批意见"), blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("有条件开放申请")
        verbose_name_plural = _("有条件开放申请")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "applicant"],
                                    condition=Q(status__in=["submitted", "approved"]),
                                    name="od_one_live_application"),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="od_app_status_due"),
            models.Index(fields=["applicant", "dataset", "status"], name="od_app_user_ds"),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} → {self.dataset}"

    def is_valid_on(self, day) -> bool:
        return self.status == self.Status.APPROVED and (
            self.valid_until is None or self.valid_until >= day)


APPLICATION_TRANSITIONS = TransitionTable(
    Transition("approve", source=AccessApplication.Status.SUBMITTED,
               target=AccessApplication.Status.APPROVED, label=_("批准")),
    Transition("refuse", source=AccessApplication.Status.SUBMITTED,
               target=AccessApplication.Status.REFUSED, label=_("不予批准")),
    Transition("cancel", source=AccessApplication.Status.SUBMITTED,
               target=AccessApplication.Status.CANCELLED, label=_("撤回")),
    Transition("revoke", source=AccessApplication.Status.APPROVED,
               target=AccessApplication.Status.REVOKED, label=_("终止授权")),
    model=AccessApplication, created_label=_("提交申请"),
)

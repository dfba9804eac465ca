"""The work inbox (我的待办) and notifications (P3)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class InboxItem(models.Model):
    """A pending action a user must take. Closed when the action is done."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="inbox_items", verbose_name=_("处理人"))
    key = models.CharField(max_length=120, help_text="Identifies the task, e.g. 'resource:12:review'.")
    title = models.CharField(_("事项"), max_length=200)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    due_on = models.DateField(_("办理期限"), null=True, blank=True)
    # The rule that set ``due_on`` (as on the step itself), so the inbox shows it too.
    rule_version = models.ForeignKey("portal.RulePackVersion", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("规则包版本"))
    due_rule = models.CharField(_("期限规则"), max_length=40, blank=True)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    target_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待办事项")
        verbose_name_plural = _("待办事项")
        ordering = ["done_at", "due_on", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="unique_inbox_key")]
        indexes = [models.Index(fields=["user", "done_at", "due_on"]), models.Index(fields=["key"])]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """A message to a user, shown in the portal and sent by email once.

    The table is also the email outbox (P3): a row is born ``email_status=pending`` — a
    database default, so rows that sweeps insert in bulk are covered too — and the
    periodic drain (``portal.services.outbox``) sends it and records the outcome. Nothing
    depends on the broker being up when the row is written.
    """

    class Level(models.TextChoices):
        INFO = "info", _("通知")
        TASK = "task", _("新待办")
        REMINDER = "reminder", _("到期提醒")
        ESCALATION = "escalation", _("超期督办")

    class EmailStatus(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        SKIPPED = "skipped", _("无需发送")
        FAILED = "failed", _("发送失败")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications", verbose_name=_("接收人"))
    key = models.CharField(max_length=160, help_text="Sending the same key twice sends once.")
    level = models.CharField(_("类别"), max_length=12, choices=Level.choices, default=Level.INFO)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    email_status = models.CharField(_("邮件状态"), max_length=8, choices=EmailStatus.choices,
                                    default=EmailStatus.PENDING, db_default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(_("发送尝试次数"), default=0, db_default=0)
    email_next_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True,
                                         help_text="Not before this time (after a failure).")
    email_claimed_at = models.DateTimeField(null=True, blank=True, editable=False,
                                            help_text="When a drain took the row to send it.")
    email_error = models.CharField(_("发送错误"), max_length=300, blank=True, default="",
                                   db_default="")

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="unique_notification_key")]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["email_status", "email_next_at"], name="notification_outbox",
                         condition=models.Q(email_status__in=["pending", "sending"])),
        ]

    def __str__(self) -> str:
        return self.title

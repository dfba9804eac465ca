"""The security audit trail (P2): logins, failures, lockouts, denials."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKOUT = "lockout", _("账户锁定")
        TWO_FACTOR_FAILED = "otp_failed", _("两步验证失败")
        TWO_FACTOR_ENROLLED = "otp_enrolled", _("绑定两步验证")
        PERMISSION_DENIED = "denied", _("越权访问被拒绝")
        ILLEGAL_TRANSITION = "illegal_transition", _("非法状态流转被拒绝")
        TOKEN_CREATED = "token_created", _("创建令牌")
        TOKEN_REVOKED = "token_revoked", _("撤销令牌")

    # Timestamps are stored in UTC (USE_TZ).
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", verbose_name=_("操作人"))
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    action = models.CharField(_("事件"), max_length=24, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象 ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    path = models.CharField(_("路径"), max_length=300, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at"]
        indexes = [models.Index(fields=["username", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_action_display()}"

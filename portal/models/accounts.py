"""Users, their roles and API tokens (P1, P2)."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    # Roles inside a department.
    CLERK = "clerk", _("填报员")
    DATA_ADMIN = "data_admin", _("数据管理员")
    SECURITY_OFFICER = "security_officer", _("数据安全管理员")
    HEAD = "head", _("第一责任人")
    # Platform roles.
    CENTER_REVIEWER = "center_reviewer", _("信息中心审核员")
    AUTHORITY = "authority", _("信息化主管部门")
    SECRECY_REVIEWER = "secrecy_reviewer", _("保密审查员")
    ESTABLISHMENT_REVIEWER = "establishment_reviewer", _("编制审查员")
    LEGAL_REVIEWER = "legal_reviewer", _("法制审查员")


DEPARTMENT_ROLES = frozenset({Role.CLERK, Role.DATA_ADMIN, Role.SECURITY_OFFICER, Role.HEAD})
PLATFORM_ROLES = frozenset(set(Role) - DEPARTMENT_ROLES)
CO_REVIEWER_ROLES = frozenset(
    {Role.SECRECY_REVIEWER, Role.ESTABLISHMENT_REVIEWER, Role.LEGAL_REVIEWER}
)


class User(AbstractUser):
    """A person using the portal. Government users belong to exactly one department."""

    department = models.ForeignKey(
        "portal.Department", verbose_name=_("所属部门"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="members",
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    two_factor_exempt = models.BooleanField(
        _("免两步验证（仅演示账户）"), default=False,
        help_text=_("仅用于演示数据中的账户；生产环境中此开关无效。"),
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        full = f"{self.last_name}{self.first_name}".strip()
        return f"{full}（{self.username}）" if full else self.username

    @property
    def display_name(self) -> str:
        return f"{self.last_name}{self.first_name}".strip() or self.username

    def role_set(self) -> frozenset[str]:
        """The user's roles, cached on the instance for the request."""
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = frozenset(self.role_assignments.values_list("role", flat=True))
            self._role_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set() & set(roles))

    @property
    def requires_two_factor(self) -> bool:
        if self.two_factor_exempt and settings.TWO_FACTOR_EXEMPTION_ALLOWED:
            return False
        return self.is_superuser or self.has_role(*settings.TWO_FACTOR_ROLES)


class RoleAssignment(models.Model):
    """A role a user holds. Department roles act in the user's own department."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments",
                             verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    assigned_at = models.DateTimeField(_("授予时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]
        indexes = [models.Index(fields=["role"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A revocable API token. Only a hash is stored; the key is shown once on creation."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", _("个人令牌")
        SYSTEM = "system", _("系统对接令牌")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("所属用户"))
    department = models.ForeignKey(
        "portal.Department", null=True, blank=True, on_delete=models.CASCADE,
        related_name="api_tokens", verbose_name=_("对接部门"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.PERSONAL)
    name = models.CharField(_("名称"), max_length=64)
    prefix = models.CharField(_("前缀"), max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return secrets.token_urlsafe(32)

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

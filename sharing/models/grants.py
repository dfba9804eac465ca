"""Grants (S5) and the object-permission tables that enforce them.

A grant records that a department may read some data items of a resource for a purpose,
within a validity period, by a method. The enforcement layer is django-guardian: while a
department holds at least one valid grant on a resource, its department group
(``portal.services.organisation.department_group``) has the ``consume_resource`` object
permission on the resource and ``consume_dataitem`` on each granted item, in the
direct-foreign-key tables below (guardian's fast path), so permission-filtered lists
stay indexed joins. ``sharing.services.grants.grant_permissions_sync`` keeps the tables
equal to the union of the valid grants; ``sharing.access.access_decide`` reads both.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase
from simple_history.models import HistoricalRecords

from catalog.models import SharingMethod
from portal.models.deadlines import DeadlineMarkers

from .enums import Purpose

# Object permissions (codenames on the catalog models' content types).
CONSUME_RESOURCE = "consume_resource"
CONSUME_DATAITEM = "consume_dataitem"


class Grant(DeadlineMarkers):
    class State(models.TextChoices):
        """Derived from the dates and ``revoked_at``; never stored."""

        PENDING = "pending", _("未生效")
        ACTIVE = "active", _("有效")
        EXPIRED = "expired", _("已到期")
        REVOKED = "revoked", _("已撤销")

    request = models.OneToOneField("sharing.ShareRequest", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="grant",
                                   verbose_name=_("共享申请"))
    department = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                   related_name="sharing_grants_held",
                                   verbose_name=_("使用部门"))
    resource = models.ForeignKey("catalog.Resource", on_delete=models.PROTECT,
                                 related_name="sharing_grants", verbose_name=_("信息资源"))
    # The resource's provider, kept on the row for indexed "grants we gave" lists.
    provider = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                 related_name="sharing_grants_given",
                                 verbose_name=_("提供部门"))
    items = models.ManyToManyField("catalog.DataItem", related_name="sharing_grants",
                                   verbose_name=_("授权信息项"))
    masked_items = models.ManyToManyField(
        "catalog.DataItem", related_name="sharing_masked_grants", blank=True,
        verbose_name=_("须脱敏的信息项"),
        help_text=_("这些信息项只能以脱敏后的形式提供"),
    )
    purpose = models.CharField(_("用途"), max_length=32, choices=Purpose.choices)
    purpose_detail = models.TextField(_("用途说明"), blank=True)
    method = models.CharField(_("共享方式"), max_length=20, choices=SharingMethod.choices)
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("到期日期"))
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("授权人"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("撤销人"))
    revoke_reason = models.TextField(_("撤销原因"), blank=True)

    history = HistoricalRecords(m2m_fields=[items, masked_items])

    class Meta:
        verbose_name = _("共享授权")
        verbose_name_plural = _("共享授权")
        ordering = ["-granted_at", "-pk"]
        indexes = [
            models.Index(fields=["department", "resource"], name="sharing_grant_dept_res"),
            models.Index(fields=["provider", "-granted_at"], name="sharing_grant_provider"),
            models.Index(fields=["valid_until"], condition=Q(revoked_at__isnull=True),
                         name="sharing_grant_live_until"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")),
                                   name="sharing_grant_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.resource} · {self.get_purpose_display()}"

    def state_on(self, day: date) -> str:
        if self.revoked_at is not None:
            return self.State.REVOKED
        if day < self.valid_from:
            return self.State.PENDING
        if day > self.valid_until:
            return self.State.EXPIRED
        return self.State.ACTIVE

    @property
    def state(self) -> str:
        return self.state_on(timezone.localdate())

    def get_state_display(self) -> str:
        return str(self.State(self.state).label)

    def is_valid_on(self, day: date) -> bool:
        return self.state_on(day) == self.State.ACTIVE


def valid_grants_q(day: date, prefix: str = "") -> Q:
    """Grants valid on ``day``: not revoked, inside their period."""
    return Q(**{f"{prefix}revoked_at__isnull": True, f"{prefix}valid_from__lte": day,
                f"{prefix}valid_until__gte": day})


class ResourceGrantPermission(GroupObjectPermissionBase):
    """Direct-FK guardian table: a department group may consume a resource's shared data."""

    # A visible reverse relation: guardian finds direct-FK tables through it.
    content_object = models.ForeignKey("catalog.Resource", on_delete=models.CASCADE,
                                       related_name="sharing_group_permissions")

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("资源共享权限")
        verbose_name_plural = _("资源共享权限")


class DataItemGrantPermission(GroupObjectPermissionBase):
    """Direct-FK guardian table: a department group may consume one data item."""

    content_object = models.ForeignKey("catalog.DataItem", on_delete=models.CASCADE,
                                       related_name="sharing_group_permissions")

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("信息项共享权限")
        verbose_name_plural = _("信息项共享权限")

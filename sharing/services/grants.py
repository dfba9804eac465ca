"""Grants (S5): creation on approval, revocation, expiry, and the guardian permissions
that enforce them (see ``sharing.models.grants``)."""

from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import DataItem, Resource, SharingMethod
from portal.errors import NotPermitted, ValidationFailed
from portal.models import Department, Notification, Role, User
from portal.selectors import users_with_role
from portal.services.inbox import notify
from portal.services.organisation import department_group

from ..models import (
    CONSUME_DATAITEM,
    CONSUME_RESOURCE,
    DataItemGrantPermission,
    Grant,
    Purpose,
    ResourceGrantPermission,
)
from ..policies import can_grant_resource, can_revoke_grant


def _permission(model, codename: str, name: str) -> Permission:
    """The custom object permission on a catalog model (created on first use)."""
    permission, _created = Permission.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(model), codename=codename,
        defaults={"name": name},
    )
    return permission


def grant_permissions_sync(*, department: Department, resource: Resource,
                           today: date | None = None) -> set[int]:
    """Make the department group's guardian permissions on ``resource`` and its items
    equal the union of its live grants (not revoked, not expired). Returns the item ids.

    Pending grants (starting later) already hold permissions; ``access_decide`` checks
    the period on the grant row, so a grant is usable exactly inside its period.
    """
    today = today or timezone.localdate()
    group = department_group(department)
    live = Grant.objects.filter(department=department, resource=resource,
                                revoked_at__isnull=True, valid_until__gte=today)
    item_ids = set(DataItem.objects.filter(sharing_grants__in=live, retired=False)
                   .values_list("pk", flat=True))
    resource_perm = _permission(Resource, CONSUME_RESOURCE, "Can consume shared data")
    item_perm = _permission(DataItem, CONSUME_DATAITEM, "Can consume shared data item")
    if item_ids:
        ResourceGrantPermission.objects.get_or_create(
            group=group, permission=resource_perm, content_object=resource)
    else:
        ResourceGrantPermission.objects.filter(group=group, permission=resource_perm,
                                               content_object=resource).delete()
    held = set(DataItemGrantPermission.objects.filter(
        group=group, permission=item_perm, content_object__resource=resource,
    ).values_list("content_object_id", flat=True))
    if held - item_ids:
        DataItemGrantPermission.objects.bulk_remove_perm(
            item_perm, group, DataItem.objects.filter(pk__in=held - item_ids))
    if item_ids - held:
        DataItemGrantPermission.objects.bulk_assign_perm(
            item_perm, group, DataItem.objects.filter(pk__in=item_ids - held),
            ignore_conflicts=True)
    return item_ids


def grant_url(grant: Grant) -> str:
    return reverse("sharing:grant_detail", args=[grant.pk])


def _department_contacts(department_id: int) -> list[User]:
    return list(users_with_role(Role.DATA_ADMIN, Role.HEAD, department=department_id))


def grant_terms_errors(*, items: list[DataItem], masked_items: list[DataItem],
                       valid_until: date, valid_from: date | None = None
                       ) -> dict[str, list[str]]:
    """What a grant (or the approval it comes from) may allow: masked items among the
    allowed ones, and an end date neither before its start nor in the past."""
    errors: dict[str, list[str]] = {}
    if {i.pk for i in masked_items} - {i.pk for i in items}:
        errors["masked_items"] = [_("须脱敏的信息项必须是同意共享的信息项。")]
    if valid_from is not None and valid_until < valid_from:
        errors["valid_until"] = [_("授权到期日期不能早于生效日期。")]
    elif valid_until < timezone.localdate():
        errors["valid_until"] = [_("授权到期日期不能早于今天。")]
    return errors


def grant_validate(*, resource: Resource, department: Department, items: list[DataItem],
                   masked_items: list[DataItem], purpose: str, method: str,
                   valid_from: date, valid_until: date) -> None:
    """The rules of one grant; field errors name what to fix."""
    errors: dict[str, list[str]] = {}
    if department.pk == resource.provider_id:
        errors["department"] = [_("提供部门使用本部门的资源无需授权。")]
    if not items:
        errors["items"] = [_("请至少选择一个信息项。")]
    elif any(i.resource_id != resource.pk or i.retired for i in items):
        errors["items"] = [_("只能选择该资源现有的信息项。")]
    errors.update(grant_terms_errors(items=items, masked_items=masked_items,
                                     valid_from=valid_from, valid_until=valid_until))
    if purpose not in Purpose.values:
        errors["purpose"] = [_("请选择用途：行政依据、工作参考、数据校核或业务协同。")]
    if method not in SharingMethod.values:
        errors["method"] = [_("请选择共享方式。")]
    if errors:
        raise ValidationFailed(_("授权信息有误，请按提示修改。"), fields=errors)


@transaction.atomic
def grant_create(
    *,
    actor: User,
    department: Department,
    resource: Resource,
    items: Iterable[DataItem],
    purpose: str,
    method: str,
    valid_from: date,
    valid_until: date,
    masked_items: Iterable[DataItem] = (),
    purpose_detail: str = "",
    request=None,
) -> Grant:
    """Give ``department`` access to ``items`` of ``resource`` (S5) and put the guardian
    permissions in place. Called when a request is approved (or coordinated, S4)."""
    if not can_grant_resource(actor, resource):
        raise NotPermitted(_("只有提供部门的数据管理员、第一责任人、信息中心或主管部门可以授权。"),
                           target=resource, action="grant")
    items, masked_items = list(items), list(masked_items)
    grant_validate(resource=resource, department=department, items=items,
                   masked_items=masked_items, purpose=purpose, method=method,
                   valid_from=valid_from, valid_until=valid_until)
    grant = Grant(request=request, department=department, resource=resource,
                  provider_id=resource.provider_id,
                  purpose=purpose, purpose_detail=purpose_detail, method=method,
                  valid_from=valid_from, valid_until=valid_until, granted_by=actor)
    grant._history_user = actor
    grant.save()
    grant.items.set(items)
    grant.masked_items.set(masked_items)
    grant_permissions_sync(department=department, resource=resource)
    notify(users=_department_contacts(department.pk), key=f"sharing:grant:{grant.pk}:created",
           title=_("已获得共享授权：%(resource)s") % {"resource": resource.name},
           body=_("有效期 %(start)s 至 %(end)s") % {"start": valid_from, "end": valid_until},
           url=grant_url(grant))
    return grant


@transaction.atomic
def grant_revoke(*, actor: User, grant: Grant, reason: str) -> Grant:
    """Revoke a grant with a reason; access ends at once (the permissions go in the same
    transaction)."""
    grant = Grant.objects.select_for_update(of=("self",)).select_related("resource", "department").get(
        pk=grant.pk)
    if not can_revoke_grant(actor, grant):
        if grant.revoked_at is not None:
            raise ValidationFailed(_("该授权已撤销。"))
        raise NotPermitted(_("只有提供部门的数据管理员、第一责任人或主管部门可以撤销授权。"),
                           target=grant, action="revoke")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写撤销原因。"), fields={"reason": [_("撤销授权必须说明原因。")]})
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.revoke_reason = reason
    grant._history_user = actor
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    grant_permissions_sync(department=grant.department, resource=grant.resource)
    notify(users=_department_contacts(grant.department_id),
           key=f"sharing:grant:{grant.pk}:revoked",
           title=_("共享授权已被撤销：%(resource)s") % {"resource": grant.resource.name},
           body=_("撤销原因：%(reason)s") % {"reason": reason}, url=grant_url(grant),
           level=Notification.Level.INFO)
    return grant


def grants_permissions_expire(*, grant_ids: list[int], today: date) -> None:
    """Take away the object permissions of grants that expired (S5); the portal's deadline
    sweep calls this once per grant, after telling the holders (``kinds.GRANT``)."""
    for grant in Grant.objects.filter(pk__in=grant_ids).select_related("resource", "department"):
        grant_permissions_sync(department=grant.department, resource=grant.resource, today=today)

"""Catalog entries: compile, submit, review, register, revise, retire (C1–C6).

Every function checks its own policy, locks the row, applies the transition table and
writes the workflow event; the department pages, the admin, the API and the import all
come through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from portal.errors import Conflict, DomainError, NotPermitted, ValidationFailed
from portal.models import Department, Role, User
from portal.rules import region_due, region_rules, rule_of
from portal.search import search_index_update
from portal.selectors import users_with_role
from portal.services.inbox import inbox_add, inbox_close, inbox_keep, notify
from portal.workflow import transition_apply

from .. import policies
from ..models import (
    CLASSIFICATION_CODE_PREFIX,
    TRANSITIONS,
    DataItem,
    Resource,
    ResourceCodeSequence,
)
from ..rules import (
    ITEM_FIELDS,
    RESOURCE_FIELDS,
    check_entry,
    proposal_from_resource,
    resource_warnings,
)

OPEN_STATUSES = (Resource.Status.DRAFT, Resource.Status.SUBMITTED, Resource.Status.RETURNED)


def _flat_errors(errors) -> dict[str, list[str]]:
    """Rule errors as ``{field: [...]}`` with items as ``items.<n>.<field>`` (1-based)."""
    out = {name: list(msgs) for name, msgs in errors.fields.items()}
    for index, fields in errors.items.items():
        for name, msgs in fields.items():
            out[f"items.{index + 1}.{name}"] = list(msgs)
    if errors.general:
        out["non_field_errors"] = list(errors.general)
    return out


def ensure_valid(data: Mapping[str, Any], items: Sequence[Mapping[str, Any]]) -> None:
    """Raise ``ValidationFailed`` with every rule error of the proposal (C1–C3)."""
    errors = check_entry(data, items)
    if errors:
        raise ValidationFailed(
            _("目录信息未通过校验，请按提示修改：") + "；".join(errors.messages()[:5]),
            fields=_flat_errors(errors),
        )


def _lock(resource: Resource) -> Resource:
    return Resource.objects.select_for_update().select_related("provider").get(pk=resource.pk)


def _resource_url(resource: Resource) -> str:
    return reverse("catalog:resource_detail", args=[resource.pk])


def _review_url(resource: Resource) -> str:
    return reverse("admin:catalog_resource_change", args=[resource.pk])


def _editors(department_id: int) -> list[User]:
    return list(users_with_role(Role.CLERK, Role.DATA_ADMIN, department=department_id))


def drafts_task_refresh(department_id: int) -> None:
    """While the department has drafts, its data administrators have one task "submit the
    drafts" (C6: they, not the clerk, submit) with the current count; it closes when none
    are left. One line whether the drafts were typed one by one or imported by the score."""
    waiting = Resource.objects.filter(provider_id=department_id,
                                      status=Resource.Status.DRAFT).count()
    inbox_keep(
        users=users_with_role(Role.DATA_ADMIN, department=department_id),
        key=f"catalog:drafts:{department_id}",
        title=_("提交本部门目录草稿：%(n)d 条待提交审核") % {"n": waiting},
        url=reverse("catalog:department") + "?status=draft",
        pending=waiting > 0,
    )


def _assign(resource: Resource, data: Mapping[str, Any]) -> None:
    for name in RESOURCE_FIELDS:
        if name in data:
            value = data[name]
            if isinstance(value, str):
                value = value.strip()
            setattr(resource, name, value)


def _items_replace(resource: Resource, items: Sequence[Mapping[str, Any]]) -> None:
    """Make the entry's items exactly ``items`` (in order). Rows with an ``id`` of this
    entry are updated, others created; items left out are deleted (only ever called on
    drafts, whose items nobody else references)."""
    existing = {item.pk: item for item in resource.items.all()}
    keep: set[int] = set()
    for position, values in enumerate(items, start=1):
        item = existing.get(values.get("id")) if values.get("id") else None
        if item is None:
            item = DataItem(resource=resource)
        changed = item.pk is None or item.position != position
        item.position = position
        for name in ITEM_FIELDS:
            if name in values:
                value = values[name]
                value = value.strip() if isinstance(value, str) else value
                if name == "length" and value == "":
                    value = None
                if getattr(item, name) != value:
                    setattr(item, name, value)
                    changed = True
        if changed:
            item.save()
        keep.add(item.pk)
    for pk, item in existing.items():
        if pk not in keep:
            item.delete()


def _related_set(resource: Resource, related: Iterable[Resource] | None) -> None:
    if related is not None:
        resource.related_resources.set([r for r in related if r.pk != resource.pk])


def _reindex(resource: Resource) -> None:
    search_index_update([resource])


@transaction.atomic
def resource_create(
    *,
    actor: User,
    provider: Department,
    data: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]],
    related: Iterable[Resource] | None = None,
) -> Resource:
    """A new draft entry of ``provider`` with its data items."""
    if not policies.can_create_resource(actor, provider):
        raise NotPermitted(_("只有本部门的填报员或数据管理员可以编制目录。"))
    ensure_valid(data, items)
    resource = Resource(provider=provider, created_by=actor)
    _assign(resource, data)
    if not resource.locality:
        resource.locality = provider.region.name
    resource.save()
    _items_replace(resource, items)
    _related_set(resource, related)
    _reindex(resource)
    drafts_task_refresh(provider.pk)
    return resource


@transaction.atomic
def resource_update(
    *,
    actor: User,
    resource: Resource,
    data: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]],
    related: Iterable[Resource] | None = None,
) -> Resource:
    """Save changes to a draft or returned entry (new entries and revisions alike)."""
    resource = _lock(resource)
    if not policies.can_edit_resource(actor, resource):
        if resource.is_editable:
            raise NotPermitted(_("只有本部门的填报员或数据管理员可以修改目录。"))
        raise Conflict(_("当前状态为“%(s)s”，不能修改；已注册的资源请发起修订。")
                       % {"s": resource.get_status_display()}, target=resource, action="update")
    ensure_valid(data, items)
    _assign(resource, data)
    resource.save()
    _items_replace(resource, items)
    _related_set(resource, related)
    _reindex(resource)
    return resource


@transaction.atomic
def resource_delete(*, actor: User, resource: Resource) -> None:
    """Delete a draft that never went through review, or discard a revision draft."""
    resource = _lock(resource)
    if not policies.can_delete_resource(actor, resource):
        raise NotPermitted(_("只能删除本部门尚未提交过的草稿。"))
    if resource.review_round:
        raise Conflict(_("该草稿曾提交审核，已有流转记录，不能删除。"), target=resource, action="delete")
    department_id = resource.provider_id
    resource.delete()
    drafts_task_refresh(department_id)


def recollection_check(resource: Resource, warnings, reason: str) -> str:
    """The department region's pack on collecting again what sharing provides
    (``catalog.recollection``): an entry overlapping another department's registered entry
    (C5) is refused, or goes to the center only with a reason (one given at an earlier
    submission still stands). Returns the reason kept."""
    rule = rule_of(region_rules(resource.provider.region_id), "catalog.recollection")
    overlaps = [w for w in warnings if w.rule == "C5"]
    if not rule.enabled or not overlaps:
        return ""
    found = "；".join(str(w.message) for w in overlaps)
    if rule.value == "refuse":
        raise ValidationFailed(
            _("通过共享可以获取的数据不得重复收集（%(rule)s）：%(found)s") % {
                "rule": rule.citation, "found": found},
            fields={"items": [found]})
    reason = (reason or "").strip() or resource.recollection_reason
    if not reason:
        raise ValidationFailed(
            _("该资源与其他部门已注册资源重复，请说明重复收集的理由，由信息中心审核（%(rule)s）。")
            % {"rule": rule.citation},
            fields={"recollection_reason": [found]})
    return reason


@transaction.atomic
def resource_submit(*, actor: User, resource: Resource, comment: str = "",
                    recollection_reason: str = "") -> Resource:
    """The data administrator submits an entry (or a revision) for center review (C6);
    an overlap with another department's entry follows the pack's re-collection rule."""
    resource = _lock(resource)
    if not policies.can_submit_resource(actor, resource):
        raise NotPermitted(_("只有本部门的数据管理员可以提交目录。"))
    data, items = proposal_from_resource(resource)
    if TRANSITIONS.find(resource.status, "submit") is not None:
        ensure_valid(data, items)
    warnings = resource_warnings(resource)
    resource.recollection_reason = recollection_check(resource, warnings, recollection_reason)
    resource.review_warnings = [w.as_dict() for w in warnings]
    resource.submitted_at = timezone.now()
    resource.review_round += 1
    transition_apply(obj=resource, table=TRANSITIONS, action="submit", actor=actor, comment=comment)
    inbox_close(key=f"catalog:resource:{resource.pk}:returned:{resource.review_round - 1}")
    # The center's review time in the provider region's pack (shown as the inbox due date).
    review_due, review_rule = region_due(resource.provider.region_id, "catalog.review")
    inbox_add(
        users=users_with_role(Role.CENTER_REVIEWER),
        key=f"catalog:resource:{resource.pk}:review:{resource.review_round}",
        title=_("审核目录%(kind)s：%(name)s（%(dept)s）") % {
            "kind": _("修订") if resource.is_revision else "", "name": resource.name,
            "dept": resource.provider.name},
        url=_review_url(resource),
        due_on=review_due,
        target=resource,
        rule=review_rule,
    )
    if resource.is_revision:
        from .census import census_entries_mark_updated

        census_entries_mark_updated(actor=actor, resource_id=resource.revision_of_id)
    drafts_task_refresh(resource.provider_id)
    return resource


def resources_submit(*, actor: User, resources: Iterable[Resource]
                     ) -> list[tuple[Resource, DomainError | None]]:
    """Submit several entries at once (C6), each on its own: one that cannot go stays as it
    was, with the refusal that says why; the others go to review. Returns ``(entry,
    refusal or None)`` per entry, for the face to show and audit."""
    results: list[tuple[Resource, DomainError | None]] = []
    for resource in resources:
        try:
            resource_submit(actor=actor, resource=resource)
        except DomainError as exc:
            results.append((resource, exc))
        else:
            results.append((resource, None))
    return results


@transaction.atomic
def resource_withdraw(*, actor: User, resource: Resource, comment: str = "") -> Resource:
    """The data administrator takes a submission back before the center decides."""
    resource = _lock(resource)
    if not policies.can_withdraw_resource(actor, resource):
        raise NotPermitted(_("只有本部门的数据管理员可以撤回提交。"))
    transition_apply(obj=resource, table=TRANSITIONS, action="withdraw", actor=actor, comment=comment)
    inbox_close(key=f"catalog:resource:{resource.pk}:review:{resource.review_round}")
    drafts_task_refresh(resource.provider_id)
    return resource


def _next_code(resource: Resource) -> str:
    """Classification prefix + provider's organisation code + sequence (C1)."""
    try:
        with transaction.atomic():
            ResourceCodeSequence.objects.get_or_create(
                provider=resource.provider, classification=resource.classification)
    except IntegrityError:  # created concurrently; the row exists now
        pass
    sequence = ResourceCodeSequence.objects.select_for_update().get(
        provider=resource.provider, classification=resource.classification)
    prefix = CLASSIFICATION_CODE_PREFIX[resource.classification]
    while True:
        sequence.last += 1
        code = f"{prefix}-{resource.provider.organisation_code}-{sequence.last:05d}"
        if not Resource.objects.filter(code=code).exists():
            sequence.save(update_fields=["last"])
            return code


@transaction.atomic
def resource_approve(*, actor: User, resource: Resource, comment: str = "") -> Resource:
    """The center approves: a new entry is registered with its code; an approved revision
    is applied to the registered entry in place (see ``catalog.models.resources``).
    Returns the registered entry."""
    resource = _lock(resource)
    if not policies.can_review_resource(actor, resource):
        raise NotPermitted(_("只有信息中心审核员可以审核目录。"))
    if resource.status == Resource.Status.SUBMITTED:
        ensure_valid(*proposal_from_resource(resource))
    review_key = f"catalog:resource:{resource.pk}:review:{resource.review_round}"
    if resource.is_revision:
        registered = _revision_apply(actor=actor, revision=resource, comment=comment)
    else:
        if TRANSITIONS.find(resource.status, "approve") is not None:
            resource.code = _next_code(resource)
            resource.registered_at = timezone.now()
            resource.publication_date = resource.publication_date or timezone.localdate()
            resource.review_comment = comment
        transition_apply(obj=resource, table=TRANSITIONS, action="approve", actor=actor,
                         comment=comment)
        registered = resource
        _reindex(registered)
    inbox_close(key=review_key)
    notify(
        users=_editors(resource.provider_id),
        key=f"catalog:resource:{resource.pk}:approved:{resource.review_round}",
        title=_("目录已通过审核：%(name)s（%(code)s）") % {"name": registered.name, "code": registered.code},
        body=comment, url=_resource_url(registered),
    )
    return registered


def _revision_apply(*, actor: User, revision: Resource, comment: str) -> Resource:
    """Copy an approved revision onto its registered entry, items updated in place."""
    transition_apply(obj=revision, table=TRANSITIONS, action="apply", actor=actor, comment=comment,
                     save=False)
    registered = Resource.objects.select_for_update().get(pk=revision.revision_of_id)
    for name in RESOURCE_FIELDS:
        setattr(registered, name, getattr(revision, name))
    registered.review_comment = comment
    registered.related_resources.set(revision.related_resources.all())
    current = {item.pk: item for item in registered.items.all()}
    kept: set[int] = set()
    now = timezone.now()
    for item in revision.items.order_by("position", "pk"):
        target = current.get(item.origin_id)
        if target is None:
            target = DataItem(resource=registered)
        for name in (*ITEM_FIELDS, "position"):
            setattr(target, name, getattr(item, name))
        target.retired, target.retired_at = False, None
        target.save()
        kept.add(target.pk)
        if item.origin_id != target.pk:
            item.origin = target
            item.save(update_fields=["origin"])
    for pk, item in current.items():
        if pk not in kept and not item.retired:
            item.retired, item.retired_at = True, now
            item.save()
    transition_apply(obj=registered, table=TRANSITIONS, action="revise", actor=actor,
                     comment=_("修订稿 #%(pk)d 审核通过。%(c)s") % {"pk": revision.pk, "c": comment})
    revision.review_comment = comment
    revision.save()
    _reindex(registered)
    return registered


@transaction.atomic
def resource_return(*, actor: User, resource: Resource, comment: str) -> Resource:
    """The center returns an entry to its department with comments (C6)."""
    resource = _lock(resource)
    if not policies.can_review_resource(actor, resource):
        raise NotPermitted(_("只有信息中心审核员可以审核目录。"))
    if not (comment or "").strip():
        raise ValidationFailed(_("退回时请填写审核意见，说明需要修改的内容。"),
                               fields={"comment": [_("请填写退回意见。")]})
    resource.review_comment = comment.strip()
    transition_apply(obj=resource, table=TRANSITIONS, action="return", actor=actor, comment=comment)
    inbox_close(key=f"catalog:resource:{resource.pk}:review:{resource.review_round}")
    inbox_add(
        users=_editors(resource.provider_id),
        key=f"catalog:resource:{resource.pk}:returned:{resource.review_round}",
        title=_("目录被退回，请修改后重新提交：%(name)s") % {"name": resource.name},
        url=_resource_url(resource), target=resource,
    )
    return resource


@transaction.atomic
def resource_retire(*, actor: User, resource: Resource, reason: str) -> Resource:
    """Retire a registered entry with a reason; its items and code stay on record."""
    resource = _lock(resource)
    if not policies.can_retire_resource(actor, resource):
        raise NotPermitted(_("只有本部门数据管理员或信息中心可以撤销已注册资源。"))
    if not (reason or "").strip():
        raise ValidationFailed(_("请填写撤销原因。"), fields={"reason": [_("请填写撤销原因。")]})
    if resource.revisions.filter(status__in=OPEN_STATUSES).exists():
        raise Conflict(_("该资源有正在办理的修订，请先撤回或删除修订稿再撤销。"),
                       target=resource, action="retire")
    resource.retire_reason = reason.strip()
    resource.retired_at = timezone.now()
    transition_apply(obj=resource, table=TRANSITIONS, action="retire", actor=actor, comment=reason)
    from .census import census_entries_mark_retired

    census_entries_mark_retired(actor=actor, resource_id=resource.pk)
    recipients = _editors(resource.provider_id) + list(users_with_role(Role.CENTER_REVIEWER))
    notify(users=recipients, key=f"catalog:resource:{resource.pk}:retired",
           title=_("资源已撤销：%(name)s（%(code)s）") % {"name": resource.name, "code": resource.code},
           body=reason, url=_resource_url(resource))
    return resource


@transaction.atomic
def resource_revise(*, actor: User, resource: Resource) -> Resource:
    """Start a revision of a registered entry: a draft copy whose items point to the
    registered items they stand for. The registered entry stays visible meanwhile."""
    registered = _lock(resource)
    if not policies.can_revise_resource(actor, registered):
        if registered.status != Resource.Status.REGISTERED:
            raise Conflict(_("只有已注册的资源可以发起修订。"), target=registered, action="revise")
        raise NotPermitted(_("只有本部门的填报员或数据管理员可以发起修订。"))
    if registered.revisions.filter(status__in=OPEN_STATUSES).exists():
        raise Conflict(_("该资源已有正在办理的修订，请在修订稿上继续修改。"), target=registered,
                       action="revise")
    revision = Resource(provider=registered.provider, revision_of=registered, created_by=actor,
                        status=Resource.Status.DRAFT)
    for name in RESOURCE_FIELDS:
        setattr(revision, name, getattr(registered, name))
    revision.save()
    revision.related_resources.set(registered.related_resources.all())
    bulk_create_with_history([
        DataItem(resource=revision, origin=item, position=item.position,
                 **{name: getattr(item, name) for name in ITEM_FIELDS})
        for item in registered.items.filter(retired=False).order_by("position", "pk")
    ], DataItem)
    _reindex(revision)
    drafts_task_refresh(revision.provider_id)
    return revision


def open_revision(resource: Resource) -> Resource | None:
    """The revision of a registered entry currently in progress, if any."""
    return resource.revisions.filter(status__in=OPEN_STATUSES).first()

"""The one policy question of sharing (S1, S5, S6): may department D read items of
resource R, for purpose P, now?

Every consumer of shared data (online query, download, access log, pages and API) asks
:func:`access_decide`. The answer combines:

* the provider rule — a department always reads its own resources;
* the resource state — only registered entries are shared;
* the first-access filing (S6) — a department without an acknowledged filing is refused,
  with the reason;
* unconditional sharing (S1) — items whose effective sharing type is unconditional are
  readable by every filed department without an application;
* grants (S5) — other items only through a valid (started, not expired, not revoked)
  grant, limited to the grant's items, and only while the department group still holds
  the guardian object permissions the grant put in place (revoking removes them at once).
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import DataItem, Resource, SharingType
from portal.models import Department
from portal.services.organisation import department_group

from .models import (
    CONSUME_DATAITEM,
    CONSUME_RESOURCE,
    DataItemGrantPermission,
    Filing,
    Grant,
    Purpose,
    ResourceGrantPermission,
    valid_grants_q,
)

EMPTY: frozenset[int] = frozenset()


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    item_ids: frozenset[int]          # DataItem ids the department may read (empty if not allowed)
    masked_item_ids: frozenset[int]   # subset that must leave masked (the grant requires masking)
    grant: "Grant | None"             # None for unconditional access (S1) and the provider
    purpose: str                      # the granted purpose ("" without a grant)
    reason: str                       # Chinese explanation when not allowed

    @classmethod
    def refuse(cls, reason: str) -> "AccessDecision":
        return cls(False, EMPTY, EMPTY, None, "", reason)


def filing_refusal(department: Department) -> str:
    """The reason a department may not use shared data yet (S6), or "" when filed."""
    status = (Filing.objects.filter(department=department).values_list("status", flat=True)
              .first())
    if status == Filing.Status.ACKNOWLEDGED:
        return ""
    if status == Filing.Status.SUBMITTED:
        return _("本部门的共享使用备案尚待信息中心确认（未备案），确认后方可申请和使用共享数据。")
    if status == Filing.Status.REVOKED:
        return _("本部门的共享使用备案已被撤销（未备案），请重新提交备案材料。")
    return _("本部门尚未办理共享数据首次使用备案（未备案），请先在“共享备案”页面提交备案材料，"
             "经信息中心确认后方可申请和使用共享数据。")


def _live_items(resource: Resource) -> list[tuple[int, str]]:
    return list(DataItem.objects.filter(resource=resource, retired=False)
                .values_list("pk", "sharing_type"))


def _unconditional_item_ids(resource: Resource, items: list[tuple[int, str]]) -> set[int]:
    return {pk for pk, item_type in items
            if (item_type or resource.sharing_type) == SharingType.UNCONDITIONAL}


def _permitted_item_ids(department: Department, resource: Resource) -> set[int]:
    """Items the department group holds guardian permissions on (empty without the
    resource-level permission)."""
    group = department_group(department)
    if not ResourceGrantPermission.objects.filter(
        group=group, content_object=resource, permission__codename=CONSUME_RESOURCE,
    ).exists():
        return set()
    return set(DataItemGrantPermission.objects.filter(
        group=group, content_object__resource=resource, permission__codename=CONSUME_DATAITEM,
    ).values_list("content_object_id", flat=True))


def _choose_grant(grants: list[Grant]) -> Grant:
    """Without a stated purpose, the grant that covers the most items (then the newest)."""
    return max(grants, key=lambda g: (len(g.items.all()), g.granted_at, g.pk))


def _no_grant_reason(department: Department, resource: Resource, purpose: str | None,
                     today) -> str:
    last = (Grant.objects.filter(department=department, resource=resource)
            .order_by("-granted_at", "-pk").first())
    if last is not None:
        state = last.state_on(today)
        if state == Grant.State.REVOKED:
            return _("本部门对该资源的共享授权已被撤销。")
        if state == Grant.State.EXPIRED:
            return _("本部门对该资源的共享授权已于 %(day)s 到期，如需继续使用请重新申请。") % {
                "day": last.valid_until.isoformat()}
        if state == Grant.State.PENDING:
            return _("本部门对该资源的共享授权自 %(day)s 起生效。") % {
                "day": last.valid_from.isoformat()}
        if purpose:
            return _("本部门对该资源的授权不包含用途“%(purpose)s”。") % {
                "purpose": Purpose(purpose).label if purpose in Purpose.values else purpose}
    if resource.sharing_type == SharingType.NOT_SHARED:
        return _("该资源为不予共享资源，本部门没有经协商或协调取得的有效授权。")
    return _("该资源为有条件共享资源，本部门没有有效的共享授权，请先提交共享申请。")


def access_decide(*, department: Department | None, resource: Resource,
                  purpose: str | None = None, now: datetime | None = None) -> AccessDecision:
    """May ``department`` read items of ``resource`` (for ``purpose``) at ``now``?"""
    if department is None:
        return AccessDecision.refuse(_("当前用户未归属任何部门，不能使用共享数据。"))
    items = _live_items(resource)
    if resource.provider_id == department.pk:
        return AccessDecision(True, frozenset(pk for pk, _t in items), EMPTY, None, "", "")
    if resource.status != Resource.Status.REGISTERED:
        return AccessDecision.refuse(_("该信息资源未注册或已撤销，不能共享使用。"))
    refusal = filing_refusal(department)
    if refusal:
        return AccessDecision.refuse(refusal)

    today = timezone.localdate(now) if now is not None else timezone.localdate()
    open_ids = _unconditional_item_ids(resource, items)
    grants = Grant.objects.filter(valid_grants_q(today), department=department, resource=resource)
    if purpose:
        grants = grants.filter(purpose=purpose)
    grants = list(grants.prefetch_related("items", "masked_items"))
    permitted = _permitted_item_ids(department, resource) if grants else set()
    grants = [g for g in grants if permitted & {i.pk for i in g.items.all()}]
    if not grants:
        if open_ids:
            return AccessDecision(True, frozenset(open_ids), EMPTY, None, "", "")
        return AccessDecision.refuse(_no_grant_reason(department, resource, purpose, today))

    grant = _choose_grant(grants)
    live = {pk for pk, _t in items}
    granted = {i.pk for i in grant.items.all()} & permitted & live
    # An item readable unconditionally (S1) is never forced through masking.
    masked = {i.pk for i in grant.masked_items.all()} & (granted - open_ids)
    return AccessDecision(True, frozenset(granted | open_ids), frozenset(masked), grant,
                          grant.purpose, "")

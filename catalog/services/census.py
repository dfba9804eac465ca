"""The annual catalog census (C8, YS-13): every department confirms or updates each of
its registered entries once a year.

Opening a census lists every registered entry as a pending census entry and gives each
department's data administrators one inbox task. An entry is done when it is confirmed
unchanged, when a revision of it is submitted, or when it is retired. Reminders go out
5 working days before the due date and once after it, per department.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from portal.errors import Conflict, NotPermitted, ValidationFailed
from portal.models import Notification, Role, User
from portal.rules import region_rules, rule_of
from portal.selectors import users_with_role
from portal.services.inbox import inbox_add, inbox_close, notify
from portal.workflow import transition_apply

from .. import policies
from ..models import CENSUS_ENTRY_TRANSITIONS, CENSUS_TRANSITIONS, Census, CensusEntry, Resource
from .deadlines import working_days_before


def _department_key(census_id: int, department_id: int) -> str:
    return f"catalog:census:{census_id}:dept:{department_id}"


def _census_url(census_id: int) -> str:
    return reverse("catalog:census_detail", args=[census_id])


@transaction.atomic
def census_open(*, actor: User, year: int, due_on: date, title: str = "") -> Census:
    """Open the census of ``year`` over every registered entry."""
    if not policies.can_manage_census(actor):
        raise NotPermitted(_("只有信息中心可以发起年度目录普查。"))
    if due_on <= timezone.localdate():
        raise ValidationFailed(_("“截止日期”须晚于今天。"), fields={"due_on": [_("截止日期须晚于今天。")]})
    if Census.objects.filter(year=year).exists():
        raise Conflict(_("%(year)d 年度的目录普查已经发起。") % {"year": year})
    census = Census.objects.create(
        year=year, title=title or _("%(year)d 年度信息资源目录普查") % {"year": year},
        due_on=due_on, remind_on=working_days_before(
            due_on, max(rule_of(region_rules(None), "catalog.reminder_days").value)),
        opened_by=actor,
    )
    registered = Resource.objects.filter(status=Resource.Status.REGISTERED).values_list(
        "pk", "provider_id").order_by("pk")
    entries = [CensusEntry(census=census, resource_id=pk, department_id=dept) for pk, dept in registered]
    bulk_create_with_history(entries, CensusEntry, batch_size=2000)
    department_ids = {e.department_id for e in entries}
    admins: dict[int, list[User]] = defaultdict(list)
    for user in users_with_role(Role.DATA_ADMIN).filter(department_id__in=department_ids):
        admins[user.department_id].append(user)
    for department_id in sorted(department_ids):
        inbox_add(users=admins[department_id], key=_department_key(census.pk, department_id),
                  title=census.title + _("：请逐条确认或修订本部门目录"),
                  url=_census_url(census.pk), due_on=due_on, target=census)
    return census


def _entry_done(*, actor: User, entry: CensusEntry, action: str, comment: str = "") -> CensusEntry:
    entry.confirmed_by = actor if getattr(actor, "pk", None) else None
    entry.confirmed_at = timezone.now()
    entry.comment = comment
    transition_apply(obj=entry, table=CENSUS_ENTRY_TRANSITIONS, action=action, actor=actor,
                     comment=comment)
    if not CensusEntry.objects.filter(census_id=entry.census_id, department_id=entry.department_id,
                                      status=CensusEntry.Status.PENDING).exists():
        inbox_close(key=_department_key(entry.census_id, entry.department_id))
    return entry


@transaction.atomic
def census_entry_confirm(*, actor: User, entry: CensusEntry, comment: str = "") -> CensusEntry:
    """The data administrator confirms an entry is still accurate."""
    entry = CensusEntry.objects.select_for_update().select_related("census").get(pk=entry.pk)
    if not policies.can_confirm_census_entry(actor, entry):
        raise NotPermitted(_("只有本部门数据管理员可以确认普查条目。"))
    if entry.census.status != Census.Status.OPEN:
        raise Conflict(_("该次普查已结束。"), target=entry, action="confirm")
    return _entry_done(actor=actor, entry=entry, action="confirm", comment=comment)


def census_entries_mark_updated(*, actor: User, resource_id: int) -> int:
    """A revision of the entry was submitted: its pending census entries are done."""
    return _mark(actor=actor, resource_id=resource_id, action="update",
                 comment=_("已提交修订"))


def census_entries_mark_retired(*, actor: User, resource_id: int) -> int:
    return _mark(actor=actor, resource_id=resource_id, action="retire", comment=_("资源已撤销"))


def _mark(*, actor: User, resource_id: int, action: str, comment: str) -> int:
    entries = CensusEntry.objects.select_for_update().filter(
        resource_id=resource_id, status=CensusEntry.Status.PENDING, census__status=Census.Status.OPEN)
    count = 0
    for entry in entries:
        _entry_done(actor=actor, entry=entry, action=action, comment=comment)
        count += 1
    return count


@transaction.atomic
def census_close(*, actor: User, census: Census) -> Census:
    census = Census.objects.select_for_update().get(pk=census.pk)
    if not policies.can_manage_census(actor):
        raise NotPermitted(_("只有信息中心可以结束年度目录普查。"))
    census.closed_at = timezone.now()
    transition_apply(obj=census, table=CENSUS_TRANSITIONS, action="close", actor=actor)
    for department_id in census.entries.values_list("department_id", flat=True).distinct():
        inbox_close(key=_department_key(census.pk, department_id))
    return census


def census_progress(census: Census) -> list[dict]:
    """Per department: total, pending, confirmed, updated, retired and the completion rate.
    One aggregate query."""
    S = CensusEntry.Status
    rows = (
        census.entries.values("department_id", "department__name")
        .annotate(
            total=Count("pk"),
            pending=Count("pk", filter=Q(status=S.PENDING)),
            confirmed=Count("pk", filter=Q(status=S.CONFIRMED)),
            updated=Count("pk", filter=Q(status=S.UPDATED)),
            retired=Count("pk", filter=Q(status=S.RETIRED)),
        )
        .order_by("department__name")
    )
    out = []
    for row in rows:
        done = row["total"] - row["pending"]
        out.append({**row, "done": done,
                    "rate": round(done * 100 / row["total"], 1) if row["total"] else 100.0})
    return out


def census_remind(*, today: date | None = None) -> int:
    """Remind departments with pending entries (once per census, department and stage):
    from ``remind_on`` on, and once more after the due date to the head. Returns how many
    departments were reminded now."""
    today = today or timezone.localdate()
    sent = 0
    for census in Census.objects.filter(status=Census.Status.OPEN, remind_on__lte=today):
        overdue = today > census.due_on
        pending = (census.entries.filter(status=CensusEntry.Status.PENDING)
                   .values("department_id").annotate(n=Count("pk")))
        roles = (Role.DATA_ADMIN, Role.HEAD) if overdue else (Role.DATA_ADMIN,)
        recipients: dict[int, list[User]] = defaultdict(list)
        department_ids = [row["department_id"] for row in pending]
        for user in users_with_role(*roles).filter(department_id__in=department_ids):
            recipients[user.department_id].append(user)
        for row in pending:
            stage = "overdue" if overdue else "due"
            created = notify(
                users=recipients[row["department_id"]],
                key=f"{_department_key(census.pk, row['department_id'])}:reminder:{stage}",
                title=(_("%(title)s已逾期：尚有 %(n)d 条目录未确认") if overdue
                       else _("%(title)s将于 %(date)s 截止：尚有 %(n)d 条目录未确认")) % {
                    "title": census.title, "n": row["n"], "date": f"{census.due_on:%Y-%m-%d}"},
                url=_census_url(census.pk),
                level=Notification.Level.ESCALATION if overdue else Notification.Level.REMINDER,
            )
            sent += bool(created)
    return sent

"""Update deadlines after a change of law or functions (C7, NAT-8, HN-8).

Recording a change event opens a deadline of 15 working days from the day of the change
for the department's catalog, with an inbox task for its clerks and data administrators.
The portal's deadline sweep (``catalog.deadlines.CHANGE``) reminds 5 working days and 1
working day before the due date (each reminder keyed, so sent once) and flags the event
overdue the day after; the assessment app reads ``due_on``, ``completed_at`` and
``overdue_at`` (A2, A5).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.deadlines import deadline_start
from portal.errors import NotPermitted, ValidationFailed
from portal.models import Department, Role, User
from portal.rules import region_due
from portal.selectors import users_with_role
from portal.services.inbox import inbox_add, inbox_close
from portal.workdays import WorkingCalendar
from portal.workflow import transition_apply

from .. import policies
from ..deadlines import CHANGE
from ..models import CHANGE_TRANSITIONS, ChangeEvent, Resource


def working_days_before(due: date, days: int) -> date:
    """The working day that lies ``days`` working days before ``due``."""
    calendar = WorkingCalendar(due - timedelta(days=days * 2 + 30), due)
    current, remaining = due, days
    while remaining:
        current -= timedelta(days=1)
        if calendar.is_working_day(current):
            remaining -= 1
    return current


def _task_key(event: ChangeEvent) -> str:
    return f"catalog:change:{event.pk}"


def _department_users(department_id: int) -> list[User]:
    return list(users_with_role(Role.CLERK, Role.DATA_ADMIN, department=department_id))


@transaction.atomic
def change_event_record(
    *,
    actor: User,
    department: Department,
    kind: str,
    title: str,
    occurred_on: date | None = None,
    description: str = "",
    resources: list[Resource] | None = None,
) -> ChangeEvent:
    """Record a law revision or a change of functions and open the catalog update
    deadline of the department's rule pack (NAT-8, HN-8: 15 working days)."""
    if not policies.can_record_change_event(actor, department):
        raise NotPermitted(_("只有信息化主管部门、信息中心或本部门数据管理员、负责人可以登记目录变更事项。"))
    today = timezone.localdate()
    occurred_on = occurred_on or today
    if occurred_on > today:
        raise ValidationFailed(_("“发生日期”不能晚于今天；请在法规发布或职能调整之日后登记。"),
                               fields={"occurred_on": [_("发生日期不能晚于今天。")]})
    if not (title or "").strip():
        raise ValidationFailed(_("请填写事由。"), fields={"title": [_("请填写事由。")]})
    if kind not in ChangeEvent.Kind.values:
        raise ValidationFailed(_("请选择变更类型。"), fields={"kind": [_("请选择变更类型。")]})
    event = ChangeEvent(
        department=department, kind=kind, title=title.strip(), description=description,
        occurred_on=occurred_on, recorded_by=actor)
    due_on, rule = region_due(department.region_id, "catalog.update", occurred_on)
    deadline_start(kind=CHANGE, obj=event, due_on=due_on, rule=rule)
    event.save()
    due_on = event.due_on
    if resources:
        event.resources.set([r for r in resources if r.provider_id == department.pk])
    inbox_add(
        users=_department_users(department.pk), key=_task_key(event),
        title=_("更新本部门目录（%(kind)s：%(title)s）") % {"kind": event.get_kind_display(),
                                                     "title": event.title},
        url=reverse("catalog:change_event_detail", args=[event.pk]), due_on=due_on, target=event,
    )
    return event


def _lock(event: ChangeEvent) -> ChangeEvent:
    return ChangeEvent.objects.select_for_update().get(pk=event.pk)


@transaction.atomic
def change_event_complete(*, actor: User, event: ChangeEvent, note: str = "") -> ChangeEvent:
    """The department states its catalog is updated for this change."""
    event = _lock(event)
    if not policies.can_complete_change_event(actor, event):
        raise NotPermitted(_("只有本部门数据管理员可以确认目录已更新。"))
    if not (note or "").strip():
        raise ValidationFailed(_("请填写更新说明：修订、新增或撤销了哪些资源。"),
                               fields={"note": [_("请填写更新说明。")]})
    event.completed_at = timezone.now()
    event.completion_note = note.strip()
    transition_apply(obj=event, table=CHANGE_TRANSITIONS, action="complete", actor=actor, comment=note)
    inbox_close(key=_task_key(event))
    return event


@transaction.atomic
def change_event_cancel(*, actor: User, event: ChangeEvent, reason: str) -> ChangeEvent:
    """Withdraw an event recorded in error (authority or center)."""
    event = _lock(event)
    if not policies.can_cancel_change_event(actor, event):
        raise NotPermitted(_("只有信息化主管部门或信息中心可以撤销目录变更事项。"))
    if not (reason or "").strip():
        raise ValidationFailed(_("请填写撤销原因。"), fields={"reason": [_("请填写撤销原因。")]})
    transition_apply(obj=event, table=CHANGE_TRANSITIONS, action="cancel", actor=actor, comment=reason)
    inbox_close(key=_task_key(event))
    return event

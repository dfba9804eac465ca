"""Update deadlines after a change of law or functions (C7, NAT-8, HN-8).

Recording a change event opens a deadline of 15 working days from the day of the change
for the department's catalog, with an inbox task for its clerks and data administrators.
A daily sweep reminds 5 working days and 1 working day before the due date (each reminder
keyed, so sent once) and flags the event overdue the day after; the assessment app reads
``due_on``, ``completed_at`` and ``overdue_at`` (A2, A5).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import NotPermitted, ValidationFailed
from portal.models import Department, Notification, Role, User
from portal.selectors import users_with_role
from portal.services.inbox import inbox_add, inbox_close, notify
from portal.workdays import WorkingCalendar, add_working_days, working_days_between
from portal.workflow import transition_apply

from .. import policies
from ..models import CHANGE_DEADLINE_WORKING_DAYS, CHANGE_TRANSITIONS, ChangeEvent, Resource

# Working days before the due date when reminders go out.
REMINDER_DAYS_BEFORE = (5, 1)


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
    """Record a law revision or a change of functions and open the 15-working-day deadline."""
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
    due_on = add_working_days(occurred_on, CHANGE_DEADLINE_WORKING_DAYS)
    event = ChangeEvent.objects.create(
        department=department, kind=kind, title=title.strip(), description=description,
        occurred_on=occurred_on, due_on=due_on,
        remind_on=working_days_before(due_on, REMINDER_DAYS_BEFORE[0]), recorded_by=actor,
    )
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


def change_events_remind(*, today: date | None = None) -> int:
    """Send the reminders due today; each (event, stage) at most once. Returns how many
    events were reminded now."""
    today = today or timezone.localdate()
    sent = 0
    events = ChangeEvent.objects.filter(
        status=ChangeEvent.Status.OPEN, remind_on__lte=today, due_on__gte=today,
    ).select_related("department")
    for event in events:
        days_left = working_days_between(today, event.due_on)
        stage = min((d for d in REMINDER_DAYS_BEFORE if days_left <= d), default=None)
        if stage is None:
            continue
        created = notify(
            users=_department_users(event.department_id),
            key=f"{_task_key(event)}:reminder:{stage}",
            title=_("目录更新期限将至（%(date)s）：%(title)s") % {"date": f"{event.due_on:%Y-%m-%d}",
                                                             "title": event.title},
            body=_("请在期限前完成本部门目录的更新并确认。"),
            url=reverse("catalog:change_event_detail", args=[event.pk]),
            level=Notification.Level.REMINDER,
        )
        sent += bool(created)
    return sent


def change_events_flag_overdue(*, today: date | None = None) -> int:
    """Flag events past their due date and tell the department's head, its data
    administrators and the authority (once per event). Returns how many were flagged."""
    today = today or timezone.localdate()
    flagged = 0
    for event_id in ChangeEvent.objects.filter(
        status=ChangeEvent.Status.OPEN, due_on__lt=today, overdue_at__isnull=True,
    ).values_list("pk", flat=True):
        with transaction.atomic():
            event = ChangeEvent.objects.select_for_update().select_related("department").get(pk=event_id)
            if event.overdue_at is not None or event.status != ChangeEvent.Status.OPEN:
                continue
            event.overdue_at = timezone.now()
            event.save(update_fields=["overdue_at"])
            users = list(users_with_role(Role.HEAD, Role.DATA_ADMIN, department=event.department_id))
            users += list(users_with_role(Role.AUTHORITY))
            notify(
                users=users, key=f"{_task_key(event)}:overdue",
                title=_("目录更新已逾期：%(dept)s · %(title)s（期限 %(date)s）") % {
                    "dept": event.department.name, "title": event.title,
                    "date": f"{event.due_on:%Y-%m-%d}"},
                url=reverse("catalog:change_event_detail", args=[event.pk]),
                level=Notification.Level.ESCALATION,
            )
            flagged += 1
    return flagged

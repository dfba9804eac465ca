"""C7: a change of law or functions opens a 15-working-day deadline, with reminders sent
once and an overdue flag after it."""

from datetime import date

import pytest

from catalog import services
from catalog.models import ChangeEvent
from portal.deadlines import deadlines_sweep
from portal.errors import NotPermitted, ValidationFailed
from portal.models import InboxItem, Notification
from portal.tasks import deadlines_sweep as deadlines_sweep_task

pytestmark = pytest.mark.django_db


def record(actor, department, occurred_on=date(2025, 9, 26)):
    return services.change_event_record(actor=actor, department=department, kind="law_revised",
                                        title="《统计法》修订", occurred_on=occurred_on)


def test_c7_deadline_is_15_working_days_across_national_day(data_admin, clerk, department):
    event = record(data_admin, department)
    # 2025-09-28 (Sunday) is a make-up working day, 1–8 October are holidays.
    assert event.due_on == date(2025, 10, 23)
    task = InboxItem.objects.get(user=clerk, key=f"catalog:change:{event.pk}")
    assert task.due_on == date(2025, 10, 23)


def test_c7_who_may_record(clerk, authority, department, other_department):
    with pytest.raises(NotPermitted):
        record(clerk, department)
    assert record(authority, other_department).department == other_department
    with pytest.raises(ValidationFailed):
        record(authority, department, occurred_on=date(2099, 1, 1))


def reminders(event):
    return Notification.objects.filter(key__startswith=f"catalog:change:{event.pk}:")


def remind(today):
    return deadlines_sweep(today=today)["catalog.change"].reminded


def flag_overdue(today):
    return deadlines_sweep(today=today)["catalog.change"].escalated


def test_c7_reminders_are_sent_once_per_stage_then_overdue_flag(data_admin, clerk, head, authority, department):
    event = record(data_admin, department)
    assert remind(date(2025, 10, 15)) == 0
    assert remind(date(2025, 10, 16)) == 1
    assert remind(date(2025, 10, 16)) == 0  # retried task
    assert remind(date(2025, 10, 17)) == 0  # same stage
    assert set(reminders(event).values_list("key", flat=True)) == {f"catalog:change:{event.pk}:s1:reminder:5"}
    assert remind(date(2025, 10, 22)) == 1
    assert reminders(event).filter(key__endswith="reminder:1", user=clerk).exists()

    assert flag_overdue(date(2025, 10, 23)) == 0
    assert flag_overdue(date(2025, 10, 24)) == 1
    assert flag_overdue(date(2025, 10, 27)) == 0
    event.refresh_from_db()
    assert event.overdue_at is not None and event.is_overdue
    escalated = reminders(event).filter(key=f"catalog:change:{event.pk}:s1:escalation")
    assert set(escalated.values_list("user_id", flat=True)) == {head.pk, data_admin.pk, authority.pk}


def test_c7_completion_closes_the_task_and_records_timeliness(data_admin, clerk, department):
    event = record(data_admin, department)
    with pytest.raises(ValidationFailed):
        services.change_event_complete(actor=data_admin, event=event, note="")
    services.change_event_complete(actor=data_admin, event=event, note="修订了 3 条目录")
    event.refresh_from_db()
    assert event.status == ChangeEvent.Status.DONE and event.completed_at
    assert InboxItem.objects.get(user=clerk, key=f"catalog:change:{event.pk}").done_at
    assert event.is_overdue  # completed today, long after the 2025 deadline
    assert remind(date(2025, 10, 22)) == 0


def test_c7_sweep_task_runs(data_admin, department):
    record(data_admin, department)
    result = deadlines_sweep_task.delay().get()
    assert result["catalog.change"] == {"reminded": 0, "escalated": 1, "notifications": 1}

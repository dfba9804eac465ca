"""Reminders before and escalation after every sharing deadline (S3, S7, S8): each sent
exactly once, however often the sweep runs."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.deadlines import deadlines_sweep as deadline_sweep
from portal.models import Notification
from portal.tasks import deadlines_sweep as deadline_sweep_task
from portal.workdays import add_working_days
from sharing.models import ShareRequest
from sharing.services.objections import objection_create
from sharing.services.requests import request_approve
from tests.sharing.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_request(people, conditional_resource):
    return make_request(people.applicant_clerk, conditional_resource,
                        submit_by=people.applicant_admin)


def notes(user, level):
    return list(Notification.objects.filter(user=user, level=level).order_by("pk"))


def days_before(request: ShareRequest, n: int):
    """The day on which ``request`` is due in ``n`` working days."""
    day = request.due_on - timedelta(days=1)
    while add_working_days(day, n) > request.due_on:
        day -= timedelta(days=1)
    while add_working_days(day, n) < request.due_on:
        day += timedelta(days=1)
    return day


def test_s3_reminders_at_three_and_one_working_days_each_sent_once(people, open_request):
    three, one = days_before(open_request, 3), days_before(open_request, 1)
    deadline_sweep(today=three - timedelta(days=1))
    assert notes(people.provider_admin, Notification.Level.REMINDER) == []
    deadline_sweep(today=three)
    deadline_sweep(today=three)  # the task runs twice
    first = notes(people.provider_admin, Notification.Level.REMINDER)
    assert len(first) == 1 and "提前 3 个工作日" in first[0].title
    deadline_sweep(today=one)
    deadline_sweep(today=one)
    reminders = notes(people.provider_admin, Notification.Level.REMINDER)
    assert len(reminders) == 2 and "提前 1 个工作日" in reminders[1].title
    assert notes(people.provider_head, Notification.Level.REMINDER) == []


def test_s3_overdue_step_escalates_to_the_head_and_the_center_once(people, open_request):
    late = open_request.due_on + timedelta(days=1)
    first = deadline_sweep(today=late)
    deadline_sweep_task.run()  # the real task on "today" finds nothing new to send
    second = deadline_sweep(today=late + timedelta(days=2))
    assert first["sharing.request"].escalated == 1 and second["sharing.request"].escalated == 0
    for user in (people.provider_head, people.center, people.provider_admin):
        escalations = notes(user, Notification.Level.ESCALATION)
        assert len(escalations) == 1 and "超期督办" in escalations[0].title
    assert notes(people.applicant_admin, Notification.Level.ESCALATION) == []


def test_s3_late_catch_up_sends_only_the_most_urgent_reminder(people, open_request):
    deadline_sweep(today=days_before(open_request, 1))
    deadline_sweep(today=days_before(open_request, 1))
    reminders = notes(people.provider_admin, Notification.Level.REMINDER)
    assert len(reminders) == 1 and "提前 1 个工作日" in reminders[0].title


def test_s3_a_closed_step_is_never_reminded(people, open_request):
    due = open_request.due_on
    request_approve(actor=people.provider_admin, request=open_request)
    deadline_sweep(today=days_before(open_request, 1))
    deadline_sweep(today=due + timedelta(days=3))
    assert not Notification.objects.filter(level__in=[Notification.Level.REMINDER,
                                                      Notification.Level.ESCALATION]).exists()


def test_s8_objection_answer_deadline_is_swept_too(people, conditional_resource):
    objection = objection_create(actor=people.applicant_clerk, resource=conditional_resource,
                                 kind="doubtful", scope="resource", description="更新不及时")
    deadline_sweep(today=objection.due_on + timedelta(days=1))
    assert len(notes(people.provider_head, Notification.Level.ESCALATION)) == 1


def test_sweep_runs_a_constant_number_of_queries(people, conditional_resource):
    """More rows due do not mean more queries (the benchmark measures it at scale)."""
    def queries_for(count):
        Notification.objects.all().delete()
        ShareRequest.objects.all().delete()
        requests = [make_request(people.applicant_clerk, conditional_resource,
                                 submit_by=people.applicant_admin) for _ in range(count)]
        with CaptureQueriesContext(connection) as ctx:
            deadline_sweep(today=requests[0].due_on + timedelta(days=1))
        return len(ctx.captured_queries)

    assert queries_for(1) == queries_for(4)


def test_s3_escalation_is_emailed_once(people, open_request, django_capture_on_commit_callbacks,
                                       mailoutbox):
    late = open_request.due_on + timedelta(days=1)
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            deadline_sweep(today=late)
    to_head = [m for m in mailoutbox if people.provider_head.email in m.to]
    assert len(to_head) == 1 and "超期督办" in to_head[0].subject

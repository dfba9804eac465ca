"""Celery tasks of the assessment: the beat schedule names real tasks; tasks are idempotent."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from assessment import tasks
from assessment.models import ComputationRun, RectificationNotice, Violation
from assessment.services import rectification
from portal.celery import app
from portal.tasks import deadlines_sweep
from tests.assessment.helpers import activated

pytestmark = pytest.mark.django_db


def test_beat_schedule_names_registered_tasks():
    import assessment.tasks  # noqa: F401  (registers the tasks)

    ours = {k: v for k, v in settings.CELERY_BEAT_SCHEDULE.items() if k.startswith("assessment-")}
    assert set(ours) == {"assessment-annual-reports", "assessment-recompute"}
    for entry in ours.values():
        assert entry["task"] in app.tasks


def test_a2_nightly_recompute_runs_every_active_plan(plan, authority):
    activated(plan, authority)
    before = ComputationRun.objects.filter(plan=plan).count()
    assert tasks.plans_recompute.delay().get() == 1
    runs = ComputationRun.objects.filter(plan=plan)
    assert runs.count() == before + 1 and runs.first().status == ComputationRun.Status.DONE


def test_a5_deadline_sweep_task_escalates_once(authority, department):
    notice = rectification.notice_create(
        actor=authority, department=department, violation=Violation.OTHER, facts="x",
        due_on=timezone.localdate() + timedelta(days=1))
    RectificationNotice.objects.filter(pk=notice.pk).update(
        due_on=timezone.localdate() - timedelta(days=1))
    assert deadlines_sweep.delay().get()["assessment.notice"]["escalated"] == 1
    assert deadlines_sweep.delay().get()["assessment.notice"]["escalated"] == 0


def test_a2_compute_task_is_idempotent(plan):
    run = ComputationRun.objects.create(plan=plan)
    assert tasks.plan_compute_task.delay(run.pk).get() == "done"
    finished = ComputationRun.objects.get(pk=run.pk).finished_at
    assert tasks.plan_compute_task.delay(run.pk).get() == "done"
    assert ComputationRun.objects.get(pk=run.pk).finished_at == finished

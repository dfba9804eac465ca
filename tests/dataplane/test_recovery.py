"""S9: an upload whose worker dies is taken over within minutes, never twice at a time,
and given up with a report when it keeps killing workers. (A real worker killed with
SIGKILL: tests/integration/test_worker_kill.py.)"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dataplane.models import DataVersion
from dataplane.services.versions import version_process, version_upload, versions_recover
from portal.models import Notification, WorkflowEvent
from tests.dataplane.conftest import csv_text

pytestmark = pytest.mark.django_db

Status = DataVersion.Status


@pytest.fixture
def pending(provider_admin, resource):
    """An uploaded version whose task has not run (nothing executes on commit here)."""
    return version_upload(actor=provider_admin, resource=resource,
                          upload=SimpleUploadedFile("data.csv", csv_text().encode()))


def died(version, *, seconds_ago: int, attempts: int = 1):
    """As a worker leaves it when it is killed mid-way: processing, lease ``seconds_ago``."""
    DataVersion.objects.filter(pk=version.pk).update(
        status=Status.PROCESSING, progress=20, attempts=attempts,
        heartbeat_at=timezone.now() - timedelta(seconds=seconds_ago))


def test_s9_a_live_workers_version_is_not_taken_from_it(pending):
    died(pending, seconds_ago=5)
    assert version_process(version_id=pending.pk) is None  # e.g. a redelivered message
    pending.refresh_from_db()
    assert pending.status == Status.PROCESSING and pending.attempts == 1


def test_s9_a_dead_workers_version_is_taken_over_and_finished_once(pending, provider_admin):
    died(pending, seconds_ago=600)
    version = version_process(version_id=pending.pk)
    assert version.status == Status.CURRENT and version.attempts == 2 and version.row_count == 3
    assert version_process(version_id=pending.pk) is None  # the dead worker's message again
    actions = list(WorkflowEvent.objects.filter(target_id=str(pending.pk), target_type__model="dataversion")
                   .values_list("action", flat=True).order_by("pk"))
    assert actions == ["restart", "activate"]
    done = Notification.objects.filter(user=provider_admin, key=f"dataversion:{pending.pk}:done")
    assert done.count() == 1


def test_s9_recovery_sweep_requeues_only_lost_work(pending, provider_admin, resource,
                                                   settings):
    settings.DATAPLANE = {**settings.DATAPLANE, "INGEST_STALE_SECONDS": 120}
    fresh = version_upload(actor=provider_admin, resource=resource,
                           upload=SimpleUploadedFile("b.csv", csv_text().encode()))
    running = version_upload(actor=provider_admin, resource=resource,
                             upload=SimpleUploadedFile("c.csv", csv_text().encode()))
    died(running, seconds_ago=30)  # alive: beat 30 s ago
    dead = version_upload(actor=provider_admin, resource=resource,
                          upload=SimpleUploadedFile("d.csv", csv_text().encode()))
    died(dead, seconds_ago=300)
    DataVersion.objects.filter(pk=pending.pk).update(
        uploaded_at=timezone.now() - timedelta(minutes=10))  # its task never arrived
    assert sorted(versions_recover()) == sorted([pending.pk, dead.pk])
    assert fresh.pk not in versions_recover()
    # The sweep touched the lost pending version: it is not asked for again at once.
    assert pending.pk not in versions_recover()


def test_s9_a_file_that_keeps_killing_workers_fails_with_a_report(pending, provider_admin,
                                                                  settings):
    died(pending, seconds_ago=600, attempts=3)
    assert version_process(version_id=pending.pk) is None
    pending.refresh_from_db()
    assert pending.status == Status.FAILED and pending.source_file == ""
    assert "3 次意外中断" in pending.report["problems"][0]["message"]
    note = Notification.objects.get(user=provider_admin, key=f"dataversion:{pending.pk}:done")
    assert "校验未通过" in note.title
    assert pending.pk not in versions_recover()

"""The periodic tasks call the services and are safe to run twice (O1, O3, O7)."""

import pytest

from catalog.models import OpenType, Resource
from opendata import tasks
from opendata.models import Dataset

pytestmark = pytest.mark.django_db


def test_data_refresh_sweep_withdraws_closed_and_regenerates_new_versions(publish, upload):
    closed = publish()
    fresh = publish()
    Resource.objects.filter(pk=closed.resource_id).update(open_type=OpenType.NOT_OPEN)
    upload(fresh.resource)
    assert tasks.data_refresh_sweep() == 1
    closed.refresh_from_db()
    fresh.refresh_from_db()
    assert closed.status == Dataset.Status.WITHDRAWN
    assert fresh.data_status == Dataset.DataStatus.READY and fresh.source_version.number == 2
    assert tasks.data_refresh_sweep() == 0


def test_generation_failure_is_reported_and_not_retried_for_the_same_version(
        publish, upload, data_admin):
    from portal.models import Notification
    from tests.opendata.conftest import ROWS

    dataset = publish()
    rows = [{k: v for k, v in row.items() if k != "区县"} for row in ROWS]
    item = dataset.resource.items.get(field_name="district")
    item.retired = True
    item.save()
    upload(dataset.resource, rows)
    assert tasks.data_refresh_sweep() == 1
    dataset.refresh_from_db()
    assert dataset.data_status == Dataset.DataStatus.FAILED and "区县" in dataset.data_error
    assert Notification.objects.filter(user=data_admin, title__contains="生成失败").exists()
    assert tasks.data_refresh_sweep() == 0  # same version: not retried


def test_report_task_runs(center):
    assert tasks.usage_report_reminders() == 0

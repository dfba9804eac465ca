"""S9 on the real stack: an upload through the API is checked by a real Celery worker
over Redis, on PostgreSQL, and the version page's progress endpoint follows it."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dataplane.models import DataVersion
from tests.dataplane.conftest import ROWS, csv_text
from tests.integration.conftest import (  # noqa: F401 - the worker fixture, used by name
    celery_worker_on_redis,
    needs_postgres,
    needs_redis,
)

pytestmark = [pytest.mark.integration, needs_postgres, needs_redis,
              pytest.mark.django_db(transaction=True)]

def wait_finished(version_id: int, timeout: float = 60) -> DataVersion:
    deadline = time.time() + timeout
    while time.time() < deadline:
        version = DataVersion.objects.get(pk=version_id)
        if version.is_finished:
            return version
        time.sleep(0.2)
    raise AssertionError("the worker did not finish the version in time")


@pytest.mark.usefixtures("celery_worker_on_redis")
def test_upload_is_processed_by_the_worker_s9(resource, provider_admin, api, web):
    client = api(provider_admin)
    url = f"/api/v1/sharing/resources/{resource.code}/versions/"
    good = client.post(url, {"file": SimpleUploadedFile("d.csv", csv_text().encode("gbk"))},
                       format="multipart")
    assert good.status_code == 202 and good.json()["status"] in ("pending", "processing",
                                                                 "current")
    version = wait_finished(good.json()["id"])
    assert version.status == DataVersion.Status.CURRENT and version.row_count == len(ROWS)
    bad = client.post(url, {"file": SimpleUploadedFile("d.csv", b"\xe5\xa7\x93\xe5\x90\x8d\nx\n")},
                      format="multipart")
    failed = wait_finished(bad.json()["id"])
    assert failed.status == DataVersion.Status.FAILED
    progress = web(provider_admin).get(
        f"/data/r/{resource.code}/versions/{failed.pk}/progress/").json()
    assert progress["finished"] and progress["progress"] == 100
    version.refresh_from_db()
    assert version.status == DataVersion.Status.CURRENT  # the bad upload changed nothing

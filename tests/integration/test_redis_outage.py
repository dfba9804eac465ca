"""A Redis outage degrades the portal instead of taking it down, and loses nothing.

The test starts its own redis-server as cache and broker, stops it, and drives the real
API, public site and CKAN API through the outage (no 5xx; throttling and caching on the
local fallback; /readyz says so), queues work and emails while it is down, starts it
again and sees everything delivered exactly once.
"""

import logging
import time

import pytest
from django.core import mail
from django.core.cache import cache, caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from dataplane.models import DataVersion
from portal.deadlines import deadlines_sweep as deadline_sweep
from portal.models import Notification, OutboxTask, Role
from portal.services.outbox import notifications_email_drain
from portal.services.tokens import token_create
from tests.dataplane.conftest import csv_text, provider, provider_admin, resource  # noqa: F401
from tests.integration.conftest import needs_postgres, needs_redis
from tests.sharing.conftest import conditional_resource, filed, people  # noqa: F401
from tests.sharing.factories import make_request

pytestmark = [pytest.mark.integration, needs_postgres, needs_redis,
              pytest.mark.django_db(transaction=True)]

PUBLIC = ["/open/", "/open/datasets/", "/api/v1/opendata/datasets/",
          "/api/3/action/package_list", "/api/3/action/package_search?q=x"]


def redis_queue_length(server) -> int:
    import redis

    return redis.Redis.from_url(server.url(0)).llen("celery")


def test_api_and_public_site_keep_answering_while_redis_is_down(
        portal_on_redis, make_user, department, caplog):
    server = portal_on_redis
    user = make_user(department=department, roles=[Role.CLERK])
    _token, key = token_create(actor=user, name="outage")
    client = Client(raise_request_exception=False)
    api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {key}")
    for url in PUBLIC:
        assert client.get(url).status_code == 200, url
    assert api.get("/api/v1/departments/").status_code == 200
    assert client.get("/readyz").json()["status"] == "ok"

    server.stop()
    requests, started = 0, time.monotonic()
    with caplog.at_level(logging.WARNING):
        for _round in range(3):
            for url in PUBLIC:
                assert client.get(url).status_code == 200, url
            assert api.get("/api/v1/departments/").status_code == 200
            assert api.get("/api/v1/me/").status_code == 200
            requests += len(PUBLIC) + 2
    elapsed = time.monotonic() - started
    # Said once per retry period (RETRY_SECONDS = 1 here), not once per request.
    warnings = [r for r in caplog.records if "Cache unreachable" in r.getMessage()]
    assert 1 <= len(warnings) <= int(elapsed) + 1 and len(warnings) < requests
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["status"] == "degraded"
    assert body["checks"]["broker"]["status"] == "degraded"
    assert body["checks"]["database"]["status"] == "ok"

    server.start()
    time.sleep(1.1)  # RETRY_SECONDS: the fallback is kept that long after a failure
    cache.set("after", 1)
    assert cache.get("after") == 1 and not caches["default"].degraded
    assert client.get("/readyz").json()["checks"]["cache"]["status"] == "ok"


def test_throttling_still_counts_during_the_outage(portal_on_redis, settings):
    """Degraded means per process, not unlimited: the anonymous rate still applies."""
    settings.OPENDATA = {**settings.OPENDATA, "THROTTLE_RATES": {"api_anon": "3/min"}}
    portal_on_redis.stop()
    client = Client(raise_request_exception=False)
    codes = [client.get("/api/3/action/package_list").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_upload_during_the_outage_is_processed_once_redis_is_back(
        portal_on_redis, provider_admin, resource, celery_worker_on_portal_redis):  # noqa: F811
    server = portal_on_redis
    server.stop()
    api = APIClient()
    api.force_authenticate(provider_admin)
    response = api.post(f"/api/v1/sharing/resources/{resource.code}/versions/",
                        {"file": SimpleUploadedFile("data.csv", csv_text().encode())},
                        format="multipart")
    assert response.status_code == 202
    version = DataVersion.objects.get(pk=response.json()["id"])
    assert version.status == DataVersion.Status.PENDING
    [row] = OutboxTask.objects.all()
    assert row.task == "dataplane.tasks.version_process_task" and row.args == [version.pk]

    server.start()
    from portal.queue import broker, outbox_flush

    broker.succeed()  # the flush runs in a fresh worker process in production
    OutboxTask.objects.update(created_at=row.created_at.replace(year=2000))
    worker = celery_worker_on_portal_redis()
    with worker:
        assert outbox_flush() == 1
        assert OutboxTask.objects.count() == 0
        version = wait_for(lambda: DataVersion.objects.get(pk=version.pk),
                           lambda v: v.status == DataVersion.Status.CURRENT)
    assert version.row_count == 3
    assert Notification.objects.filter(key=f"dataversion:{version.pk}:done").count() == 1


def test_reminders_swept_while_redis_is_down_are_emailed_once_it_is_back(
        portal_on_redis, people, conditional_resource, celery_worker_on_portal_redis):  # noqa: F811
    """The issue's case: the sweep commits the reminders while the broker is down; the
    outbox keeps them, and the drain sends each exactly once after Redis returns."""
    server = portal_on_redis
    request = make_request(people.applicant_clerk, conditional_resource,
                           submit_by=people.applicant_admin)
    mail.outbox.clear()
    Notification.objects.update(email_status=Notification.EmailStatus.SENT)
    server.stop()
    report = deadline_sweep(today=request.due_on)  # on commit, the drain kick fails quietly
    swept = Notification.objects.filter(level=Notification.Level.REMINDER)
    assert report["sharing.request"].reminded >= 1 and swept.count() >= 1
    assert set(swept.values_list("email_status", flat=True)) == {"pending"}
    assert mail.outbox == []

    server.start()
    from portal.queue import broker, outbox_flush

    broker.succeed()
    OutboxTask.objects.update(created_at=OutboxTask.objects.first().created_at.replace(year=2000))
    with celery_worker_on_portal_redis():
        outbox_flush()  # the kick queued during the outage, then the periodic drain
        wait_for(lambda: set(swept.values_list("email_status", flat=True)),
                 lambda statuses: statuses == {"sent"})
        notifications_email_drain()
        notifications_email_drain()
    recipients = sorted(m.to[0] for m in mail.outbox)
    expected = sorted(swept.values_list("user__email", flat=True))
    assert recipients == expected  # one email per reminder, none twice
    assert all(n.emailed_at for n in swept)


def wait_for(read, ready, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if ready(value) or time.monotonic() > deadline:
            assert ready(value), value
            return value
        connection.close()
        time.sleep(0.2)

"""Celery round-trips through a real Redis; a redelivered reminder still sends once."""

import logging
import uuid

import pytest
from celery import shared_task
from django.core import mail

from portal.logs import request_id
from portal.models import Notification
from portal.services.inbox import notify
from portal.tasks import notification_email_send, ping
from tests.integration.conftest import needs_redis

pytestmark = [pytest.mark.integration, needs_redis]


def test_task_round_trips_through_redis(celery_worker_on_redis):
    result = ping.delay("你好")
    assert result.get(timeout=30) == "pong:你好"


@pytest.mark.django_db(transaction=True)
def test_duplicate_reminder_deliveries_send_one_email(celery_worker_on_redis, make_user, department):
    user = make_user(department=department)
    [note] = notify(users=[user], key="reminder:integration:1", title="到期提醒")
    # The same message delivered three times (as after a visibility-timeout redelivery).
    results = [notification_email_send.apply_async(args=[note.pk], ignore_result=False)
               for _ in range(3)]
    outcomes = [r.get(timeout=30) for r in results]
    assert outcomes.count(True) <= 1
    note.refresh_from_db()
    assert note.emailed_at is not None
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(user=user, key="reminder:integration:1").count() == 1


@shared_task(ignore_result=False, name="tests.integration.request_id_echo")
def request_id_echo() -> str:
    logging.getLogger("tests.integration").info("task runs")
    return request_id.get()


def test_the_request_id_travels_into_the_worker(celery_worker_on_redis):
    token = request_id.set("req-7f3a9c21")
    try:
        result = request_id_echo.delay()
    finally:
        request_id.reset(token)
    assert result.get(timeout=30) == "req-7f3a9c21"
    assert request_id_echo.delay().get(timeout=30) == ""  # queued outside any request


def test_metrics_report_the_celery_queue_depth(client):
    from portal.celery import app

    queue = f"metrics-test-{uuid.uuid4().hex[:8]}"
    default = app.conf.task_default_queue
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        for _ in range(3):
            app.send_task("portal.tasks.ping", args=["x"], queue=queue)
        body = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
        assert f'portal_celery_queue_depth{{queue="{queue}"}} 3.0' in body
    finally:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)
        app.conf.task_default_queue = default
        app.conf.task_always_eager = True

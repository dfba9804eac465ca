"""Celery round-trips through a real Redis; a redelivered reminder still sends once."""

import pytest
from django.core import mail

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

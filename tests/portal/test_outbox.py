"""P3: every email goes through the outbox and is sent exactly once, whatever was down
when it was written; Celery work queued while the broker is down waits in the task
outbox. (The same with a real Redis stopped and started: tests/integration.)"""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.models import Notification, OutboxTask
from portal.services import outbox
from portal.services.inbox import notify
from portal.services.outbox import notification_email_deliver, notifications_email_drain
from tests.integration.conftest import free_port

pytestmark = pytest.mark.django_db

Status = Notification.EmailStatus


@pytest.fixture
def smtp_down(settings):
    """The SMTP backend pointed at a port where nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2

    def back_up():
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return back_up


def due_now(note):
    Notification.objects.filter(pk=note.pk).update(
        email_next_at=timezone.now() - timedelta(seconds=1))


def test_p3_mail_server_down_retries_later_and_sends_once(
        make_user, department, smtp_down, django_capture_on_commit_callbacks):
    user = make_user(department=department)
    with django_capture_on_commit_callbacks(execute=True):
        [note] = notify(users=[user], key="reminder:x:1", title="即将到期")
    note.refresh_from_db()
    assert note.email_status == Status.PENDING and note.email_attempts == 1
    assert note.email_next_at > timezone.now() and "ConnectionRefused" in note.email_error
    assert note.emailed_at is None

    smtp_down()  # the mail server is back
    assert notifications_email_drain() == {}  # not due yet: it waits for its retry time
    due_now(note)
    assert notifications_email_drain() == {"sent": 1}
    assert notifications_email_drain() == {}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    note.refresh_from_db()
    assert note.email_status == Status.SENT and note.emailed_at and note.email_error == ""
    assert mail.outbox[0].extra_headers["Message-ID"] == outbox.message_id(note)


def test_p3_gives_up_after_the_last_attempt_and_says_so(make_user, department, smtp_down,
                                                        caplog):
    [note] = notify(users=[make_user(department=department)], key="k", title="t")
    for _attempt in range(outbox.MAX_ATTEMPTS):
        due_now(note)
        with caplog.at_level(logging.WARNING):
            notification_email_deliver(notification_id=note.pk)
    note.refresh_from_db()
    assert note.email_status == Status.FAILED and note.email_attempts == outbox.MAX_ATTEMPTS
    assert any(r.levelno == logging.ERROR and "giving up" in r.getMessage()
               for r in caplog.records)
    due_now(note)
    assert notification_email_deliver(notification_id=note.pk) == ""


def test_p3_retry_delays_grow_and_are_capped():
    delays = [outbox._retry_delay(n) for n in range(1, 12)]
    assert delays[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(delays) == timedelta(hours=6) and delays == sorted(delays)


def test_p3_rows_inserted_in_bulk_are_in_the_outbox(make_user, department):
    """A sweep that inserts notifications in bulk (no ``notify``) is covered by the
    column's database default."""
    from portal.services.bulk import Notice, notices_insert

    with_email = make_user(department=department)
    without = make_user(department=department, email="")
    notices_insert([Notice(u.pk, "bulk:1", Notification.Level.REMINDER, "提醒", "", "")
                    for u in (with_email, without)])
    assert set(Notification.objects.values_list("email_status", flat=True)) == {Status.PENDING}
    assert notifications_email_drain() == {"sent": 1, "skipped": 1}
    assert [m.to for m in mail.outbox] == [[with_email.email]]


def test_p3_a_drain_that_died_mid_send_is_taken_over_only_after_the_claim_timeout(
        make_user, department):
    [note] = notify(users=[make_user(department=department)], key="k", title="t")
    mail.outbox.clear()
    Notification.objects.filter(pk=note.pk).update(
        email_status=Status.SENDING, email_claimed_at=timezone.now())
    assert notifications_email_drain() == {}  # another drain is sending it
    Notification.objects.filter(pk=note.pk).update(
        email_claimed_at=timezone.now() - outbox.CLAIM_TIMEOUT - timedelta(seconds=1))
    assert notifications_email_drain() == {"sent": 1} and len(mail.outbox) == 1


def test_p3_one_claim_wins(make_user, department):
    [note] = notify(users=[make_user(department=department)], key="k", title="t")
    Notification.objects.filter(pk=note.pk).update(email_status=Status.PENDING)
    mail.outbox.clear()
    outcomes = [notification_email_deliver(notification_id=note.pk) for _ in range(3)]
    assert outcomes == [Status.SENT, "", ""] and len(mail.outbox) == 1


@pytest.fixture
def real_publishing():
    """Tasks published to a broker (not run eagerly), with a fresh breaker."""
    from portal import queue
    from portal.celery import app

    previous = app.conf.broker_url, app.conf.task_always_eager
    app.conf.task_always_eager = False

    def broker(url):
        app.conf.broker_url = url
        app._pool = None
        if "amqp" in app.__dict__:
            app.amqp._producer_pool = None
        queue.broker.succeed()

    yield broker
    app.conf.broker_url, app.conf.task_always_eager = previous
    broker(previous[0])


def test_work_queued_while_the_broker_is_down_waits_in_the_outbox(
        real_publishing, make_user, department, django_capture_on_commit_callbacks, caplog):
    from portal.queue import outbox_flush
    from portal.tasks import notification_email_send

    real_publishing(f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            notification_email_send.delay_on_commit(n)
    assert OutboxTask.objects.count() == 3  # nothing raised into the caller
    assert sum("Broker unreachable" in r.getMessage() for r in caplog.records) == 1

    real_publishing("memory://")  # the broker is back
    assert outbox_flush() == 0  # rows younger than FLUSH_MIN_AGE belong to their writer
    OutboxTask.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert outbox_flush() == 3 and OutboxTask.objects.count() == 0

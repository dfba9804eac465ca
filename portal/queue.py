"""Queuing Celery work so that a broker outage delays it and loses nothing.

Every task of the portal is a ``PortalTask`` (the Celery app's task class). Its
``delay_on_commit`` writes an ``OutboxTask`` row in the caller's transaction and publishes
it once the transaction commits; the row goes when the broker has the message. When the
broker cannot be reached the row stays, a warning is logged once, the caller carries on
(the page or API answers normally), and ``outbox_flush`` — run every minute by beat —
publishes what is left once the broker is back. A message may thus be published twice
(the broker took it but the row was not yet deleted): tasks are idempotent anyway.

In eager mode (tests, ``CELERY_TASK_ALWAYS_EAGER``) tasks run at commit, as before.
"""

import functools
import logging
import threading
import time
from datetime import timedelta

from celery.contrib.django.task import DjangoTask
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

BROKER_ERRORS = (KombuOperationalError, RedisError, OSError)
# After a failed publish, do not try the broker again for this long (keeps pages fast).
BROKER_RETRY_SECONDS = 10.0
# The flush leaves rows younger than this to the publisher that wrote them.
FLUSH_MIN_AGE = timedelta(seconds=15)
FLUSH_BATCH = 500
# Publishing gives up quickly; the outbox is the retry.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                        "interval_max": 0.2}


class _Breaker:
    """Whether the broker failed recently (per process)."""

    def __init__(self) -> None:
        self.down_until = 0.0
        self.error = ""
        self._lock = threading.Lock()

    @property
    def open(self) -> bool:
        return self.down_until > time.monotonic()

    def fail(self, exc: Exception) -> bool:
        """Record a failure; True when this is news (the broker was thought up)."""
        with self._lock:
            news = not self.error
            self.down_until = time.monotonic() + BROKER_RETRY_SECONDS
            self.error = f"{type(exc).__name__}: {exc}"[:300]
        return news

    def succeed(self) -> bool:
        with self._lock:
            news = bool(self.error)
            self.down_until, self.error = 0.0, ""
        return news


broker = _Breaker()


class PortalTask(DjangoTask):
    """Celery task whose ``delay_on_commit`` goes through the task outbox."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        self.apply_async_on_commit(args, kwargs)

    def apply_async_on_commit(self, args=None, kwargs=None, **options) -> None:
        if self.app.conf.task_always_eager:
            transaction.on_commit(functools.partial(self.apply_async, args, kwargs, **options))
            return
        from portal.models import OutboxTask

        row = OutboxTask.objects.create(task=self.name, args=list(args or ()),
                                        kwargs=dict(kwargs or {}), options=options)
        transaction.on_commit(functools.partial(outbox_publish, [row.pk]))


def _publish(app, row) -> bool:
    """Hand one outbox row to the broker; False (and nothing raised) when it is down."""
    if broker.open:
        return False
    try:
        app.send_task(row.task, args=row.args, kwargs=row.kwargs, retry=True,
                      retry_policy=PUBLISH_RETRY_POLICY, **row.options)
    except BROKER_ERRORS as exc:
        if broker.fail(exc):
            logger.warning("Broker unreachable (%s): queued work stays in the outbox and is "
                           "published when it is back.", broker.error)
        type(row).objects.filter(pk=row.pk).update(attempts=row.attempts + 1,
                                                  last_error=broker.error)
        return False
    if broker.succeed():
        logger.warning("Broker reachable again: publishing the outbox.")
    type(row).objects.filter(pk=row.pk).delete()
    return True


def outbox_publish(pks: list[int]) -> int:
    """Publish these outbox rows now (called on commit). Returns how many went out."""
    from portal.celery import app
    from portal.models import OutboxTask

    return sum(_publish(app, row) for row in OutboxTask.objects.filter(pk__in=pks))


def outbox_flush(*, batch: int = FLUSH_BATCH) -> int:
    """Publish rows left behind by an outage, oldest first; stops while the broker is down."""
    from portal.celery import app
    from portal.models import OutboxTask

    sent = 0
    cutoff = timezone.now() - FLUSH_MIN_AGE
    while True:
        with transaction.atomic():
            rows = list(OutboxTask.objects.select_for_update(skip_locked=True)
                        .filter(created_at__lt=cutoff).order_by("pk")[:batch])
            for row in rows:
                if not _publish(app, row):
                    return sent
                sent += 1
        if len(rows) < batch:
            return sent

"""The email outbox (P3): every email the portal sends is a ``Notification`` row, and this
module is the only code that sends one.

A row starts ``pending`` (a database default, so bulk inserts by any sweep are covered).
``notification_email_deliver`` claims it with one conditional UPDATE (``pending`` →
``sending``: two drains never both get it, on any database, without holding a lock while
the mail server answers), sends, and records ``sent``. A failed send goes back to
``pending`` with a growing delay and becomes ``failed`` after ``MAX_ATTEMPTS``. A drain
killed between claim and record leaves ``sending``; after ``CLAIM_TIMEOUT`` the row is
taken again. That one window is the only way a message can go out twice, and both copies
carry the same Message-ID so mail clients show one.

``notifications_email_drain`` (every minute from beat, and kicked after each notify)
sends whatever is due, however long the broker or the mail server was away.
"""

import logging
import time
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.utils import timezone

from portal.conf import portal_setting
from portal.models import Notification

logger = logging.getLogger(__name__)

Status = Notification.EmailStatus

MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = timedelta(minutes=10)
MAX_DELAY_MINUTES = 6 * 60
DRAIN_BATCH = 200


def _retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after the first, second, third failure, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), MAX_DELAY_MINUTES))


def _due(now) -> Q:
    pending = Q(email_status=Status.PENDING) & (
        Q(email_next_at__isnull=True) | Q(email_next_at__lte=now))
    abandoned = Q(email_status=Status.SENDING, email_claimed_at__lt=now - CLAIM_TIMEOUT)
    return pending | abandoned


def message_id(note: Notification) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<notification-{note.pk}-{int(note.created_at.timestamp())}@{domain}>"


def _message(note: Notification) -> EmailMessage:
    body = note.body
    if note.url:
        body = f"{body}\n\n{note.url}".strip()
    return EmailMessage(subject=f"[{portal_setting('NAME')}] {note.title}", body=body,
                        to=[note.user.email], headers={"Message-ID": message_id(note)})


def notification_email_deliver(*, notification_id: int) -> str:
    """Send one notification's email if it is due; returns the status it ends in, or
    ``""`` when another drain has it or it was already settled."""
    now = timezone.now()
    claimed = (Notification.objects.filter(_due(now), pk=notification_id)
               .update(email_status=Status.SENDING, email_claimed_at=now))
    if not claimed:
        return ""
    note = Notification.objects.select_related("user").get(pk=notification_id)
    if not note.user.email or not note.user.is_active:
        Notification.objects.filter(pk=note.pk).update(email_status=Status.SKIPPED,
                                                       email_claimed_at=None)
        return Status.SKIPPED
    try:
        _message(note).send()
    except Exception as exc:  # noqa: BLE001 - any failure of the mail server is retried
        return _failed(note, exc)
    Notification.objects.filter(pk=note.pk).update(
        email_status=Status.SENT, emailed_at=timezone.now(), email_claimed_at=None,
        email_attempts=note.email_attempts + 1, email_error="")
    return Status.SENT


def _failed(note: Notification, exc: Exception) -> str:
    attempts = note.email_attempts + 1
    error = f"{type(exc).__name__}: {exc}"[:300]
    if attempts >= MAX_ATTEMPTS:
        status, next_at = Status.FAILED, None
        logger.error("Email of notification %s failed %d times, giving up: %s", note.pk,
                     attempts, error)
    else:
        status, next_at = Status.PENDING, timezone.now() + _retry_delay(attempts)
        logger.warning("Email of notification %s failed (%s); retrying at %s", note.pk,
                       error, next_at.isoformat(timespec="seconds"))
    Notification.objects.filter(pk=note.pk).update(
        email_status=status, email_attempts=attempts, email_next_at=next_at,
        email_claimed_at=None, email_error=error)
    return status


def notifications_email_drain(*, time_budget: float = 50.0) -> dict[str, int]:
    """Send every due email, oldest first, for at most ``time_budget`` seconds.

    Returns counts per outcome and ``left`` (still due when the budget ran out).
    """
    started = time.monotonic()
    outcome: dict[str, int] = {}
    while True:
        due = list(Notification.objects.filter(_due(timezone.now()))
                   .order_by("pk").values_list("pk", flat=True)[:DRAIN_BATCH])
        for pk in due:
            if time.monotonic() - started > time_budget:
                outcome["left"] = Notification.objects.filter(_due(timezone.now())).count()
                return outcome
            status = notification_email_deliver(notification_id=pk)
            if status:
                outcome[status] = outcome.get(status, 0) + 1
        if len(due) < DRAIN_BATCH:
            return outcome


def outbox_backlog() -> dict[str, object]:
    """What waits in the email outbox: due messages and the age of the oldest (for
    ``/readyz``)."""
    due = Notification.objects.filter(_due(timezone.now()))
    oldest = due.order_by("created_at").values_list("created_at", flat=True).first()
    return {"due": due.count(),
            "oldest_seconds": int((timezone.now() - oldest).total_seconds()) if oldest else 0}

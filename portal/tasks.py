"""Celery tasks of the platform core.

Pattern for every task in the portal: take ids, not objects; look the row up again;
do the work inside a transaction that first checks whether it was already done, so a
redelivered or retried task (``acks_late``) never repeats a side effect.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from portal.models import AuditEvent, CalendarYear, Notification
from portal.services.calendar import calendar_alert_missing


@shared_task(ignore_result=False)
def ping(value: str) -> str:
    """Round-trip check of the broker and result backend."""
    return f"pong:{value}"


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def notification_email_send(self, notification_id: int) -> bool:
    """Email one notification, at most once."""
    with transaction.atomic():
        note = (
            Notification.objects.select_for_update()
            .select_related("user")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if note is None or not note.user.email:
            return False
        body = note.body
        if note.url:
            body = f"{body}\n\n{note.url}".strip()
        try:
            send_mail(f"[{settings.PORTAL_NAME}] {note.title}", body, None, [note.user.email])
        except OSError as exc:  # SMTP down: retry later, nothing recorded yet
            raise self.retry(exc=exc) from exc
        note.emailed_at = timezone.now()
        note.save(update_fields=["emailed_at"])
    return True


@shared_task
def audit_prune() -> int:
    """Delete audit events older than the retention period (at least 6 months, P2)."""
    cutoff = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted


@shared_task
def calendar_coverage_check() -> list[int]:
    """Raise an admin alert when next year's holidays are not in the calendar by November."""
    today = timezone.localdate()
    years = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    known = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    missing = [y for y in years if y not in known]
    for year in missing:
        calendar_alert_missing(year=year)
    return missing


@shared_task
def deadlines_sweep() -> dict[str, dict[str, int]]:
    """Daily: remind before and escalate after every registered deadline (P3)."""
    from portal.deadlines import deadlines_sweep as sweep

    return {name: vars(report) for name, report in sweep().items()}


@shared_task
def notifications_email(keys: list[str]) -> int:
    """Queue the email of each notification a sweep created under ``keys`` (each is sent
    at most once by :func:`notification_email_send`)."""
    pending = list(Notification.objects.filter(key__in=keys, emailed_at__isnull=True)
                   .exclude(user__email="").values_list("pk", flat=True))
    for pk in pending:
        notification_email_send.delay(pk)
    return len(pending)

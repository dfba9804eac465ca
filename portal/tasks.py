"""Celery tasks of the platform core.

Pattern for every task in the portal: take ids, not objects; look the row up again;
do the work inside a transaction that first checks whether it was already done, so a
redelivered or retried task (``acks_late``) never repeats a side effect.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from portal.models import AuditEvent, CalendarYear
from portal.services.calendar import calendar_alert_missing


@shared_task(ignore_result=False)
def ping(value: str) -> str:
    """Round-trip check of the broker and result backend."""
    return f"pong:{value}"


@shared_task
def notification_email_send(notification_id: int) -> bool:
    """Email one notification now if it is still due (the drain catches anything missed)."""
    from portal.services.outbox import notification_email_deliver

    return notification_email_deliver(notification_id=notification_id) == "sent"


@shared_task
def notifications_email_drain() -> dict[str, int]:
    """Every minute: send every email the outbox holds that is due (P3)."""
    from portal.services.outbox import notifications_email_drain as drain

    return drain()


@shared_task
def outbox_flush() -> int:
    """Every minute: publish Celery work queued while the broker was unreachable."""
    from portal.queue import outbox_flush as flush

    return flush()


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

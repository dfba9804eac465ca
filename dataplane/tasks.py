"""Celery tasks of the data plane: take ids, call services, safe to run twice."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .services.monitoring import monitor_sweep, usage_reports_build
from .services.versions import version_process, versions_overdue_notify, versions_recover


@shared_task(acks_late=True)
def version_process_task(version_id: int) -> str:
    """Validate and convert one uploaded data version (S9)."""
    version = version_process(version_id=version_id)
    return version.status if version is not None else "skipped"


@shared_task
def accesslog_checkpoint_task() -> int | None:
    """Every few minutes: a signed checkpoint of the access log, outside the database."""
    from .services.accesslog import accesslog_checkpoint

    checkpoint = accesslog_checkpoint()
    return checkpoint.seq if checkpoint else None


@shared_task
def versions_recover_task() -> list[int]:
    """Every minute: queue again uploads whose worker died or whose task was lost (S9)."""
    return versions_recover()


@shared_task
def monitor_sweep_task() -> int:
    """Flag anomalies of the last full hour (S13)."""
    return len(monitor_sweep())


@shared_task
def usage_reports_task() -> int:
    """Write last month's usage report of every active department (S13)."""
    first = timezone.localdate().replace(day=1)
    return len(usage_reports_build(month=first - timedelta(days=1)))


@shared_task
def versions_overdue_task() -> int:
    """Remind providers whose data is older than the update cycle (S9, HN-39(4))."""
    return versions_overdue_notify()

"""Celery tasks of the catalog: ids in, services called, safe to run twice."""

from celery import shared_task

from .models import ImportJob


@shared_task
def census_reminders() -> int:
    """Daily: remind departments that have not finished the annual census (C8)."""
    from .services import census_remind

    return census_remind()


@shared_task
def import_job_run(job_id: int) -> str:
    """Parse, validate and (when every row is valid) import one uploaded file (C10)."""
    from .services.imports import import_job_run_now

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    return import_job_run_now(job).status


@shared_task
def search_reindex(resource_ids: list[int]) -> int:
    """Recompute the search columns of some entries (e.g. after a department is renamed)."""
    from portal.search import search_index_update

    from .models import Resource

    return search_index_update(Resource.objects.filter(pk__in=resource_ids).select_related("provider"))


@shared_task
def cascade_pull_task(source_id: int) -> str:
    """Pull one lower platform's catalog changes (safe to repeat: entries are matched by
    their remote id)."""
    from .cascade.services import cascade_pull

    return cascade_pull(source_id=source_id).status


@shared_task
def cascade_sweep() -> int:
    """Queue a pull for every lower platform due by its interval (beat, hourly)."""
    from .cascade.services import cascade_due

    due = cascade_due()
    for source_id in due:
        cascade_pull_task.delay(source_id)
    return len(due)

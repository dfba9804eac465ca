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

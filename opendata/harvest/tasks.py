"""Celery tasks of harvesting: the periodic sweep queues due sources; a job runs once."""

from celery import shared_task


@shared_task
def harvest_job_run_task(job_id: int) -> str:
    """Run one harvest job (a second delivery finds it no longer queued and returns)."""
    from .services import harvest_job_run

    return harvest_job_run(job_id=job_id).status


@shared_task
def harvest_due_sweep() -> int:
    """Queue a job for each source due by its schedule (beat, every 15 minutes)."""
    from .services import harvest_due

    return len(harvest_due())

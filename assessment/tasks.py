"""Celery tasks of the assessment: take ids, are idempotent, call services."""

from celery import shared_task

from assessment.models import ComputationRun, Plan


@shared_task
def plan_compute_task(run_id: int) -> str:
    """Carry out one queued computation (a finished run is left as it is)."""
    from assessment.services.compute import plan_compute

    return plan_compute(run_id=run_id).status


@shared_task
def plans_recompute() -> int:
    """Nightly: recompute every plan in progress so dashboards follow the platform data."""
    from assessment.services.compute import plan_compute

    runs = [ComputationRun.objects.create(plan=plan) for plan in
            Plan.objects.filter(status=Plan.Status.ACTIVE)]
    for run in runs:
        plan_compute(run_id=run.pk)
    return len(runs)


@shared_task
def annual_reports_sweep() -> dict[str, int]:
    """Daily: draft annual sharing reports in January, remind, flag overdue ones (A6)."""
    from assessment.services.annual_reports import annual_reports_sweep as sweep

    return sweep()

"""Celery tasks of open data: ids in, services do the work, safe to run twice."""

from celery import shared_task

from .harvest.tasks import harvest_due_sweep, harvest_job_run_task  # noqa: F401 (registered)
from .services.datasets import datasets_open_type_sync, datasets_withdraw_unopenable
from .services.distributions import dataset_data_generate as _generate
from .services.distributions import datasets_mark_for_refresh
from .services.products import usage_reports_due


@shared_task
def dataset_data_generate(dataset_id: int) -> bool:
    """Generate the masked snapshot and files of one dataset (O3); failures are recorded
    on the dataset and reported to the department, not retried blindly."""
    return _generate(dataset_id=dataset_id)


@shared_task
def data_refresh_sweep() -> int:
    """Follow the catalog (close what it closed) and regenerate data from new versions."""
    datasets_withdraw_unopenable()
    datasets_open_type_sync()
    ids = datasets_mark_for_refresh()
    for dataset_id in ids:
        dataset_data_generate.delay(dataset_id)
    return len(ids)


@shared_task
def usage_report_reminders() -> int:
    return usage_reports_due()

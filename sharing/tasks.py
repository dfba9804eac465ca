"""Celery tasks of sharing: ids in, services do the work, safe to run twice."""

from celery import shared_task


@shared_task
def negative_list_review() -> int | None:
    """Monthly: open a review round for the negative list's problems (S11)."""
    from .services.negative_list import negative_list_periodic_review

    review_round = negative_list_periodic_review()
    return review_round.pk if review_round else None


@shared_task
def gateway_health_sweep() -> int:
    """Every few minutes: check each enabled data service (S9, S13)."""
    from .gateway.health import health_sweep

    return health_sweep()

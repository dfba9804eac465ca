"""Celery tasks of sharing: ids in, services do the work, safe to run twice."""

from celery import shared_task


@shared_task
def deadline_sweep() -> dict[str, dict[str, int]]:
    """Daily: remind before and escalate after every sharing deadline (S3, S7, S8)."""
    from .services.deadlines import deadline_sweep as sweep

    return {name: vars(report) for name, report in sweep().items()}


@shared_task
def notifications_email(notification_ids: list[int]) -> int:
    """Queue the email of each notification a sweep created (each is sent at most once)."""
    from portal.tasks import notification_email_send

    for pk in notification_ids:
        notification_email_send.delay(pk)
    return len(notification_ids)


@shared_task
def grant_expiry_sweep() -> dict[str, int]:
    """Daily: remind holders before a grant expires; remove the permissions of expired
    grants (S5)."""
    from .services.grants import grants_expiry_sweep

    return grants_expiry_sweep()


@shared_task
def negative_list_review() -> int | None:
    """Monthly: open a review round for the negative list's problems (S11)."""
    from .services.negative_list import negative_list_periodic_review

    review_round = negative_list_periodic_review()
    return review_round.pk if review_round else None

"""Celery tasks of sharing: ids in, services do the work, safe to run twice."""

from celery import shared_task


@shared_task
def deadline_sweep() -> dict[str, dict[str, int]]:
    """Daily: remind before and escalate after every sharing deadline (S3, S7, S8)."""
    from .services.deadlines import deadline_sweep as sweep

    return {name: vars(report) for name, report in sweep().items()}


@shared_task
def notifications_email(keys: list[str]) -> int:
    """Queue the email of each notification a sweep created under ``keys`` (the portal's
    task sends each at most once)."""
    from portal.models import Notification
    from portal.tasks import notification_email_send

    pending = list(Notification.objects.filter(key__in=keys, emailed_at__isnull=True)
                   .exclude(user__email="").values_list("pk", flat=True))
    for pk in pending:
        notification_email_send.delay(pk)
    return len(pending)


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

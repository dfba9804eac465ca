"""The work inbox and notifications (P3): the one way other apps reach a user.

``inbox_add`` opens a task for users, ``inbox_close`` closes it, and ``notify`` sends a
message in the portal and by email (through the outbox, ``portal.services.outbox``).
Every call carries a ``key``: calling again with the same key does nothing, so a retried
Celery task never sends a reminder twice.
"""

from collections.abc import Iterable
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from portal.models import InboxItem, Notification, User


def _target_fields(target: models.Model | None) -> dict:
    if target is None:
        return {"target_type": None, "target_id": ""}
    return {
        "target_type": ContentType.objects.get_for_model(target, for_concrete_model=False),
        "target_id": str(target.pk),
    }


@transaction.atomic
def notify(
    *,
    users: Iterable[User],
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    level: str = Notification.Level.INFO,
) -> list[Notification]:
    """Send a notification once per (user, key). Returns the notifications created now."""
    from portal.tasks import notification_email_send

    created = []
    for user in {u.pk: u for u in users}.values():
        email = Notification.EmailStatus.PENDING if user.email else Notification.EmailStatus.SKIPPED
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    user=user, key=key[:160], level=level, title=title[:200], body=body,
                    url=url, email_status=email)
        except IntegrityError:
            continue  # already sent under this key
        created.append(note)
        if email == Notification.EmailStatus.PENDING:
            # The row is the outbox: this only makes delivery prompt.
            notification_email_send.delay_on_commit(note.pk)
    return created


@transaction.atomic
def inbox_add(
    *,
    users: Iterable[User],
    key: str,
    title: str,
    url: str = "",
    due_on: date | None = None,
    target: models.Model | None = None,
    rule=None,
) -> list[InboxItem]:
    """Open a pending task for each user (once per key) and notify them of it. ``rule``
    (a :class:`portal.rules.Rule`) is the rule that set ``due_on``, shown beside it."""
    users = list({u.pk: u for u in users}.values())
    existing = set(
        InboxItem.objects.filter(user__in=users, key=key).values_list("user_id", flat=True)
    )
    items = [
        InboxItem.objects.create(user=user, key=key, title=title[:200], url=url, due_on=due_on,
                                 rule_version_id=rule.version_id if rule else None,
                                 due_rule=rule.ref if rule else "", **_target_fields(target))
        for user in users if user.pk not in existing
    ]
    body = f"办理期限：{due_on:%Y-%m-%d}" if due_on else ""
    notify(users=[i.user for i in items], key=f"task:{key}", title=title, body=body, url=url,
           level=Notification.Level.TASK)
    return items


@transaction.atomic
def inbox_keep(*, users: Iterable[User], key: str, title: str, url: str = "",
               pending: bool) -> None:
    """Keep one open task under ``key`` while ``pending``, its title kept current (e.g. a
    count), and close it when no longer pending. Unlike :func:`inbox_add` the task may open
    again later: each opening is a new task under ``key#n``."""
    tasks = InboxItem.objects.filter(key__startswith=f"{key}#")
    open_tasks = tasks.filter(done_at__isnull=True)
    if not pending:
        open_tasks.update(done_at=timezone.now())
        return
    if open_tasks.exists():
        open_tasks.exclude(title=title[:200]).update(title=title[:200])
        return
    opening = tasks.values("key").distinct().count() + 1
    inbox_add(users=users, key=f"{key}#{opening}", title=title, url=url)


def inbox_close(*, key: str, user: User | None = None, every_round: bool = False) -> int:
    """Mark the task(s) under ``key`` done (for everyone, or one user); with
    ``every_round`` also those keyed ``key:<round>`` (one task per round, e.g. per return).
    Returns how many."""
    keys = Q(key=key) | Q(key__startswith=f"{key}:") if every_round else Q(key=key)
    items = InboxItem.objects.filter(keys, done_at__isnull=True)
    if user is not None:
        items = items.filter(user=user)
    return items.update(done_at=timezone.now())


def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    notes = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        notes = notes.filter(pk__in=list(notification_ids))
    return notes.update(read_at=timezone.now())

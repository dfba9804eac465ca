"""Steps with deadlines (S3, S7, S8) and the one reminder and escalation sweep.

A service opens a step with :func:`step_open` (due date in working days, inbox items for
who must act) and closes it with :func:`step_close`. The sweep, run daily by Celery,
reads each kind of row through its partial index on ``due_on``: one query per reminder
level and one for escalation, then one bulk insert of the notifications and one update
marking the rows — a constant number of queries however many rows are open. Every
notification carries a key (row, step, level) and every row a marker, so running the
sweep twice sends nothing twice.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from portal.models import Notification, RoleAssignment, User
from portal.models.accounts import PLATFORM_ROLES
from portal.services.inbox import inbox_add, inbox_close
from portal.workdays import add_working_days

from ..models.deadlines import DeadlineFields
from ..pipeline import reminder_levels
from .bulk import Notice, notices_insert, rows_mark

# Who: a role, inside one department (its id) or platform-wide (None).
Audience = tuple[str, int | None]


@dataclass(frozen=True)
class SweepKind:
    """One kind of row with deadlines, as the sweep sees it (rows are ``values()`` dicts)."""

    name: str
    model: type[DeadlineFields]
    fields: tuple[str, ...]
    responsible: Callable[[dict], list[Audience]]
    escalate_to: Callable[[dict], list[Audience]]
    describe: Callable[[dict, dict], str]   # (row, names) → how the row is named
    names: Callable[[], dict]               # the translated names, fetched once per batch
    url_name: str

    def url(self, pk: int) -> str:
        """The row's page (the URL pattern is reversed once, not once per row)."""
        return _url_template(self.url_name).replace(_PK_MARK, str(pk))


_PK_MARK = "2147483647"


@lru_cache(maxsize=16)
def _url_template(name: str) -> str:
    return reverse(name, args=[int(_PK_MARK)])


def step_key(kind: str, pk: int, step_seq: int) -> str:
    return f"sharing:{kind}:{pk}:s{step_seq}"


def audience_users(audiences: Iterable[Audience]) -> list[User]:
    """The active users of the audiences (one query)."""
    condition = Q()
    for role, department_id in set(audiences):
        condition |= (Q(role_assignments__role=role, department_id=department_id)
                      if department_id is not None else Q(role_assignments__role=role))
    if not condition:
        return []
    return list(User.objects.filter(condition, is_active=True).distinct())


def step_open(*, kind: SweepKind, obj: DeadlineFields, due_on: date, title: str,
              status: str | None = None) -> None:
    """Start a new step of ``obj`` due on ``due_on``; put it in the actors' inboxes.

    ``status`` is the status the step belongs to when the caller moves ``obj`` there
    right after (through ``transition_apply``, which saves ``obj`` in the same
    transaction).
    """
    if obj.due_on is not None:
        inbox_close(key=step_key(kind.name, obj.pk, obj.step_seq))
    obj.due_on, obj.step_seq = due_on, obj.step_seq + 1
    obj.reminded_level = obj.escalated_on = None
    row = {"pk": obj.pk, **{f: _value(obj, f) for f in kind.fields}}
    if status is not None:
        row["status"] = status
    users = audience_users(kind.responsible(row))
    inbox_add(users=users, key=step_key(kind.name, obj.pk, obj.step_seq), title=title,
              url=kind.url(obj.pk), due_on=due_on, target=obj)


def step_close(*, kind: SweepKind, obj: DeadlineFields) -> None:
    """The current step is done: close its inbox items; no more reminders."""
    if obj.due_on is not None:
        inbox_close(key=step_key(kind.name, obj.pk, obj.step_seq))
    obj.due_on = obj.reminded_level = obj.escalated_on = None


def _value(obj: models.Model, path: str):
    """``obj``'s value at a ``values()`` path such as ``provider_id`` or ``resource__name``."""
    value = obj
    for part in path.split("__"):
        value = getattr(value, part)
        if value is None:
            return None
    return value


# -- the sweep ---------------------------------------------------------------------------

@dataclass
class SweepReport:
    reminded: int = 0
    escalated: int = 0
    notifications: int = 0


def _recipients(rows: list[dict], audiences_of: Callable[[dict], list[Audience]]
                ) -> dict[Audience, list[int]]:
    """Users per audience for all ``rows`` (one query)."""
    wanted = {a for row in rows for a in audiences_of(row)}
    if not wanted:
        return {}
    roles = {role for role, _d in wanted}
    departments = {d for _r, d in wanted if d is not None}
    assignments = RoleAssignment.objects.filter(role__in=roles, user__is_active=True).filter(
        Q(role__in=PLATFORM_ROLES) | Q(user__department_id__in=departments))
    found: dict[Audience, list[int]] = defaultdict(list)
    for user_id, role, department_id in assignments.values_list("user_id", "role",
                                                                 "user__department_id"):
        audience = (role, None) if role in PLATFORM_ROLES else (role, department_id)
        found[audience].append(user_id)
    return found


# Notification keys per email task.
EMAIL_CHUNK = 2000


@lru_cache(maxsize=8)
def _titles(language: str) -> dict[str, str]:
    """The notification texts in ``language``, translated once per sweep, not per row."""
    with translation.override(language):
        return {
            "escalation": gettext("【超期督办】%(what)s 已超过办理期限 %(due)s"),
            "reminder": gettext("【即将到期】%(what)s 须于 %(due)s 前办理（提前 %(n)d 个工作日提醒）"),
            "body": gettext("办理期限：%(due)s"),
        }


def titles() -> dict[str, str]:
    return _titles(translation.get_language() or settings.LANGUAGE_CODE)


def _notices(kind: SweepKind, rows: list[dict], audiences_of, key_suffix: str,
             title: str, level: str, **extra) -> list[Notice]:
    recipients = _recipients(rows, audiences_of)
    body, names = titles()["body"], kind.names()
    notices = []
    for row in rows:
        key = f"{step_key(kind.name, row['pk'], row['step_seq'])}:{key_suffix}"
        text = (title % {"what": kind.describe(row, names), "due": row["due_on"], **extra})[:200]
        url, due = kind.url(row["pk"]), body % {"due": row["due_on"]}
        user_ids = {u for a in audiences_of(row) for u in recipients.get(a, [])}
        notices += [Notice(u, key, level, text, due, url) for u in sorted(user_ids)]
    return notices


def _rows(kind: SweepKind, condition: Q) -> list[dict]:
    return list(kind.model.objects.filter(condition)
                .values("pk", "step_seq", "due_on", *kind.fields))


def sweep_kind(kind: SweepKind, today: date) -> tuple[SweepReport, list[Notice]]:
    """Escalate the overdue rows of ``kind`` and remind the ones due soon."""
    report, notes = SweepReport(), []
    overdue = _rows(kind, Q(due_on__lt=today, escalated_on__isnull=True))
    if overdue:
        notes += _notices(kind, overdue, lambda r: kind.responsible(r) + kind.escalate_to(r),
                          "escalation", titles()["escalation"], Notification.Level.ESCALATION)
        rows_mark(kind.model, [r["pk"] for r in overdue], escalated_on=today)
        report.escalated = len(overdue)
    for level in reminder_levels():
        horizon = add_working_days(today, level)
        due_soon = _rows(kind, Q(due_on__gte=today, due_on__lte=horizon)
                         & (Q(reminded_level__isnull=True) | Q(reminded_level__gt=level)))
        if not due_soon:
            continue
        notes += _notices(kind, due_soon, kind.responsible, f"reminder:{level}",
                          titles()["reminder"], Notification.Level.REMINDER, n=level)
        rows_mark(kind.model, [r["pk"] for r in due_soon], reminded_level=level)
        report.reminded += len(due_soon)
    return report, notes


@transaction.atomic
def deadline_sweep(*, today: date | None = None) -> dict[str, SweepReport]:
    """Remind and escalate every kind; the notifications go out in one bulk insert."""
    from ..tasks import notifications_email
    from .kinds import ALL_KINDS

    today = today or timezone.localdate()
    reports, notes = {}, []
    for kind in ALL_KINDS:
        reports[kind.name], kind_notes = sweep_kind(kind, today)
        notes += kind_notes
        reports[kind.name].notifications = len(kind_notes)
    if notes:
        notices_insert(notes)
        keys = sorted({n.key for n in notes})
        # Emails go out in the background (one task per chunk of keys): the sweep itself
        # stays at a constant number of queries.
        for start in range(0, len(keys), EMAIL_CHUNK):
            chunk = keys[start:start + EMAIL_CHUNK]
            transaction.on_commit(lambda chunk=chunk: notifications_email.delay(chunk))
    return reports

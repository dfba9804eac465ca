"""Deadlines, reminders and escalation: one mechanism for every app (S3, S5, S7, S8, C7,
O2, O5, A5, A7, P3).

An app describes each kind of row that has deadlines as a :class:`DeadlineKind` and
registers it in its ``AppConfig.ready`` (:func:`deadline_kinds_register`). A service opens
a step with :func:`step_open` (due date, inbox items for who must act) or
:func:`deadline_start` (due date only, when the app keeps its own inbox task), and
closes it with :func:`step_close`.

One daily sweep (:func:`deadlines_sweep`, the Celery task ``portal.tasks.deadlines_sweep``)
reads each kind's open rows by their due date: one query for the reminders (each row at
the level its own pack version gives it) and one for escalation, one query for the
recipients of each batch, one update marking the rows, and one bulk insert of all
notifications — a constant number of queries however many rows are open and however
many packs, with whatever reminder days, timed them. Every notification carries a key (row, step, level) and every row a marker
(:class:`portal.models.deadlines.DeadlineMarkers`), so running the sweep twice sends
nothing twice. A kind whose escalation changes state (a rectification notice becomes
escalated, an expired grant loses its permissions) does that in its ``on_escalated``
hook, inside the sweep's transaction.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from portal.models import Notification, Region, RoleAssignment, RulePackVersion, User
from portal.models.accounts import PLATFORM_ROLES
from portal.rules import Rule, region_rules
from portal.services.bulk import Notice, notices_insert, rows_mark, rows_mark_each
from portal.services.inbox import inbox_add, inbox_close
from portal.workdays import WorkingCalendar, add_working_days


class Audience(NamedTuple):
    """Who hears of a step: holders of ``role`` inside one department; platform-wide
    (``department_id`` None); or, with ``region_id``, the holders without a department
    and those of the region and the regions above it (a level's own authority)."""

    role: str
    department_id: int | None = None
    region_id: int | None = None


def _no_names() -> dict:
    return {}


@dataclass(frozen=True)
class DeadlineKind:
    """One kind of row with deadlines, as the sweep sees it (rows are ``values()`` dicts
    with ``pk``, ``step_seq``, ``due_on`` and the kind's ``fields``)."""

    app: str
    name: str
    model: type[models.Model]
    responsible: Callable[[dict], list[Audience]]   # reminded before the due date
    escalate_to: Callable[[dict], list[Audience]]   # told when the step is overdue
    describe: Callable[[dict, dict], str]           # (row, names) → how the row is named
    reminder_rule: str                              # pack rule: working days before the due date
    url_name: str = ""                              # reversed with the row's pk …
    url_of: Callable[[dict], str] | None = None     # … or the row's page from its fields
    names: Callable[[], dict] = _no_names           # translated names, fetched once a batch
    fields: tuple[str, ...] = ()
    due_field: str = "due_on"
    open: Q = field(default_factory=Q)              # rows whose step is open (besides a due date)
    texts: Callable[[], dict] | None = None         # the kind's own reminder/escalation titles
    escalation_level: str = Notification.Level.ESCALATION
    escalate_values: Callable[[date], dict] | None = None   # more columns set on escalation
    on_escalated: Callable[[list[dict], date], None] | None = None

    @property
    def label(self) -> str:
        return f"{self.app}.{self.name}"

    def url(self, pk: int) -> str:
        """The page of the row ``pk`` (kinds with a ``url_name``)."""
        return _url_template(self.url_name).replace(_PK_MARK, str(pk))

    def row_url(self, row: dict) -> str:
        return self.url_of(row) if self.url_of is not None else self.url(row["pk"])


_PK_MARK = "2147483647"


@lru_cache(maxsize=64)
def _url_template(name: str) -> str:
    """The URL pattern reversed once, not once per row."""
    return reverse(name, args=[int(_PK_MARK)])


_KINDS: dict[str, DeadlineKind] = {}


def deadline_kinds_register(*kinds: DeadlineKind) -> None:
    """Add kinds to the sweep (from an app's ``ready``; registering again replaces)."""
    for kind in kinds:
        _KINDS[kind.label] = kind


def deadline_kinds() -> list[DeadlineKind]:
    return list(_KINDS.values())


def step_key(kind: DeadlineKind, pk: int, step_seq: int) -> str:
    return f"{kind.app}:{kind.name}:{pk}:s{step_seq}"


def audience_users(audiences: Iterable[Audience]) -> list[User]:
    """The active users of the audiences (a query for the users, one more when an audience
    is region-scoped)."""
    audiences = [Audience(*a) for a in audiences]
    found = _recipients([{}], lambda _row: audiences)
    ids = {user_id for users in found.values() for user_id in users}
    return list(User.objects.filter(pk__in=ids)) if ids else []


def _row(kind: DeadlineKind, obj: models.Model, status: str | None) -> dict:
    row = {"pk": obj.pk, **{f: _value(obj, f) for f in kind.fields}}
    if status is not None:
        row["status"] = status
    return row


def deadline_start(*, kind: DeadlineKind, obj: models.Model, due_on: date | None,
                   rule: Rule | None = None) -> None:
    """Give ``obj`` a new step due on ``due_on``: fresh reminders, no escalation yet; the
    step records the pack version and rule that set the date (``None`` for a date a
    person chose). The caller saves ``obj``."""
    setattr(obj, kind.due_field, due_on)
    obj.step_seq += 1
    obj.reminded_level = obj.escalated_on = None
    obj.rule_version_id = rule.version_id if rule else None
    obj.due_rule = rule.ref if rule else ""


def step_open(*, kind: DeadlineKind, obj: models.Model, due_on: date, title: str,
              rule: Rule | None = None, status: str | None = None) -> None:
    """Start a new step of ``obj`` due on ``due_on``; put it in the actors' inboxes.

    ``status`` is the status the step belongs to when the caller moves ``obj`` there
    right after (through ``transition_apply``, which saves ``obj`` in the same
    transaction).
    """
    if getattr(obj, kind.due_field) is not None:
        inbox_close(key=step_key(kind, obj.pk, obj.step_seq))
    deadline_start(kind=kind, obj=obj, due_on=due_on, rule=rule)
    users = audience_users(kind.responsible(_row(kind, obj, status)))
    inbox_add(users=users, key=step_key(kind, obj.pk, obj.step_seq), title=title,
              url=kind.row_url(_row(kind, obj, status)), due_on=due_on, target=obj, rule=rule)


def step_close(*, kind: DeadlineKind, obj: models.Model) -> None:
    """The current step is done: close its inbox items; no more reminders."""
    if getattr(obj, kind.due_field) is not None:
        inbox_close(key=step_key(kind, obj.pk, obj.step_seq))
    setattr(obj, kind.due_field, None)
    obj.reminded_level = obj.escalated_on = None


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


def _region_chains(region_ids: set[int]) -> dict[int, set[int]]:
    """Each region with the regions above it (one query; none for no regions)."""
    if not region_ids:
        return {}
    parents = dict(Region.objects.values_list("pk", "parent_id"))
    chains = {}
    for region_id in region_ids:
        chain, node = set(), region_id
        while node is not None and node not in chain:
            chain.add(node)
            node = parents.get(node)
        chains[region_id] = chain
    return chains


def _recipients(rows: list[dict], audiences_of: Callable[[dict], list[Audience]]
                ) -> dict[Audience, list[int]]:
    """Users per audience for all ``rows`` (one query, two with region audiences)."""
    wanted = {Audience(*a) for row in rows for a in audiences_of(row)}
    if not wanted:
        return {}
    plain = {(a.role, a.department_id) for a in wanted if a.region_id is None}
    regional: dict[str, list[Audience]] = defaultdict(list)
    for audience in wanted:
        if audience.region_id is not None:
            regional[audience.role].append(audience)
    chains = _region_chains({a.region_id for a in wanted if a.region_id is not None})
    reach = Q(role__in=PLATFORM_ROLES) | Q(
        user__department_id__in={d for _r, d in plain if d is not None})
    if chains:
        reach |= Q(user__department__isnull=True) | Q(
            user__department__region_id__in=set().union(*chains.values()))
    assignments = RoleAssignment.objects.filter(
        reach, role__in={a.role for a in wanted}, user__is_active=True)
    found: dict[Audience, list[int]] = defaultdict(list)
    for user_id, role, department_id, region_id in assignments.values_list(
            "user_id", "role", "user__department_id", "user__department__region_id"):
        audience = Audience(role) if role in PLATFORM_ROLES else Audience(role, department_id)
        if (audience.role, audience.department_id) in plain:
            found[audience].append(user_id)
        for scoped in regional.get(role, ()):
            if department_id is None or region_id in chains[scoped.region_id]:
                found[scoped].append(user_id)
    return found


@lru_cache(maxsize=8)
def _titles(language: str) -> dict[str, str]:
    """The notification texts in ``language``, translated once per sweep, not per row."""
    with translation.override(language):
        return {
            "escalation": gettext("【超期督办】%(what)s 已超过办理期限 %(due)s"),
            "reminder": gettext("【即将到期】%(what)s 须于 %(due)s 前办理（提前 %(n)d 个工作日提醒）"),
            "body": gettext("办理期限：%(due)s"),
        }


def titles(kind: DeadlineKind | None = None) -> dict[str, str]:
    common = _titles(translation.get_language() or settings.LANGUAGE_CODE)
    return {**common, **kind.texts()} if kind is not None and kind.texts else common


def _notices(kind: DeadlineKind, rows: list[dict], audiences_of, key_suffix, title: str,
             level: str, extra_of: Callable[[dict], dict] = lambda row: {}) -> list[Notice]:
    """The notifications of ``rows`` (``key_suffix`` a text, or the row's own from a
    callable; ``extra_of`` more values for the title), recipients read once for all."""
    recipients = _recipients(rows, audiences_of)
    body, names = titles(kind)["body"], kind.names()
    notices = []
    for row in rows:
        suffix = key_suffix(row) if callable(key_suffix) else key_suffix
        key = f"{step_key(kind, row['pk'], row['step_seq'])}:{suffix}"
        text = (title % {"what": kind.describe(row, names), "due": row["due_on"],
                         **extra_of(row)})[:200]
        url, due = kind.row_url(row), body % {"due": row["due_on"]}
        user_ids = {u for a in audiences_of(row) for u in recipients.get(Audience(*a), [])}
        notices += [Notice(u, key, level, text, due, url) for u in sorted(user_ids)]
    return notices


def _rows(kind: DeadlineKind, condition: Q, *extra: str) -> list[dict]:
    due = kind.due_field
    rows = kind.model.objects.filter(kind.open, condition).values(
        "pk", "step_seq", *kind.fields, *extra, due_on_value=models.F(due))
    return [{**row, "due_on": row.pop("due_on_value")} for row in rows]


class ReminderPlan:
    """Each pack version's reminder days, read once per sweep (one query for the versions,
    one for the default pack, one calendar window for every level's horizon): a step is
    reminded by the days of the version that timed it, a step without one by the default
    pack's."""

    def __init__(self, today: date, kinds: Iterable[DeadlineKind] = ()):
        self.today = today
        self.versions = dict(RulePackVersion.objects.values_list("pk", "rules"))
        self.default = region_rules(None).pk
        every = {level for kind in kinds for days in self.levels(kind).values()
                 for level in days}
        self.horizon = self._horizons(every)

    def levels(self, kind: DeadlineKind) -> dict[int | None, list[int]]:
        """Version → its reminder days for ``kind``, most urgent first (``None``: the
        steps no version timed, reminded by the default pack's days)."""
        found = {}
        for pk, rules in self.versions.items():
            value = rules.get(kind.reminder_rule, {}).get("value") or []
            found[pk] = sorted({int(v) for v in (value if isinstance(value, list) else [value])})
        found[None] = found.get(self.default, [])
        return found

    def _horizons(self, levels: set[int]) -> dict[int, date]:
        """The date ``n`` working days after today, for every level ``n`` at once."""
        if not levels:
            return {}
        widest, found = max(levels), {}
        calendar = WorkingCalendar(self.today, self.today + timedelta(days=widest * 3 + 30))
        day, counted = self.today, 0
        while counted < widest:
            day += timedelta(days=1)
            if not calendar.covers(day):
                calendar = WorkingCalendar(day, day + timedelta(days=widest * 3 + 30))
            if calendar.is_working_day(day):
                counted += 1
                if counted in levels:
                    found[counted] = day
        return found

    def horizon_of(self, level: int) -> date:
        return self.horizon.get(level) or add_working_days(self.today, level)


def _due_reminders(kind: DeadlineKind, today: date, plan: ReminderPlan) -> list[dict]:
    """The rows a reminder is due for today, each with its ``level``: the most urgent of
    its version's days whose horizon reaches its due date, unless a reminder at that level
    or a more urgent one was sent. One query, however many packs and reminder days."""
    levels = plan.levels(kind)
    every = sorted({level for days in levels.values() for level in days})
    if not every:
        return []
    horizon = {level: plan.horizon_of(level) for level in every}
    due = kind.due_field
    rows = _rows(kind, Q(**{f"{due}__gte": today, f"{due}__lte": horizon[every[-1]]})
                 & (Q(reminded_level__isnull=True) | Q(reminded_level__gt=every[0])),
                 "rule_version_id", "reminded_level")
    found = []
    for row in rows:
        days = levels.get(row.pop("rule_version_id"), levels[None])
        level = next((n for n in days if row["due_on"] <= horizon[n]), None)
        sent = row.pop("reminded_level")
        if level is not None and (sent is None or sent > level):
            found.append({**row, "level": level})
    return found


def sweep_kind(kind: DeadlineKind, today: date, plan: ReminderPlan | None = None
               ) -> tuple[SweepReport, list[Notice]]:
    """Escalate the overdue rows of ``kind`` and remind the ones due soon."""
    report, notes, due = SweepReport(), [], kind.due_field
    overdue = _rows(kind, Q(**{f"{due}__lt": today}, escalated_on__isnull=True))
    if overdue:
        notes += _notices(kind, overdue, kind.escalate_to, "escalation",
                          titles(kind)["escalation"], kind.escalation_level)
        extra = kind.escalate_values(today) if kind.escalate_values else {}
        rows_mark(kind.model, [r["pk"] for r in overdue], escalated_on=today, **extra)
        if kind.on_escalated:
            kind.on_escalated(overdue, today)
        report.escalated = len(overdue)
    due_soon = _due_reminders(kind, today, plan or ReminderPlan(today, [kind]))
    if due_soon:
        notes += _notices(kind, due_soon, kind.responsible,
                          lambda row: f"reminder:{row['level']}", titles(kind)["reminder"],
                          Notification.Level.REMINDER, extra_of=lambda row: {"n": row["level"]})
        rows_mark_each(kind.model, "reminded_level", {r["pk"]: r["level"] for r in due_soon})
        report.reminded = len(due_soon)
    return report, notes


@transaction.atomic
def deadlines_sweep(*, today: date | None = None,
                    kinds: Iterable[DeadlineKind] | None = None) -> dict[str, SweepReport]:
    """Remind and escalate every registered kind (or ``kinds``); the notifications go out
    in one bulk insert; the rows are the email outbox, drained after commit."""
    from portal.tasks import notifications_email_drain

    today = today or timezone.localdate()
    kinds = deadline_kinds() if kinds is None else list(kinds)
    reports, notes, plan = {}, [], ReminderPlan(today, kinds)
    for kind in kinds:
        reports[kind.label], kind_notes = sweep_kind(kind, today, plan)
        notes += kind_notes
        reports[kind.label].notifications = len(kind_notes)
    if notes:
        notices_insert(notes)
        # The drain sends them in the background (and every minute anyway), so the
        # sweep stays at a constant number of queries and needs no broker.
        notifications_email_drain.delay_on_commit()
    return reports

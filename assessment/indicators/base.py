"""The indicator registry (A2).

An indicator is a documented function of a department and a period::

    indicator(department, period) -> IndicatorValue(value, score, inputs)

computed from what the platform already holds. To stay fast for a whole plan, the
figures behind indicators come from *sources*: one query per source with ``GROUP BY``
over every department at once, returning additive figures (counts and sums) per
department. An indicator turns a unit's figures into its value, so a next-lower
government's value is computed from the sums over its departments, and a plan of any
size costs the same few queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

Figures = dict[str, int | float]


@dataclass(frozen=True)
class Period:
    """A closed range of dates, and the matching range of aware datetimes."""

    start: dt.date
    end: dt.date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))

    @property
    def end_before(self) -> dt.datetime:
        """The first instant after the period."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min,
                                   tzinfo=ZoneInfo(settings.TIME_ZONE))


@dataclass(frozen=True)
class IndicatorValue:
    value: Decimal | None
    score: Decimal | None
    inputs: Figures


class SourceUnavailable(Exception):
    """The app a source reads is not installed or not migrated yet."""


@dataclass(frozen=True)
class Source:
    """One bulk query over platform data, keyed by department id."""

    key: str
    label: str
    fields: tuple[str, ...]
    collect: Callable[[list[int], Period], dict[int, Figures]]

    def figures(self, department_ids: list[int], period: Period) -> dict[int, Figures]:
        found = self.collect(department_ids, period) if department_ids else {}
        zero = dict.fromkeys(self.fields, 0)
        return {pk: {**zero, **found.get(pk, {})} for pk in department_ids}


@dataclass(frozen=True)
class Proposal:
    """When a department's figures call for a rectification notice (A5)."""

    violation: str
    applies: Callable[[Figures], bool]
    facts: Callable[[Figures], str]


@dataclass(frozen=True)
class IndicatorDef:
    """A computed indicator: its figures' source, how to value them, default scoring."""

    code: str
    name: str
    category: str
    unit: str
    source: str
    measure: Callable[[Figures], Decimal | None]
    description: str
    higher_is_better: bool = True
    weight: Decimal = Decimal("5")
    rule: str = "linear"
    best: Decimal | None = None
    worst: Decimal | None = None
    # A value of None (nothing was due): "exclude" — 不适用, the weight leaves the total —
    # for ratios and averages over something due; quantities never have None.
    no_data: str = "exclude"
    proposals: tuple[Proposal, ...] = field(default_factory=tuple)
    # In the set a new plan starts with (whose weights add up to 100); the others are
    # available to plans that choose them.
    in_default_set: bool = True

    def __call__(self, department, period: Period) -> IndicatorValue:
        """The documented per-department form: the value, default score and inputs."""
        from assessment.indicators.scoring import rule_score

        figures = SOURCES[self.source].figures([department.pk], period)[department.pk]
        value = self.measure(figures)
        score = rule_score(rule=self.rule, weight=self.weight, value=value, best=self.best,
                           worst=self.worst, no_data=self.no_data, peak=value,
                           higher_is_better=self.higher_is_better)
        return IndicatorValue(value=value, score=score, inputs=figures)


SOURCES: dict[str, Source] = {}
INDICATORS: dict[str, IndicatorDef] = {}


def register_source(key: str, label: str, fields: Iterable[str]):
    def decorate(func):
        SOURCES[key] = Source(key=key, label=label, fields=tuple(fields), collect=func)
        return func
    return decorate


def register(indicator: IndicatorDef) -> IndicatorDef:
    if indicator.source not in SOURCES:
        raise ValueError(f"unknown source {indicator.source!r} for {indicator.code!r}")
    INDICATORS[indicator.code] = indicator
    return indicator


def collect(codes: Iterable[str], department_ids: list[int], period: Period,
            ) -> tuple[dict[str, dict[int, Figures]], dict[str, str]]:
    """Figures per source for every department, each source queried once.

    Returns ``(figures by source key, status by source key)``; a source whose app is not
    available yields no figures (its indicators have no value, never invented numbers).
    """
    wanted = {INDICATORS[c].source for c in codes}
    figures: dict[str, dict[int, Figures]] = {}
    status: dict[str, str] = {}
    for key in sorted(wanted):
        try:
            figures[key] = SOURCES[key].figures(department_ids, period)
            status[key] = "ok"
        except SourceUnavailable as exc:
            status[key] = f"unavailable: {exc}"
    return figures, status


def add_figures(rows: Iterable[Figures], fields: Iterable[str] = ()) -> Figures:
    """Sum figures (a lower government's figures are its departments' sums)."""
    total: dict[str, int | float] = dict.fromkeys(fields, 0)
    for row in rows:
        for key, value in row.items():
            total[key] = total.get(key, 0) + value
    return total


TWO_PLACES = Decimal("0.01")


def percent(part: int | float, whole: int | float) -> Decimal | None:
    """``part / whole`` as a percentage with two decimals; None without a denominator."""
    if not whole:
        return None
    return (Decimal(str(part)) * 100 / Decimal(str(whole))).quantize(TWO_PLACES, ROUND_HALF_UP)


def average(total: int | float, count: int | float) -> Decimal | None:
    if not count:
        return None
    return (Decimal(str(total)) / Decimal(str(count))).quantize(TWO_PLACES, ROUND_HALF_UP)


def count(key: str) -> Callable[[Figures], Decimal]:
    def measure(figures: Figures) -> Decimal:
        return Decimal(int(figures.get(key, 0)))
    return measure


# What each figure means, for the pages and exports.
FIGURE_LABELS: dict[str, str] = {}


def describe_figures(labels: dict[str, str]) -> None:
    FIGURE_LABELS.update(labels)

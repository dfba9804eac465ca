"""Chinese working days (P4).

A day is a working day when the calendar table says so (make-up working day, 调休), or
when it is Monday–Friday and not a listed holiday. Years listed in ``CalendarYear`` are
known; for any other year the Monday–Friday rule applies, a warning is logged and an
alert is raised for the administrators once — a deadline computation never fails.
"""

from datetime import date, timedelta

from portal.models import CalendarDay, CalendarYear
from portal.services.calendar import calendar_alert_missing

# Longest run of consecutive non-working days to plan a lookup window for.
_WINDOW_SLACK_DAYS = 30


def _overrides(start: date, end: date) -> dict[date, bool]:
    """Map each listed day in [start, end] to True (working) or False (holiday)."""
    rows = CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "kind")
    return {d: kind == CalendarDay.Kind.WORKDAY for d, kind in rows}


def _warn_unknown_years(start: date, end: date) -> None:
    years = set(range(start.year, end.year + 1))
    known = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    for year in sorted(years - known):
        calendar_alert_missing(year=year)


class WorkingCalendar:
    """Working-day arithmetic over one window of the calendar table (one query)."""

    def __init__(self, start: date, end: date) -> None:
        self.start, self.end = start, end
        self._overrides = _overrides(start, end)
        _warn_unknown_years(start, end)

    def is_working_day(self, day: date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        return day.weekday() < 5

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end], negative when ``end`` is before ``start``;
        both must lie in this window."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for offset in range(1, (end - start).days + 1)
                   if self.is_working_day(start + timedelta(days=offset)))


def is_working_day(day: date) -> bool:
    return WorkingCalendar(day, day).is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted).

    ``add_working_days(date(2025, 9, 26), 10) == date(2025, 10, 16)``: the National Day
    holiday is skipped and the make-up Sundays/Saturdays count.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    calendar = WorkingCalendar(start, start + timedelta(days=days * 2 + _WINDOW_SLACK_DAYS))
    current, remaining = start, days
    while remaining:
        current += timedelta(days=1)
        if not calendar.covers(current):
            calendar = WorkingCalendar(current, current + timedelta(days=remaining * 2 + _WINDOW_SLACK_DAYS))
        if calendar.is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]; negative when ``end`` is before ``start``.

    Inverse of :func:`add_working_days`: ``working_days_between(d, add_working_days(d, n)) == n``.
    """
    low, high = min(start, end), max(start, end)
    return WorkingCalendar(low, high).working_days_between(start, end)

"""Seeding the working-day calendar from the chinesecalendar package (P4)."""

import logging

from chinese_calendar import constants
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import CalendarDay, CalendarYear, SystemAlert

logger = logging.getLogger(__name__)
_logged_years: set[int] = set()  # warn once per process and year

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def package_years() -> range:
    """The years the installed chinesecalendar package knows."""
    years = {d.year for d in constants.holidays} | {d.year for d in constants.workdays}
    return range(min(years), max(years) + 1)


@transaction.atomic
def calendar_seed_from_package(*, years: list[int] | None = None) -> int:
    """Load holidays and make-up working days for ``years`` (default: all the package knows).

    Years marked manual (maintained by hand) are left alone; unchanged rows are not
    rewritten, so running it again is cheap. Returns the rows written.
    """
    years = sorted(set(years or package_years()) & set(package_years()))
    manual = set(
        CalendarYear.objects.filter(year__in=years, source=CalendarYear.Source.MANUAL)
        .values_list("year", flat=True)
    )
    existing = {
        day.date: day
        for day in CalendarDay.objects.filter(date__year__in=[y for y in years if y not in manual])
    }
    known_years = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    written = 0
    for year in years:
        if year in manual:
            continue
        days = [
            (d, CalendarDay.Kind.HOLIDAY, name)
            for d, name in constants.holidays.items() if d.year == year
        ] + [
            (d, CalendarDay.Kind.WORKDAY, name)
            for d, name in constants.workdays.items() if d.year == year
        ]
        for day, kind, name in days:
            label = HOLIDAY_NAMES.get(str(name), str(name))
            row = existing.get(day)
            if row is None:
                CalendarDay.objects.create(date=day, kind=kind, name=label)
            elif (row.kind, row.name) != (kind, label):
                row.kind, row.name = kind, label
                row.save()
            else:
                continue
            written += 1
        if year not in known_years:
            CalendarYear.objects.create(year=year, source=CalendarYear.Source.PACKAGE)
    return written



def calendar_alert_missing(*, year: int) -> None:
    """Raise the admin alert that ``year`` has no holiday calendar, logging it once."""
    _alert, created = SystemAlert.objects.get_or_create(
        key=f"calendar-missing-{year}",
        defaults={"message": _("%(year)s 年节假日安排尚未录入，工作日暂按周一至周五计算，"
                               "请在“节假日与调休”中补录并标记该年度。") % {"year": year}},
    )
    if created or year not in _logged_years:
        _logged_years.add(year)
        logger.warning("No holiday calendar for %s: working days fall back to Monday–Friday.", year)

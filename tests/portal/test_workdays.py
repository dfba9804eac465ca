"""P4: working days on the Chinese calendar."""

import logging
from datetime import date, timedelta

import chinese_calendar
import pytest
from django.core.management import call_command

from portal.models import CalendarDay, CalendarYear, SystemAlert
from portal.workdays import add_working_days, is_working_day, working_days_between

pytestmark = pytest.mark.django_db


def test_p4_makeup_saturday_2026_02_14_is_a_working_day():
    assert date(2026, 2, 14).weekday() == 5
    assert is_working_day(date(2026, 2, 14))
    assert not is_working_day(date(2026, 2, 17))  # Spring Festival


def test_p4_ten_working_days_across_national_day(capsys):
    assert add_working_days(date(2025, 9, 26), 10) == date(2025, 10, 16)
    call_command("workdays", "add", "2025-09-26", "10")
    assert capsys.readouterr().out.strip() == "2025-10-16"
    call_command("workdays", "between", "2025-09-26", "2025-10-16")
    assert capsys.readouterr().out.strip() == "10"


def test_p4_calendar_agrees_with_package_for_every_day_of_2025():
    day = date(2025, 1, 1)
    while day.year == 2025:
        assert is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


@pytest.mark.parametrize("start, n", [(date(2025, 9, 26), 10), (date(2026, 2, 10), 7),
                                      (date(2025, 12, 30), 15), (date(2026, 4, 30), 1)])
def test_p4_between_inverts_add(start, n):
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    assert working_days_between(end, start) == -n


def test_p4_unknown_year_falls_back_to_weekdays_with_warning_and_alert(caplog):
    assert not CalendarYear.objects.filter(year=2027).exists()
    with caplog.at_level(logging.WARNING):
        due = add_working_days(date(2026, 12, 28), 10)  # runs into 2027, unknown to the package
    assert due == date(2027, 1, 11)
    assert "2027" in caplog.text
    alert = SystemAlert.objects.get(key="calendar-missing-2027")
    assert "2027" in alert.message
    add_working_days(date(2026, 12, 28), 10)
    assert SystemAlert.objects.filter(key="calendar-missing-2027").count() == 1


def test_p4_database_table_takes_over_after_the_package():
    """Holidays entered by the center for 2027 are honoured, without the package."""
    CalendarYear.objects.create(year=2027, source=CalendarYear.Source.MANUAL)
    for d in range(1, 4):
        CalendarDay.objects.create(date=date(2027, 1, d), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    CalendarDay.objects.create(date=date(2027, 1, 9), kind=CalendarDay.Kind.WORKDAY, name="元旦")
    # 2026-12-31 (Thu) + 3: 2027-01-04 Mon, 05 Tue, 06 Wed
    assert add_working_days(date(2026, 12, 31), 3) == date(2027, 1, 6)
    assert is_working_day(date(2027, 1, 9))  # a Saturday made a working day
    assert not SystemAlert.objects.filter(key="calendar-missing-2027").exists()


def test_p4_seeding_is_idempotent_and_keeps_manual_years():
    from portal.services.calendar import calendar_seed_from_package

    assert calendar_seed_from_package(years=[2025]) == 0  # already loaded by the fixture
    CalendarYear.objects.filter(year=2025).update(source=CalendarYear.Source.MANUAL)
    CalendarDay.objects.filter(date=date(2025, 10, 8)).update(name="人工修改")
    calendar_seed_from_package(years=[2025])
    assert CalendarDay.objects.get(date=date(2025, 10, 8)).name == "人工修改"


def test_p4_workdays_command_rejects_bad_input():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("workdays", "add", "2025-13-01", "3")

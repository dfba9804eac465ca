"""A2: sharing, data-plane and open-data indicators against hand-built scenarios."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from assessment.indicators import INDICATORS, Period
from tests.assessment import builders

pytestmark = pytest.mark.django_db
YEAR = Period.year(2025)


def value(code, department, period=YEAR):
    return INDICATORS[code](department, period)


def test_a2_share_answers_within_10_working_days(department, other_department):
    d, o = department, other_department
    builders.share_request(d, o, due_on=date(2025, 3, 14), answered_on=date(2025, 3, 10), days=4)
    builders.share_request(d, o, due_on=date(2025, 4, 14), answered_on=date(2025, 4, 10), days=6,
                           answer="refused", status="refused")
    builders.share_request(d, o, due_on=date(2025, 5, 14), answered_on=date(2025, 5, 20), days=14,
                           late=True, answer="partial")
    builders.share_request(d, o, due_on=date(2025, 6, 13))  # unanswered, overdue
    builders.share_request(d, o, due_on=date(2025, 7, 14), status="withdrawn")  # not counted
    builders.share_request(d, o, due_on=date(2024, 12, 20), answered_on=date(2024, 12, 1))
    builders.share_request(o, d, due_on=date(2025, 3, 14), answered_on=date(2025, 3, 1))

    result = value("share_answer_timeliness", d)

    assert result.inputs["answer_due"] == 4
    assert (result.inputs["answered_on_time"], result.inputs["answered_late"],
            result.inputs["unanswered_overdue"]) == (2, 1, 1)
    assert result.value == D("50.00")
    assert value("share_response_days", d).value == D("8.00")  # (4 + 6 + 14) / 3
    assert value("share_refusal_rate", d).value == D("33.33")  # 1 of 3 answered


def test_a2_share_request_not_yet_due_is_not_counted(department, other_department):
    builders.share_request(department, other_department,
                           due_on=timezone.localdate() + timedelta(days=3))
    period = Period(timezone.localdate(), timezone.localdate() + timedelta(days=10))
    result = value("share_answer_timeliness", department, period)
    assert result.inputs["answer_due"] == 0 and result.value is None


def test_a2_objection_count_and_time_to_fix(department, other_department):
    d, o = department, other_department
    builders.objection(d, o, created_on=date(2025, 2, 1), answered_on=date(2025, 2, 4),
                       fix_days=2, status="corrected")
    builders.objection(d, o, created_on=date(2025, 3, 1), answered_on=date(2025, 3, 12),
                       fix_days=6, status="closed")
    builders.objection(d, o, created_on=date(2025, 4, 1), due_on=date(2025, 4, 8))  # overdue
    builders.objection(d, o, created_on=date(2025, 5, 1), status="withdrawn")
    builders.objection(d, o, created_on=date(2024, 5, 1))

    count = value("objection_count", d)
    fix = value("objection_fix_days", d)

    assert count.value == D(3)
    assert fix.value == D("4.00")  # (2 + 6) / 2
    assert fix.inputs["objections_overdue"] == 1
    assert fix.score == D("2.67")  # linear from 1 (full 4) to 10 (none): 4 * 6/9


def test_a2_data_versions_on_cycle(department):
    monthly = builders.resource(department)
    builders.data_version(monthly, number=1, activated_on=date(2025, 1, 5))
    builders.data_version(monthly, number=2, activated_on=date(2025, 2, 20), days_late=15)
    builders.data_version(monthly, number=3, activated_on=date(2025, 3, 5), status="current")
    builders.data_version(monthly, number=4, activated_on=date(2025, 3, 6), status="failed")
    builders.resource_data(monthly, next_due_on=date(2025, 4, 5))  # never updated again
    fresh = builders.resource(department)
    builders.resource_data(fresh, next_due_on=timezone.localdate() + timedelta(days=3))

    result = value("data_versions_on_cycle", department)

    assert result.inputs == {"versions": 3, "versions_late": 1, "stale": 1}
    assert result.value == D("50.00")  # (3 - 1) / (3 + 1)


def test_a2_accesses_and_consumers_of_its_data(department, other_department, region):
    from tests.factories import DepartmentFactory

    third = DepartmentFactory(region=region)
    d = department
    builders.access(d, other_department, on=date(2025, 3, 1), rows=5)
    builders.access(d, other_department, on=date(2025, 4, 1), rows=7, action="download")
    builders.access(d, third, on=date(2025, 5, 1), rows=1)
    builders.access(d, third, on=date(2025, 5, 2), allowed=False)  # refused
    builders.access(d, d, on=date(2025, 5, 3))  # its own use
    builders.access(d, other_department, on=date(2024, 5, 3))  # another year
    builders.access(d, None, on=date(2025, 6, 1), purpose="open:unconditional", action="download")
    builders.access(d, None, on=date(2025, 6, 2), purpose="open:unconditional", action="query")

    accesses = value("data_accesses", d)

    assert accesses.value == D(3)
    assert accesses.inputs["rows_returned"] == 13
    assert value("data_consumers", d).value == D(2)
    assert value("open_downloads", d).value == D(1)


def test_a2_open_datasets_at_period_end(department):
    builders.dataset(department, published_on=date(2025, 3, 1))
    builders.dataset(department, published_on=date(2025, 3, 1), status="withdrawn",
                     withdrawn_on=date(2026, 2, 1))  # still open at the end of 2025
    builders.dataset(department, published_on=date(2025, 3, 1), status="withdrawn",
                     withdrawn_on=date(2025, 6, 1))
    builders.dataset(department, published_on=date(2026, 1, 3))
    builders.dataset(department, published_on=None, status="proposed")

    assert value("open_datasets", department).value == D(2)

"""A2: each catalog indicator against a hand-built scenario with a known answer."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from assessment.indicators import INDICATORS, Period
from catalog.models import Census, CensusEntry
from tests.assessment import builders

pytestmark = pytest.mark.django_db
YEAR = Period.year(2025)


def test_a2_catalog_registered_counts_entries_registered_by_period_end(department, other_department):
    builders.resource(department)
    builders.resource(department, sharing_type="conditional", legal_basis="《条例》")
    builders.resource(department, status="retired", retired_at=builders.at(date(2026, 2, 1)))
    builders.resource(department, status="retired", retired_at=builders.at(date(2025, 6, 1)))
    builders.resource(department, registered_on=date(2026, 1, 5))  # after the period
    builders.resource(department, status="draft")
    builders.resource(other_department)

    result = INDICATORS["catalog_registered"](department, YEAR)

    assert result.value == D(3)
    assert result.inputs["registered"] == 3
    assert INDICATORS["catalog_shared"](department, YEAR).value == D(3)


def test_a2_catalog_shared_excludes_not_shared(department):
    builders.resource(department)
    builders.resource(department, sharing_type="not_shared", legal_basis="《保密法》")
    assert INDICATORS["catalog_shared"](department, YEAR).value == D(1)


def test_a2_catalog_completeness_counts_metadata_checks_and_described_items(department):
    # Complete: 7 checks pass; items: 1 of 2 described.
    builders.resource(department, items=(("姓名", "说明"), ("电话", "")))
    # Missing subtype, locality and publication date: 4 of 7 checks; 1 item, described.
    builders.resource(department, format_subtype="", locality="", publication_date=None)

    result = INDICATORS["catalog_completeness"](department, YEAR)

    assert result.inputs["checks_total"] == 14
    assert result.inputs["checks_passed"] == 11
    assert (result.inputs["items"], result.inputs["items_described"]) == (3, 2)
    assert result.value == D("76.47")  # (11 + 2) / (14 + 3)


def test_a2_completeness_requires_legal_basis_for_conditional_entries(department):
    builders.resource(department, sharing_type="conditional", legal_basis="")
    assert INDICATORS["catalog_completeness"](department, YEAR).inputs["checks_passed"] == 6


def test_a2_catalog_update_within_15_working_days(department):
    today = timezone.localdate()
    builders.change_event(department, due_on=date(2025, 3, 10), status="done",
                          completed_on=date(2025, 3, 10))
    builders.change_event(department, due_on=date(2025, 4, 10), status="done",
                          completed_on=date(2025, 4, 11))
    builders.change_event(department, due_on=date(2025, 5, 10), status="open")
    builders.change_event(department, due_on=date(2025, 6, 10), status="cancelled")
    builders.change_event(department, due_on=date(2024, 12, 31), status="open")  # other period

    result = INDICATORS["catalog_update_timeliness"](department, YEAR)

    assert result.inputs == {"due": 3, "on_time": 1, "late": 1, "open_overdue": 1}
    assert result.value == D("33.33")
    assert today > date(2025, 5, 10)


def test_a2_catalog_update_not_yet_due_is_not_counted(department):
    builders.change_event(department, due_on=timezone.localdate() + timedelta(days=5))
    period = Period(timezone.localdate(), timezone.localdate() + timedelta(days=30))
    result = INDICATORS["catalog_update_timeliness"](department, period)
    assert result.inputs["due"] == 0
    assert result.value is None
    assert result.score is None  # nothing was due: 不适用, not full marks


def test_a2_census_completion(department, other_department):
    census = Census.objects.create(year=2025, title="2025 普查", due_on=date(2025, 6, 30))
    for status in ("confirmed", "updated", "pending", "retired"):
        CensusEntry.objects.create(census=census, resource=builders.resource(department),
                                   department=department, status=status)
    CensusEntry.objects.create(census=census, resource=builders.resource(other_department),
                               department=other_department, status="pending")

    result = INDICATORS["census_completion"](department, YEAR)

    assert (result.inputs["entries"], result.inputs["confirmed"]) == (4, 3)
    assert result.value == D("75.00")


def test_a2_project_catalogs(department):
    with_catalog = builders.project(department, approved_on=date(2025, 2, 1))
    builders.resource(department, status="draft", project=with_catalog)
    builders.project(department, approved_on=date(2025, 3, 1))  # no catalog
    done = builders.project(department, approved_on=date(2024, 5, 1),
                            completed_on=date(2025, 9, 1), status="completed")
    builders.resource(department, project=done)
    unregistered = builders.project(department, approved_on=date(2024, 5, 1),
                                    completed_on=date(2025, 10, 1), status="completed")
    builders.resource(department, project=unregistered)
    builders.resource(department, status="submitted", project=unregistered)
    builders.project(department, approved_on=date(2024, 1, 1))  # outside the period

    result = INDICATORS["project_catalogs"](department, YEAR)

    assert result.inputs == {"approved": 2, "approved_with_catalog": 1, "completed": 2,
                             "completed_registered": 1}
    assert result.value == D("50.00")


def test_a2_indicators_are_documented():
    for definition in INDICATORS.values():
        assert definition.description and definition.name and definition.unit

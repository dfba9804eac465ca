"""A2/A4: computing a plan in bulk — stored with inputs, totals, ranks, bounded queries."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import ComputationRun, Plan, Score
from assessment.services import compute, plans
from portal.errors import Conflict
from tests.assessment import builders
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def run(plan) -> ComputationRun:
    computation = ComputationRun.objects.create(plan=plan)
    return compute.plan_compute(run_id=computation.pk)


def score_of(plan, unit, code) -> Score:
    return Score.objects.get(plan=plan, unit=unit, indicator__code=code)


def test_a2_scores_are_stored_with_the_inputs_they_came_from(plan, unit_a, unit_b, department,
                                                              other_department):
    for _ in range(4):
        builders.resource(department)
    builders.resource(other_department)
    result = run(plan)
    assert result.status == ComputationRun.Status.DONE, result.error
    a = score_of(plan, unit_a, "catalog_registered")
    b = score_of(plan, unit_b, "catalog_registered")
    assert (a.value, a.inputs["registered"], a.score) == (D(4), 4, D("8.00"))
    assert (b.value, b.score) == (D(1), D("2.00"))  # relative to the best unit: 1/4 of 8
    assert a.run_id == result.pk and a.computed_at is not None


def test_a2_next_lower_government_sums_its_departments(plan, city, city_department):
    county = type(city).objects.create(code="460105", name="秀英区", level="county", parent=city)
    county_department = DepartmentFactory(region=county)
    builders.resource(city_department)
    builders.resource(county_department)
    builders.change_event(city_department, due_on=date(2025, 3, 3), status="done",
                          completed_on=date(2025, 3, 1))
    builders.change_event(county_department, due_on=date(2025, 3, 3), status="open")
    run(plan)
    government = plan.units.get(region=city)
    assert score_of(plan, government, "catalog_registered").value == D(2)
    timeliness = score_of(plan, government, "catalog_update_timeliness")
    assert timeliness.inputs["due"] == 2 and timeliness.value == D("50.00")


def test_a4_totals_ranks_and_grades(plan, unit_a, unit_b, department):
    builders.resource(department)
    run(plan)
    unit_a.refresh_from_db()
    unit_b.refresh_from_db()
    counted = Score.objects.filter(unit=unit_a, applicable=True).select_related("indicator")
    earned = sum(s.score or 0 for s in counted)
    applied = sum(s.indicator.weight for s in counted)
    assert unit_a.weight_applied == applied < plans.plan_weight_total(plan)
    assert unit_a.total == compute.unit_total(earned, applied, D(100))
    assert unit_a.rank == 1 and unit_b.rank >= 2
    assert unit_a.grade == plan.grade_for(unit_a.total)


def test_a4_equal_totals_share_a_rank(plan, unit_a, unit_b):
    run(plan)  # no data at all: both units score the same
    unit_a.refresh_from_db()
    unit_b.refresh_from_db()
    assert unit_a.total == unit_b.total and unit_a.rank == unit_b.rank == 1


def test_a2_recomputing_keeps_an_adjusted_score(plan, unit_a, department):
    run(plan)
    score = score_of(plan, unit_a, "catalog_registered")
    Score.objects.filter(pk=score.pk).update(adjusted_score=D("7.5"))
    builders.resource(department)
    run(plan)
    score.refresh_from_db()
    assert score.base_score == D("8.00") and score.score == D("7.50")


def test_a2_query_count_does_not_grow_with_the_number_of_units(plan, authority, region):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            compute.compute_scores(plan=Plan.objects.get(pk=plan.pk))
        return len(ctx.captured_queries)

    run(plan)  # rows exist: measure the steady state
    few = queries()
    extra = [DepartmentFactory(region=region) for _ in range(25)]
    plans.plan_scope_set(actor=authority, plan=plan, department_ids=[d.pk for d in extra]
                         + list(plan.units.values_list("department_id", flat=True)),
                         region_ids=[])
    for department in extra:
        builders.resource(department)
    run(plan)
    many = queries()
    assert many <= few + 6, (few, many)  # bulk writes batch; nothing per unit


def test_a2_published_plan_is_not_recomputed(plan, authority):
    run(plan)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.PUBLISHED)
    with pytest.raises(Conflict):
        compute.plan_compute_request(actor=authority, plan=plan)


def test_a2_a_finished_run_is_not_repeated(plan):
    done = run(plan)
    again = compute.plan_compute(run_id=done.pk)
    assert again.finished_at == done.finished_at


def test_a2_indicator_without_registry_entry_has_no_value(plan, unit_a):
    plan.indicators.filter(code="catalog_registered").update(code="retired_indicator")
    run(plan)
    score = Score.objects.get(unit=unit_a, indicator__code="retired_indicator")
    assert score.value is None and score.score is None and "unavailable" in score.inputs


def test_a2_compute_records_query_count_and_duration(plan):
    result = run(plan)
    assert result.query_count > 0 and result.finished_at is not None
    assert result.sources and all(v == "ok" for v in result.sources.values())


def test_a2_requests_in_a_row_share_one_queued_run(plan, authority):
    first = compute.plan_compute_request(actor=authority, plan=plan)
    second = compute.plan_compute_request(actor=authority, plan=plan)
    assert first.pk == second.pk
    compute.plan_compute(run_id=first.pk)
    third = compute.plan_compute_request(actor=authority, plan=plan)
    assert third.pk != first.pk

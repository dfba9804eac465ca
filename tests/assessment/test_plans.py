"""A1: the authority's yearly plan — scope, indicators with weights and rules, timetable."""

from datetime import date
from decimal import Decimal as D

import pytest

from assessment.indicators import INDICATORS, MANUAL_DEFAULTS
from assessment.models import Plan, PlanIndicator, Unit
from assessment.services import plans
from portal.errors import Conflict, IllegalTransition, NotPermitted, ValidationFailed
from portal.models import Department, Role
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_a1_scope_is_own_level_departments_and_next_lower_governments(
        plan, department, other_department, authority_department, city, city_department):
    DepartmentFactory(region=department.region, name="停用部门", is_active=False)
    units = {(u.kind, u.department_id, u.region_id) for u in plan.units.all()}
    assert units == {
        (Unit.Kind.DEPARTMENT, department.pk, None),
        (Unit.Kind.DEPARTMENT, other_department.pk, None),
        (Unit.Kind.GOVERNMENT, None, city.pk),
    }  # the authority itself, inactive and lower departments are not own-level units


def test_a1_plan_has_default_indicators_weights_and_timetable(plan):
    codes = set(plan.indicators.values_list("code", flat=True))
    default = {c for c, d in INDICATORS.items() if d.in_default_set}
    assert default | {m["code"] for m in MANUAL_DEFAULTS} == codes
    assert plan.period_start == date(2025, 1, 1) and plan.period_end == date(2025, 12, 31)
    assert plan.self_assessment_due < plan.review_due < plan.publish_due
    assert plan.status == Plan.Status.DRAFT
    manual = plan.indicators.filter(kind=PlanIndicator.Kind.MANUAL)
    assert all(i.rule == "manual" for i in manual)


def test_a1_only_the_authority_of_the_region_creates_plans(make_user, department, city):
    clerk = make_user(department=department, roles=[Role.CLERK])
    with pytest.raises(NotPermitted):
        plans.plan_create(actor=clerk, region=department.region, year=2025)
    city_authority = make_user(roles=[Role.AUTHORITY],
                               department=DepartmentFactory(region=city,
                                                            kind=Department.Kind.AUTHORITY))
    with pytest.raises(NotPermitted):
        plans.plan_create(actor=city_authority, region=department.region, year=2025)
    assert plans.plan_create(actor=city_authority, region=city, year=2025).region == city


def test_a1_one_plan_per_region_and_year(plan, authority):
    with pytest.raises(ValidationFailed) as exc:
        plans.plan_create(actor=authority, region=plan.region, year=2025)
    assert "year" in exc.value.fields


def test_a1_timetable_order_is_validated(authority, region):
    with pytest.raises(ValidationFailed) as exc:
        plans.plan_create(actor=authority, region=region, year=2025,
                          self_assessment_due=date(2026, 4, 1))
    assert "review_due" in exc.value.fields


def test_a1_indicator_weights_and_rules_are_validated(plan, authority):
    before = plans.plan_weight_total(plan)
    indicator = plan.indicators.get(code="catalog_completeness")
    indicator.best = indicator.worst
    with pytest.raises(ValidationFailed) as exc:
        plans.plan_indicator_save(actor=authority, plan=plan, indicator=indicator)
    assert "best" in exc.value.fields
    indicator.refresh_from_db()
    indicator.weight = D("12")
    plans.plan_indicator_save(actor=authority, plan=plan, indicator=indicator)
    assert plans.plan_weight_total(plan) == before + D("6")  # the default weight was 6


def test_a1_unknown_computed_indicator_is_refused(plan, authority):
    bogus = PlanIndicator(code="made_up", kind="computed", name="编造", category="quantity",
                          weight=D("5"), rule="relative")
    with pytest.raises(ValidationFailed):
        plans.plan_indicator_save(actor=authority, plan=plan, indicator=bogus)


def test_a1_scope_can_be_changed_only_in_draft(plan, authority, department):
    plans.plan_scope_set(actor=authority, plan=plan, department_ids=[department.pk], region_ids=[])
    assert list(plan.units.values_list("department_id", flat=True)) == [department.pk]
    plans.plan_activate(actor=authority, plan=plan)
    with pytest.raises(Conflict):
        plans.plan_scope_set(actor=authority, plan=plan, department_ids=[department.pk],
                             region_ids=[])


def test_a1_activation_creates_score_rows_and_self_assessment_tasks(
        plan, authority, head_a, clerk_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        plans.plan_activate(actor=authority, plan=plan)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE and plan.computed_at is not None
    assert plan.scores.count() == plan.units.count() * plan.indicators.count()
    assert head_a.inbox_items.filter(key__contains=":self:").exists()
    assert not clerk_a.inbox_items.exists()  # signers get the task, not clerks


def test_a1_workflow_refuses_illegal_actions(plan, authority):
    with pytest.raises(IllegalTransition):
        plans.plan_publish(actor=authority, plan=plan)
    with pytest.raises(IllegalTransition):
        plans.plan_unpublish(actor=authority, plan=plan, reason="更正")

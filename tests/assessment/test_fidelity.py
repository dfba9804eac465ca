"""A2/A4: what a score says must hold. A department that registered, shared and answered
nothing scores nothing for quantity and coverage; a ratio over nothing due is 不适用 and
its weight leaves the total instead of counting as perfect; a plan starts and publishes
only on 100 points with every manual indicator scored."""

from datetime import date
from decimal import Decimal as D

import pytest

from assessment.models import Grade, PlanIndicator, Score
from assessment.services import compute, plans
from portal.errors import Conflict
from tests.assessment import builders
from tests.assessment.helpers import activated, computed, manual_scores_given

pytestmark = pytest.mark.django_db


def score_of(unit, code) -> Score:
    return Score.objects.select_related("indicator").get(unit=unit, indicator__code=code)


def test_a2_an_empty_department_scores_nothing_and_ratios_do_not_apply(plan, authority, unit_a,
                                                                       unit_b, department,
                                                                       other_department):
    # Department A shares: a registered entry with a described item, a request answered in
    # time, a change event updated in time. Department B did nothing at all.
    builders.resource(department)
    builders.share_request(department, other_department, due_on=date(2025, 5, 6),
                           answered_on=date(2025, 5, 5), days=3)
    builders.change_event(department, due_on=date(2025, 3, 3), status="done",
                          completed_on=date(2025, 3, 1))
    plan = activated(plan, authority)
    manual_scores_given(plan, authority, points="0")
    unit_a.refresh_from_db()
    unit_b.refresh_from_db()

    for code in ("catalog_registered", "catalog_shared", "catalog_completeness", "open_datasets"):
        empty = score_of(unit_b, code)
        assert empty.applicable and empty.score == 0, code  # nothing is worth nothing
    for code in ("catalog_update_timeliness", "share_answer_timeliness", "share_response_days",
                 "share_refusal_rate", "objection_fix_days", "census_completion",
                 "project_catalogs", "data_versions_on_cycle", "objection_count"):
        empty = score_of(unit_b, code)
        assert (empty.value, empty.score, empty.applicable) == (None, None, False), code
    assert unit_b.total == 0 and unit_b.grade == Grade.FAIL
    assert unit_a.total > unit_b.total and unit_a.rank == 1 and unit_b.rank == 2

    # A's timeliness applies and is perfect; its weight stays in A's total.
    timely = score_of(unit_a, "catalog_update_timeliness")
    assert timely.applicable and timely.score == timely.indicator.weight
    counted = Score.objects.filter(unit=unit_a, applicable=True).select_related("indicator")
    assert unit_a.weight_applied == sum(s.indicator.weight for s in counted)
    assert unit_a.total == compute.unit_total(sum(s.score or 0 for s in counted),
                                              unit_a.weight_applied, D(100))


def test_a2_a_not_applicable_indicator_neither_helps_nor_hurts(plan, authority, unit_a, unit_b,
                                                              department, other_department):
    """Two departments with the same figures except that only one had a request due, which
    it answered perfectly: the totals are equal — excluded weight is rescaled, not lost."""
    for dept in (department, other_department):
        builders.resource(dept)
    builders.share_request(department, other_department, due_on=date(2025, 5, 6),
                           answered_on=date(2025, 5, 5), days=3, answer="approved")
    plan = activated(plan, authority)
    for unit in (unit_a, unit_b):
        for score in Score.objects.filter(unit=unit, indicator__kind="computed").exclude(
                indicator__code__startswith="share_"):
            assert score.applicable == (score.value is not None or
                                        score.indicator.no_data != "exclude")
    manual_scores_given(plan, authority, points="2")
    unit_a.refresh_from_db()
    unit_b.refresh_from_db()
    shares = Score.objects.filter(unit=unit_a, indicator__code__in=[
        "share_answer_timeliness", "share_response_days", "share_refusal_rate"])
    assert all(s.score == s.indicator.weight for s in shares)  # perfect where it applies
    assert unit_b.weight_applied == unit_a.weight_applied - sum(s.indicator.weight for s in shares)
    assert unit_a.total >= unit_b.total  # the perfect answer cannot lower A
    # … and B, with no request due, is not lifted to full marks for it:
    assert not Score.objects.filter(unit=unit_b, indicator__code="share_answer_timeliness",
                                    applicable=True).exists()


def test_a1_a_plan_starts_only_on_100_points(plan, authority):
    indicator = plan.indicators.get(code="catalog_registered")
    for weight, shown in ((D("18"), "110"), (D("4.5"), "96.5")):
        indicator.weight = weight
        plans.plan_indicator_save(actor=authority, plan=plan, indicator=indicator)
        with pytest.raises(Conflict) as refused:
            plans.plan_activate(actor=authority, plan=plan)
        assert f"合计为 {shown} 分" in str(refused.value) and "应为 100 分" in str(refused.value)
        plan.refresh_from_db()
        assert plan.status == "draft"
    indicator.weight = D("8")
    plans.plan_indicator_save(actor=authority, plan=plan, indicator=indicator)
    assert plans.plan_activate(actor=authority, plan=plan).status == "active"


def test_a4_no_publication_with_unscored_manual_indicators_or_off_weights(plan, authority, unit_a):
    plan = activated(plan, authority)
    with pytest.raises(Conflict) as refused:
        plans.plan_publish(actor=authority, plan=plan)
    manual = plan.indicators.filter(kind=PlanIndicator.Kind.MANUAL).count()
    assert f"尚有 {manual * plan.units.count()} 项人工评审指标未评分" in str(refused.value)
    manual_scores_given(plan, authority)
    # Weights changed during the assessment must still add up to 100 at publication.
    indicator = plan.indicators.get(code="open_downloads")
    indicator.weight = D("10")
    plans.plan_indicator_save(actor=authority, plan=plan, indicator=indicator)
    computed(plan)
    with pytest.raises(Conflict) as refused:
        plans.plan_publish(actor=authority, plan=plan)
    assert "应为 100 分" in str(refused.value)
    indicator.weight = D("4")
    plans.plan_indicator_save(actor=authority, plan=plan, indicator=indicator)
    assert plans.plan_publish(actor=authority, plan=plan).status == "published"

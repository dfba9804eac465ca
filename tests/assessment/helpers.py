"""Shared steps of the assessment tests."""

from assessment.models import ComputationRun, Plan, Score
from assessment.services import compute, plans


def computed(plan: Plan) -> ComputationRun:
    run = ComputationRun.objects.create(plan=plan)
    return compute.plan_compute(run_id=run.pk)


def activated(plan: Plan, actor) -> Plan:
    """Start the plan and compute it (the compute task runs after commit in production)."""
    plans.plan_activate(actor=actor, plan=plan)
    computed(plan)
    plan.refresh_from_db()
    return plan


def manual_scores_given(plan: Plan, actor, points: str = "2") -> None:
    """The reviewer scores every manual indicator still unscored (publication needs it)."""
    from assessment.services import review

    unscored = Score.objects.filter(plan=plan, indicator__kind="manual", base_score__isnull=True)
    for score in unscored.select_related("indicator"):
        review.score_review(actor=actor, score=score, points_given=points, comment="按材料评分")


def manual_score(plan: Plan, unit, code: str = "organisation") -> Score:
    return Score.objects.select_related("indicator").get(plan=plan, unit=unit,
                                                         indicator__code=code)

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


def manual_score(plan: Plan, unit, code: str = "organisation") -> Score:
    return Score.objects.select_related("indicator").get(plan=plan, unit=unit,
                                                         indicator__code=code)

"""Computing a plan (A2, A4): every computed indicator for every unit, in bulk.

The cost does not grow with the number of units: one ``GROUP BY`` query per data
source over all departments, one read of the existing scores, bulk writes, and one
aggregate for the totals. Each score keeps the figures it came from (``inputs``) and
the run that produced it; the run records the query count and duration.
"""

import logging
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from assessment.indicators import INDICATORS, SOURCES, Period, add_figures, collect
from assessment.indicators.scoring import applies, rule_score
from assessment.models import ComputationRun, Plan, PlanIndicator, Score, Unit
from assessment.policies import can_manage_plan
from portal.errors import Conflict, NotPermitted
from portal.models import Department, Region, User

logger = logging.getLogger(__name__)

SCORE_FIELDS = ["value", "inputs", "base_score", "score", "applicable", "computed_at", "run"]
# A queued run younger than this absorbs further requests (an older one may be lost).
QUEUED_RUN_REUSE = timedelta(minutes=10)
# Rows per INSERT/UPDATE statement (SQLite lowers it to its variable limit).
WRITE_BATCH = 1000


@contextmanager
def count_queries():
    """Count the SQL statements run inside the block: ``with count_queries() as n: ...; n[0]``."""
    counter = [0]

    def wrapper(execute, sql, params, many, context):
        counter[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield counter


@transaction.atomic
def plan_compute_request(*, actor: User | None, plan: Plan) -> ComputationRun:
    """Queue a computation of ``plan`` (runs in Celery after the commit)."""
    from assessment.tasks import plan_compute_task

    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if actor is not None and not can_manage_plan(actor, plan):
        raise NotPermitted(_("您不能管理该考核方案。"), target=plan)
    if plan.status == Plan.Status.PUBLISHED:
        raise Conflict(_("考核结果已公布，不再重新计算；如需更正请先撤回公布。"), target=plan,
                       action="compute")
    waiting = plan.runs.filter(status=ComputationRun.Status.QUEUED,
                               requested_at__gte=timezone.now() - QUEUED_RUN_REUSE).first()
    if waiting is not None:  # several changes in a row are computed once
        return waiting
    run = ComputationRun.objects.create(plan=plan, requested_by=actor)
    plan_compute_task.delay_on_commit(run.pk)
    return run


def plan_compute(*, run_id: int) -> ComputationRun:
    """Carry out a queued run. Safe to call again: a finished run is left as it is."""
    with transaction.atomic():
        run = ComputationRun.objects.select_for_update().select_related("plan").get(pk=run_id)
        if run.status in (ComputationRun.Status.DONE, ComputationRun.Status.FAILED):
            return run
        run.status, run.started_at = ComputationRun.Status.RUNNING, timezone.now()
        run.save(update_fields=["status", "started_at"])
    started = time.perf_counter()
    try:
        with count_queries() as queries, transaction.atomic():
            plan = Plan.objects.select_for_update().get(pk=run.plan_id)
            if plan.status == Plan.Status.PUBLISHED:
                raise Conflict(_("考核结果已公布，不再重新计算。"))
            run.sources, run.proposals = compute_scores(plan=plan, run=run)
        run.status, run.query_count = ComputationRun.Status.DONE, queries[0]
    except Exception as exc:  # recorded on the run for the authority to see
        logger.exception("assessment computation %s failed", run_id)
        run.status, run.error = ComputationRun.Status.FAILED, str(exc)[:2000]
    run.finished_at = timezone.now()
    run.duration_ms = int((time.perf_counter() - started) * 1000)
    run.save()
    return run


def unit_departments(plan: Plan, units: list[Unit]) -> dict[int, list[int]]:
    """The departments each unit stands for: itself, or every department in the lower
    government's region and the regions below it (two queries)."""
    children = defaultdict(list)
    for pk, parent in Region.objects.values_list("pk", "parent_id"):
        children[parent].append(pk)

    def lineage(region_id: int) -> list[int]:
        found, frontier = [region_id], [region_id]
        while frontier:
            frontier = [c for r in frontier for c in children[r]]
            found += frontier
        return found

    region_of_unit = {u.pk: lineage(u.region_id) for u in units if u.region_id}
    wanted = {r for regions in region_of_unit.values() for r in regions}
    by_region = defaultdict(list)
    if wanted:
        for pk, region_id in Department.objects.filter(region_id__in=wanted).values_list(
                "pk", "region_id"):
            by_region[region_id].append(pk)
    return {
        u.pk: [u.department_id] if u.department_id else
        [d for r in region_of_unit[u.pk] for d in by_region[r]]
        for u in units
    }


def _score_indicator(indicator: PlanIndicator, values: dict[int, Decimal | None]
                     ) -> dict[int, Decimal | None]:
    definition = INDICATORS[indicator.code]
    known = [v for v in values.values() if v is not None]
    peak = (max(known) if definition.higher_is_better else min(known)) if known else None
    return {
        unit_id: rule_score(rule=indicator.rule, weight=indicator.weight, value=value,
                            best=indicator.best, worst=indicator.worst, no_data=indicator.no_data,
                            peak=peak, higher_is_better=definition.higher_is_better)
        for unit_id, value in values.items()
    }


def _json_figures(figures: dict) -> dict:
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in figures.items()}


def compute_scores(*, plan: Plan, run: ComputationRun | None = None) -> tuple[dict, int]:
    """Compute and store every computed score of ``plan``, refresh the totals and propose
    rectification notices. Returns (source status, proposals made)."""
    from assessment.services.rectification import notices_propose

    now = timezone.now()
    period = Period(plan.period_start, plan.period_end)
    units = list(plan.units.all())
    indicators = list(plan.indicators.all())
    computed = [i for i in indicators if i.kind == PlanIndicator.Kind.COMPUTED]
    available = [i for i in computed if i.code in INDICATORS]
    members = unit_departments(plan, units)
    department_ids = sorted({d for ds in members.values() for d in ds})
    figures, status = collect([i.code for i in available], department_ids, period)

    results: dict[tuple[int, int], tuple[Decimal | None, dict, Decimal | None, bool]] = {}
    for indicator in computed:
        definition = INDICATORS.get(indicator.code)
        source = figures.get(definition.source) if definition else None
        if source is None:
            reason = status.get(definition.source, "") if definition else "not registered"
            for unit in units:
                results[(unit.pk, indicator.pk)] = (None, {"unavailable": reason}, None, False)
            continue
        fields = SOURCES[definition.source].fields
        unit_figures = {u.pk: add_figures((source[d] for d in members[u.pk]), fields)
                        for u in units}
        values = {pk: definition.measure(f) for pk, f in unit_figures.items()}
        scores = _score_indicator(indicator, values)
        for pk in values:
            results[(pk, indicator.pk)] = (
                values[pk], _json_figures(unit_figures[pk]), scores[pk],
                applies(rule=indicator.rule, value=values[pk], no_data=indicator.no_data))

    existing = {(s.unit_id, s.indicator_id): s for s in Score.objects.filter(plan=plan)}
    to_create, to_update = [], []
    for unit in units:
        for indicator in indicators:
            score = existing.get((unit.pk, indicator.pk))
            if score is None:
                score = Score(plan=plan, unit=unit, indicator=indicator)
                to_create.append(score)
            if indicator.kind != PlanIndicator.Kind.COMPUTED:
                continue
            value, inputs, base, applicable = results[(unit.pk, indicator.pk)]
            if score.pk and (score.value, score.inputs, score.base_score, score.applicable) == (
                    value, inputs, base, applicable):
                continue  # unchanged: keeps the run that produced it, writes nothing
            score.value, score.inputs, score.base_score = value, inputs, base
            score.applicable = applicable
            score.score = score.effective()
            score.computed_at, score.run = now, run
            if score.pk:
                to_update.append(score)
    # New rows need no history entry; a change of an existing score is recorded.
    Score.objects.bulk_create(to_create, batch_size=WRITE_BATCH)
    if to_update:
        bulk_update_with_history(to_update, Score, SCORE_FIELDS, batch_size=WRITE_BATCH)
    results_refresh(plan=plan)
    plan.computed_at = now
    plan.save(update_fields=["computed_at"])
    department_units = {u.department_id for u in units if u.department_id}
    proposals = notices_propose(plan=plan, run=run, indicators=available, figures=figures,
                                department_ids=sorted(department_units))
    return status, proposals


def unit_total(earned: Decimal, applied: Decimal, full: Decimal) -> Decimal:
    """A unit's total: the points earned on the indicators that apply to it, scaled from
    their weights to the plan's full marks (an indicator marked 不适用 neither helps nor
    hurts)."""
    if not applied:
        return Decimal("0.00")
    return (Decimal(earned) * Decimal(full) / Decimal(applied)).quantize(Decimal("0.01"),
                                                                          ROUND_HALF_UP)


def results_refresh(*, plan: Plan) -> list[Unit]:
    """Totals, ranks (1, 2, 2, 4 …) and grades of every unit from the stored scores."""
    sums = {row["unit_id"]: row for row in (
        Score.objects.filter(plan=plan).order_by().values("unit_id").annotate(
            earned=Sum("score", filter=Q(applicable=True)),
            applied=Sum("indicator__weight", filter=Q(applicable=True))))}
    full = plan.indicators.aggregate(total=Sum("weight"))["total"] or Decimal(0)
    units = list(plan.units.all())
    before = {u.pk: (u.total, u.weight_applied, u.rank, u.grade) for u in units}
    for unit in units:
        row = sums.get(unit.pk, {})
        unit.weight_applied = Decimal(row.get("applied") or 0).quantize(Decimal("0.01"))
        unit.total = unit_total(row.get("earned") or 0, unit.weight_applied, full)
    ordered = sorted(units, key=lambda u: u.total, reverse=True)
    for index, unit in enumerate(ordered):
        tied = index and unit.total == ordered[index - 1].total
        unit.rank = ordered[index - 1].rank if tied else index + 1
        unit.grade = plan.grade_for(unit.total)
    changed = [u for u in units if before[u.pk] != (u.total, u.weight_applied, u.rank, u.grade)]
    Unit.objects.bulk_update(changed, ["total", "weight_applied", "rank", "grade"],
                             batch_size=WRITE_BATCH)
    return ordered

"""Every query of the assessment pages, API and tasks, filtered to what the user may see.

- The authority sees everything of the regions it manages (``policies.managed_region_ids``).
- A unit's members see their own unit's plans and scores once the plan is started;
  anyone signed in sees published plans; the public sees published results only.
- Proposed (unconfirmed) notices are the authority's alone.
"""

from collections import defaultdict
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from assessment.models import (
    OPEN_NOTICE_STATUSES,
    AnnualReport,
    Complaint,
    Evidence,
    Plan,
    PlanIndicator,
    RectificationNotice,
    RectificationReport,
    Score,
    ScoreObjection,
    SelfAssessment,
    Unit,
)
from assessment.policies import managed_region_ids
from portal.access import get_visible_or_404
from portal.models import Department, User

NONE = Q(pk__in=[])


def _region_q(user: User, field: str) -> Q:
    """``field`` (a region id path) within the regions the user manages."""
    regions = managed_region_ids(user)
    if regions is None:
        return Q()
    return Q(**{f"{field}__in": regions}) if regions else NONE


def _member_unit_q(user: User, prefix: str = "") -> Q:
    """Units ``user`` answers for (see ``policies.unit_department_ids``)."""
    department = user.department if user.is_authenticated else None
    if department is None:
        return NONE
    q = Q(**{f"{prefix}department_id": department.pk})
    if department.kind == Department.Kind.AUTHORITY:
        q |= Q(**{f"{prefix}region_id": department.region_id})
    return q


# -- plans, units, scores ------------------------------------------------------------------

def plans_visible(user: User) -> QuerySet[Plan]:
    if not user.is_authenticated:
        return plans_published()
    q = Q(status=Plan.Status.PUBLISHED)
    if managed_region_ids(user) != set():
        q |= _region_q(user, "region_id")
    member_units = Unit.objects.filter(_member_unit_q(user)).values("plan_id")
    q |= Q(pk__in=member_units) & ~Q(status=Plan.Status.DRAFT)
    return Plan.objects.filter(q).select_related("region")


def plans_managed(user: User) -> QuerySet[Plan]:
    if managed_region_ids(user) == set():
        return Plan.objects.none()
    return Plan.objects.filter(_region_q(user, "region_id")).select_related("region")


def plans_published() -> QuerySet[Plan]:
    return Plan.objects.filter(status=Plan.Status.PUBLISHED).select_related("region")


def _unit_visibility(user: User, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}plan__status": Plan.Status.PUBLISHED})
    if not user.is_authenticated:
        return q
    if managed_region_ids(user) != set():
        q |= _region_q(user, f"{prefix}plan__region_id")
    q |= _member_unit_q(user, prefix) & ~Q(**{f"{prefix}plan__status": Plan.Status.DRAFT})
    return q


def units_visible(user: User) -> QuerySet[Unit]:
    return Unit.objects.filter(_unit_visibility(user)).select_related(
        "plan", "plan__region", "department", "region")


def units_of_member(user: User) -> QuerySet[Unit]:
    """The units the user answers for, in started plans, newest first."""
    return (Unit.objects.filter(_member_unit_q(user)).exclude(plan__status=Plan.Status.DRAFT)
            .select_related("plan", "department", "region").order_by("-plan__year"))


def scores_visible(user: User) -> QuerySet[Score]:
    return Score.objects.filter(_unit_visibility(user, "unit__")).select_related(
        "plan", "unit", "indicator")


def unit_scores(unit: Unit) -> list[Score]:
    return list(unit.scores.select_related("indicator", "reviewer")
                .prefetch_related("objections").order_by("indicator__position", "indicator_id"))


def plan_indicators(plan: Plan) -> list[PlanIndicator]:
    return list(plan.indicators.order_by("position", "pk"))


def plan_ranking(plan: Plan) -> QuerySet[Unit]:
    return plan.units.select_related("plan", "department", "region").order_by("rank", "name")


def heat_table(plan: Plan) -> tuple[list[PlanIndicator], list[tuple[Unit, list[Score | None]]]]:
    """The departments × indicators table of a plan (three queries)."""
    indicators = plan_indicators(plan)
    by_pk = {ind.pk: ind for ind in indicators}
    cells = {}
    for score in Score.objects.filter(plan=plan):
        score.indicator = by_pk[score.indicator_id]  # shared, not one query per cell
        cells[(score.unit_id, score.indicator_id)] = score
    rows = [(unit, [cells.get((unit.pk, ind.pk)) for ind in indicators])
            for unit in plan_ranking(plan)]
    return indicators, rows


def unit_history(unit: Unit) -> list[tuple[int, object]]:
    """(year, total) of the same department or government in every published or the
    current plan of the same region, oldest first (year-over-year chart)."""
    same = Q(department_id=unit.department_id) if unit.department_id else Q(
        region_id=unit.region_id)
    rows = (Unit.objects.filter(same, plan__region_id=unit.plan.region_id)
            .filter(Q(plan__status=Plan.Status.PUBLISHED) | Q(pk=unit.pk))
            .order_by("plan__year").values_list("plan__year", "total"))
    return list(rows)


def region_trend(plan: Plan) -> list[tuple[int, object, int]]:
    """(year, average total, notices issued) over the region's plans, oldest first."""
    plans = (Plan.objects.filter(region_id=plan.region_id).exclude(status=Plan.Status.DRAFT)
             .annotate(average=Avg("units__total")).order_by("year").values_list("pk", "year", "average"))
    notices = dict(RectificationNotice.objects.filter(plan__region_id=plan.region_id)
                   .exclude(status__in=[RectificationNotice.Status.PROPOSED,
                                        RectificationNotice.Status.DISMISSED])
                   .order_by().values("plan_id").annotate(n=Count("pk")).values_list("plan_id", "n"))
    return [(year, average, notices.get(pk, 0)) for pk, year, average in plans]


def self_assessments_visible(user: User) -> QuerySet[SelfAssessment]:
    q = _member_unit_q(user, "unit__") & ~Q(unit__plan__status=Plan.Status.DRAFT)
    if managed_region_ids(user) != set():
        q |= _region_q(user, "unit__plan__region_id")
    return SelfAssessment.objects.filter(q).select_related("unit", "unit__plan", "indicator")


def objections_visible(user: User) -> QuerySet[ScoreObjection]:
    q = _member_unit_q(user, "score__unit__")
    if managed_region_ids(user) != set():
        q |= _region_q(user, "score__plan__region_id")
    return ScoreObjection.objects.filter(q).select_related(
        "score", "score__unit", "score__indicator", "score__plan", "raised_by", "answered_by")


# -- rectification, reports, complaints ---------------------------------------------------

def notices_visible(user: User) -> QuerySet[RectificationNotice]:
    q = NONE
    if managed_region_ids(user) != set():
        q = _region_q(user, "department__region_id")
    if user.is_authenticated and user.department_id:
        q |= Q(department_id=user.department_id) & ~Q(status__in=[
            RectificationNotice.Status.PROPOSED, RectificationNotice.Status.DISMISSED])
    return RectificationNotice.objects.filter(q).select_related("department", "plan")


def notices_open_overdue(today: date | None = None) -> QuerySet[RectificationNotice]:
    """Open notices past their deadline and not yet escalated (one indexed query)."""
    today = today or timezone.localdate()
    return RectificationNotice.objects.filter(
        status__in=[RectificationNotice.Status.ISSUED, RectificationNotice.Status.RETURNED],
        due_on__lt=today, escalated_at__isnull=True,
    )


def departments_under_consequence() -> QuerySet[Department]:
    """Departments with an escalated notice still open: their informatization projects
    are not approved or accepted and no operations funding is arranged (HN-39)."""
    return Department.objects.filter(
        rectification_notices__status=RectificationNotice.Status.ESCALATED,
    ).distinct()


def annual_reports_visible(user: User) -> QuerySet[AnnualReport]:
    q = NONE
    if managed_region_ids(user) != set():
        q = _region_q(user, "department__region_id")
    if user.is_authenticated and user.department_id:
        q |= Q(department_id=user.department_id)
    return AnnualReport.objects.filter(q).select_related("department", "submitted_by")


def complaints_visible(user: User) -> QuerySet[Complaint]:
    q = NONE
    if managed_region_ids(user) != set():
        q = _region_q(user, "respondent__region_id")
    if user.is_authenticated and user.department_id:
        q |= Q(complainant_id=user.department_id)
        q |= Q(respondent_id=user.department_id) & Q(
            status__in=[Complaint.Status.HANDLING, Complaint.Status.ANSWERED])
    return Complaint.objects.filter(q).select_related("complainant", "respondent", "notice")


def complaint_targets(user: User) -> QuerySet[Department]:
    """Departments a department may complain about: every other active department."""
    return Department.objects.filter(is_active=True).exclude(pk=user.department_id).exclude(
        kind__in=[Department.Kind.AUTHORITY, Department.Kind.INFORMATION_CENTER])


# -- overview ---------------------------------------------------------------------------------

def overdue_items(user: User, today: date | None = None) -> dict[str, QuerySet]:
    """Everything past its deadline that the user may see, for the authority's overview."""
    today = today or timezone.localdate()
    return {
        "notices": notices_visible(user).filter(status__in=OPEN_NOTICE_STATUSES,
                                                due_on__lt=today).order_by("due_on")[:20],
        "complaints": complaints_visible(user).filter(
            status__in=[Complaint.Status.SUBMITTED, Complaint.Status.HANDLING],
            due_on__lt=today).order_by("due_on")[:20],
        "objections": objections_visible(user).filter(
            status=ScoreObjection.Status.OPEN, due_on__lt=today).order_by("due_on")[:20],
        "reports": annual_reports_visible(user).filter(
            status__in=[AnnualReport.Status.DRAFT, AnnualReport.Status.RETURNED],
            due_on__lt=today).order_by("due_on")[:20],
    }


def notice_counts_by_status(user: User) -> dict[str, int]:
    rows = notices_visible(user).order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


# -- evidence --------------------------------------------------------------------------------

def evidence_for(obj) -> list[Evidence]:
    return list(Evidence.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk))


def evidence_by_parent(objects) -> dict[int, list[Evidence]]:
    """Evidence of several objects of one model in one query, keyed by parent id."""
    objects = list(objects)
    if not objects:
        return {}
    found = defaultdict(list)
    for item in Evidence.objects.filter(
            content_type=ContentType.objects.get_for_model(objects[0]),
            object_id__in=[o.pk for o in objects]):
        found[item.object_id].append(item)
    return found


_EVIDENCE_PARENTS = {
    "selfassessment": self_assessments_visible,
    "rectificationnotice": notices_visible,
    "rectificationreport": lambda user: RectificationReport.objects.filter(
        notice__in=notices_visible(user)),
    "complaint": complaints_visible,
}


def evidence_visible_or_404(request: HttpRequest, pk: int) -> Evidence:
    """The evidence file if the user may see its parent object; 404 otherwise (audited)."""
    evidence = Evidence.objects.select_related("content_type").filter(pk=pk).first()
    if evidence is None or evidence.content_type.model not in _EVIDENCE_PARENTS:
        raise Http404
    visible = _EVIDENCE_PARENTS[evidence.content_type.model](request.user)
    get_visible_or_404(request, visible, pk=evidence.object_id)
    return evidence

"""Dashboards: the authority's overview and a department's own page; the public results."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from assessment.models import Plan, Unit
from assessment.policies import can_manage_assessments
from assessment.selectors import (
    annual_reports_visible,
    complaints_visible,
    departments_under_consequence,
    heat_table,
    notice_counts_by_status,
    notices_visible,
    overdue_items,
    plans_managed,
    plans_published,
    region_trend,
    unit_scores,
    units_of_member,
)
from assessment.views.plans import trend_charts, unit_charts
from portal.access import get_visible_or_404


@login_required
def dashboard(request):
    user = request.user
    if can_manage_assessments(user):
        return _authority_dashboard(request)
    if user.department_id:
        return _department_dashboard(request)
    return redirect("assessment:plan_list")


def _authority_dashboard(request):
    user = request.user
    plans = list(plans_managed(user).order_by("-year", "region__code")[:10])
    chosen = next((p for p in plans if str(p.pk) == request.GET.get("plan")), None) or next(
        (p for p in plans if p.status != Plan.Status.DRAFT), plans[0] if plans else None)
    context = {"plans": plans, "plan": chosen, "overdue": overdue_items(user),
               "notice_counts": notice_counts_by_status(user),
               "under_consequence": departments_under_consequence()[:20]}
    if chosen is not None:
        indicators, rows = heat_table(chosen)
        trend = region_trend(chosen)
        context.update(indicators=indicators, rows=rows,
                       trend_charts=trend_charts(trend) if trend else None)
    return render(request, "assessment/dashboard_authority.html", context)


def _department_dashboard(request):
    user = request.user
    units = list(units_of_member(user)[:5])
    latest = units[0] if units else None
    context = {"units": units, "unit": latest, "today": timezone.localdate(),
               "notices": notices_visible(user).filter(department_id=user.department_id)[:10],
               "reports": annual_reports_visible(user).filter(department_id=user.department_id)[:3],
               "complaints": complaints_visible(user)[:10]}
    if latest is not None:
        context["scores"] = unit_scores(latest)
        context["breakdown"], context["yoy"] = unit_charts(latest, context["scores"])
    return render(request, "assessment/dashboard_department.html", context)


# -- public -----------------------------------------------------------------------------------

def public_index(request):
    plans = plans_published().order_by("-year", "region__code")
    return render(request, "assessment/public_index.html", {"plans": plans})


def public_results(request, year: int):
    """The published results of ``year`` (HN-38): ranking and scores of every unit."""
    plans = list(plans_published().filter(year=year).order_by("region__code"))
    if not plans:
        raise Http404
    sections = []
    for plan in plans:
        indicators, rows = heat_table(plan)
        sections.append({"plan": plan, "indicators": indicators, "rows": rows})
    return render(request, "assessment/public_results.html", {"year": year, "sections": sections})


def public_unit(request, year: int, pk: int):
    unit = get_visible_or_404(
        request, Unit.objects.filter(plan__in=plans_published().filter(year=year))
        .select_related("plan", "department", "region"), pk=pk)
    scores = unit_scores(unit)
    breakdown, yoy = unit_charts(unit, scores)
    return render(request, "assessment/public_unit.html", {
        "unit": unit, "plan": unit.plan, "scores": scores, "breakdown": breakdown, "yoy": yoy})



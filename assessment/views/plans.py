"""The authority's plan pages (A1, A2, A4) and the unit report page (A3, A4)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessment import charts
from assessment.exports import plan_pdf, plan_xlsx, unit_pdf
from assessment.forms import (
    CommentForm,
    IndicatorFormSet,
    ObjectionAnswerForm,
    ObjectionForm,
    PlanCreateForm,
    PlanEditForm,
    ReasonForm,
    ReviewForm,
    ScopeForm,
    SelfAssessmentForm,
)
from assessment.models import (
    Plan,
    PlanIndicator,
    RectificationNotice,
)
from assessment.policies import (
    can_answer_objection,
    can_manage_assessments,
    can_manage_plan,
    can_object_to_score,
    can_review_score,
    can_self_assess,
    can_submit_self_assessment,
    managed_region_ids,
)
from assessment.selectors import (
    evidence_by_parent,
    heat_table,
    objections_visible,
    plans_managed,
    plans_published,
    plans_visible,
    region_trend,
    scores_visible,
    self_assessments_visible,
    unit_history,
    unit_scores,
    units_of_member,
    units_visible,
)
from assessment.services import compute, plans, review
from portal.access import get_visible_or_404
from portal.models import Region
from portal.refusals import perform


def _regions_for(user):
    regions = managed_region_ids(user)
    return Region.objects.all() if regions is None else Region.objects.filter(pk__in=regions)


def form_error_message(form) -> str:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}：{errors[0]}" if label else errors[0]
    return _("请检查填写的内容。")


@login_required
def plan_list(request):
    page = Paginator(plans_visible(request.user).order_by("-year", "region__code"), 20).get_page(
        request.GET.get("page"))
    return render(request, "assessment/plan_list.html", {
        "page": page, "can_create": can_manage_assessments(request.user)})


@login_required
def plan_create(request):
    if not can_manage_assessments(request.user):
        raise PermissionDenied
    form = PlanCreateForm(request.POST or None, regions=_regions_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = perform(request, lambda: plans.plan_create(
            actor=request.user, region=data["region"], year=data["year"], title=data["title"],
            description=data["description"], indicator_codes=data["indicators"],
            include_manual=data["include_manual"],
            self_assessment_due=data["self_assessment_due"], review_due=data["review_due"],
            publish_due=data["publish_due"]), form=form, success=_("考核方案已创建。"))
        if plan:
            return redirect("assessment:plan_detail", plan.pk)
    return render(request, "assessment/plan_create.html", {"form": form})


@login_required
def plan_detail(request, pk: int):
    plan = get_visible_or_404(request, plans_visible(request.user), pk=pk)
    manager = can_manage_plan(request.user, plan)
    context = {"plan": plan, "manager": manager,
               "my_units": units_of_member(request.user).filter(plan=plan)}
    if manager or plan.status == Plan.Status.PUBLISHED:
        indicators, rows = heat_table(plan)
        context.update(indicators=indicators, rows=rows)
    if manager:
        trend = region_trend(plan)
        context.update(
            runs=plan.runs.select_related("requested_by")[:5],
            weight_total=plans.plan_weight_total(plan),
            trend_charts=trend_charts(trend) if len(trend) > 1 else None,
            proposals=plan.notices.filter(status=RectificationNotice.Status.PROPOSED).count(),
            publish_blockers=(plans.plan_publish_blockers(plan)
                              if plan.status == Plan.Status.ACTIVE else []),
            unpublish_form=ReasonForm(),
        )
    return render(request, "assessment/plan_detail.html", context)


@login_required
def plan_edit(request, pk: int):
    plan = get_visible_or_404(request, plans_managed(request.user), pk=pk)
    scope_post = request.method == "POST" and "scope" in request.POST
    scope = ScopeForm(request.POST if scope_post else None, plan=plan)
    if scope_post and scope.is_valid():
        if perform(request, lambda: plans.plan_scope_set(
                actor=request.user, plan=plan,
                department_ids=[d.pk for d in scope.cleaned_data["departments"]],
                region_ids=[r.pk for r in scope.cleaned_data["governments"]]),
                form=scope, success=_("考核范围已保存。")):
            return redirect("assessment:plan_detail", plan.pk)
    form = PlanEditForm(None if scope_post else request.POST or None, instance=plan)
    if request.method == "POST" and not scope_post and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in PlanEditForm.Meta.fields}
        plan.refresh_from_db()
        if perform(request, lambda: plans.plan_update(actor=request.user, plan=plan, **fields),
                   form=form, success=_("方案已保存。")):
            return redirect("assessment:plan_detail", plan.pk)
    return render(request, "assessment/plan_edit.html", {
        "plan": plan, "form": form,
        "scope": scope if plan.status == Plan.Status.DRAFT else None})


@login_required
def plan_indicators(request, pk: int):
    plan = get_visible_or_404(request, plans_managed(request.user), pk=pk)
    queryset = plan.indicators.order_by("position", "pk")
    formset = IndicatorFormSet(request.POST or None, queryset=queryset)
    if request.method == "POST" and formset.is_valid():
        saved = True
        with transaction.atomic():  # one recomputation for all the changes
            for form in formset.forms:
                if form.has_changed():
                    saved = perform(request, lambda f=form: plans.plan_indicator_save(
                        actor=request.user, plan=plan, indicator=f.save(commit=False)),
                        form=form) and saved
        if saved:
            messages.success(request, _("指标已保存。"))
            return redirect("assessment:plan_detail", plan.pk)
    return render(request, "assessment/plan_indicators.html", {
        "plan": plan, "formset": formset})


@login_required
@require_POST
def plan_action(request, pk: int, action: str):
    plan = get_visible_or_404(request, plans_managed(request.user), pk=pk)
    actions = {
        "activate": (lambda: plans.plan_activate(actor=request.user, plan=plan),
                     _("考核已启动，正在计算指标。")),
        "compute": (lambda: compute.plan_compute_request(actor=request.user, plan=plan),
                    _("已开始重新计算，稍后刷新即可看到结果。")),
        "publish": (lambda: plans.plan_publish(actor=request.user, plan=plan),
                    _("考核结果已公布。")),
        "unpublish": (lambda: plans.plan_unpublish(actor=request.user, plan=plan,
                                                   reason=request.POST.get("reason", "")),
                      _("已撤回公布。")),
    }
    if action not in actions:
        raise PermissionDenied
    call, success = actions[action]
    perform(request, call, success=success)
    return redirect("assessment:plan_detail", plan.pk)


def _export_plans(user):
    return Plan.objects.filter(Q(pk__in=plans_published().values("pk"))
                               | Q(pk__in=plans_managed(user).values("pk")))


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def plan_export(request, pk: int, fmt: str):
    """XLSX or PDF of a plan's results: published plans for anyone, others for managers."""
    plan = get_visible_or_404(request, _export_plans(request.user), pk=pk)
    if fmt == "xlsx":
        return _download(plan_xlsx(plan), f"assessment-{plan.year}-{plan.pk}.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return _download(plan_pdf(plan), f"assessment-{plan.year}-{plan.pk}.pdf", "application/pdf")


def unit_export(request, plan_pk: int, pk: int):
    unit = get_visible_or_404(request, units_visible(request.user).filter(plan_id=plan_pk), pk=pk)
    return _download(unit_pdf(unit), f"assessment-{unit.plan.year}-unit-{unit.pk}.pdf",
                     "application/pdf")


def trend_charts(trend) -> list[tuple[str, str]]:
    """The region's years side by side: the average total (points) and the notices issued
    (a count) — two (caption, chart) pairs, each chart on its own labelled axis."""
    years = [str(year) for year, _average, _notices in trend]
    average, notices = _("历年平均总分（分）"), _("历年下发整改通知（件）")
    return [
        (average, charts.column_chart(list(zip(years, [a for _y, a, _n in trend], strict=True)),
                                      title=average, maximum=100, unit=_("分"))),
        (notices, charts.column_chart(list(zip(years, [n for _y, _a, n in trend], strict=True)),
                                      title=notices, unit=_("件"), places=0)),
    ]


def unit_charts(unit, scores):
    breakdown = charts.bar_chart(
        [(s.indicator.name, s.score if s.applicable else None, s.indicator.weight) for s in scores],
        title=_("指标得分构成"), value_label=_("得分"), track_label=_("分值"),
        missing_label=_("不适用"))
    history = unit_history(unit)
    yoy = charts.column_chart([(str(y), t) for y, t in history], title=_("历年总分"),
                              maximum=100, unit=_("分")) if history else None
    return breakdown, yoy


@login_required
def unit_detail(request, plan_pk: int, pk: int):
    """A unit's report: total, rank, charts, every score with its basis, and the forms of
    self-assessment, review and objection that the user may use."""
    unit = get_visible_or_404(request, units_visible(request.user).filter(plan_id=plan_pk), pk=pk)
    plan, user = unit.plan, request.user
    scores = unit_scores(unit)
    assessments = {a.indicator_id: a for a in self_assessments_visible(user).filter(unit=unit)}
    evidence = evidence_by_parent(assessments.values())
    objections = list(objections_visible(user).filter(score__unit=unit))
    breakdown, yoy = unit_charts(unit, scores)
    active = plan.status == Plan.Status.ACTIVE
    rows = []
    for score in scores:
        assessment = assessments.get(score.indicator_id)
        manual = score.indicator.kind == PlanIndicator.Kind.MANUAL
        rows.append({
            "score": score, "manual": manual, "assessment": assessment,
            "evidence": evidence.get(assessment.pk, []) if assessment else [],
            "objections": [o for o in objections if o.score_id == score.pk],
            "can_edit": active and manual and can_self_assess(user, unit) and (
                assessment is None or assessment.status in ("draft", "returned")),
            "can_review": active and manual and can_review_score(user, score),
            "can_object": active and can_object_to_score(user, score) and (
                score.computed_at or score.reviewed_at),
        })
    return render(request, "assessment/unit_detail.html", {
        "unit": unit, "plan": plan, "rows": rows, "breakdown": breakdown, "yoy": yoy,
        "manager": can_manage_plan(user, plan),
        "can_submit": can_submit_self_assessment(user, unit),
        "self_form": SelfAssessmentForm(), "review_form": ReviewForm(),
        "objection_form": ObjectionForm(), "answer_form": ObjectionAnswerForm(),
        "return_form": CommentForm(),
        "answerable": {o.pk for o in objections if o.status == "open" and active
                       and can_answer_objection(user, o)},
    })


def _back_to_unit(unit):
    return redirect(reverse("assessment:unit_detail", args=[unit.plan_id, unit.pk]))


@login_required
@require_POST
def self_assessment_post(request, plan_pk: int, pk: int, indicator_pk: int):
    unit = get_visible_or_404(request, units_visible(request.user).filter(plan_id=plan_pk), pk=pk)
    indicator = get_visible_or_404(request, unit.plan.indicators.all(), pk=indicator_pk)
    form = SelfAssessmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_error_message(form))
        return _back_to_unit(unit)
    data = form.cleaned_data
    saved = perform(request, lambda: review.self_assessment_save(
        actor=request.user, unit=unit, indicator=indicator, claimed_score=data["claimed_score"],
        statement=data["statement"], files=data["files"]),
        success="" if "submit" in request.POST else _("自评已保存。"))
    if saved and "submit" in request.POST:
        perform(request, lambda: review.self_assessment_submit(actor=request.user, assessment=saved),
                success=_("自评已提交，等待评审。"))
    return _back_to_unit(unit)


@login_required
@require_POST
def score_review_post(request, pk: int):
    score = get_visible_or_404(request, scores_visible(request.user), pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        perform(request, lambda: review.score_review(
            actor=request.user, score=score, points_given=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"]), success=_("评审得分已保存。"))
    else:
        messages.error(request, form_error_message(form))
    return _back_to_unit(score.unit)


@login_required
@require_POST
def self_assessment_return_post(request, pk: int):
    assessment = get_visible_or_404(request, self_assessments_visible(request.user), pk=pk)
    perform(request, lambda: review.self_assessment_return(
        actor=request.user, assessment=assessment, comment=request.POST.get("comment", "")),
        success=_("已退回补充材料。"))
    return _back_to_unit(assessment.unit)


@login_required
@require_POST
def objection_post(request, pk: int):
    score = get_visible_or_404(request, scores_visible(request.user), pk=pk)
    perform(request, lambda: review.objection_raise(
        actor=request.user, score=score, reason=request.POST.get("reason", "")),
        success=_("异议已提交，主管部门将在期限内答复。"))
    return _back_to_unit(score.unit)


@login_required
@require_POST
def objection_answer_post(request, pk: int):
    objection = get_visible_or_404(request, objections_visible(request.user), pk=pk)
    form = ObjectionAnswerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        perform(request, lambda: review.objection_answer(
            actor=request.user, objection=objection, upheld=data["upheld"], answer=data["answer"],
            new_score=data["new_score"]), success=_("异议已答复。"))
    else:
        messages.error(request, form_error_message(form))
    return _back_to_unit(objection.score.unit)

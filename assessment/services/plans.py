"""Plans (A1): the authority's yearly plan with scope, indicators and timetable."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.indicators import INDICATORS, MANUAL_DEFAULTS
from assessment.models import (
    PLAN_TRANSITIONS,
    NoData,
    Plan,
    PlanIndicator,
    Score,
    ScoreObjection,
    ScoringRule,
    SelfAssessment,
    Unit,
)
from assessment.policies import can_manage_plan, manages_region
from assessment.services.common import authority_users, required_text, unit_signers
from portal.errors import Conflict, NotPermitted, ValidationFailed
from portal.models import Department, Region, User
from portal.services.inbox import inbox_add, inbox_close, notify
from portal.workflow import transition_apply

ASSESSED_KINDS = (Department.Kind.GOVERNMENT, Department.Kind.PUBLIC_INSTITUTION,
                  Department.Kind.PUBLIC_ENTERPRISE)


def _fail(field: str, message: str):
    raise ValidationFailed(message, fields={field: [message]})


def default_timetable(year: int) -> dict[str, date]:
    return {
        "period_start": date(year, 1, 1),
        "period_end": date(year, 12, 31),
        "self_assessment_due": date(year + 1, 1, 31),
        "review_due": date(year + 1, 3, 15),
        "publish_due": date(year + 1, 3, 31),
    }


def _validate_plan(plan: Plan) -> None:
    if not 2000 <= plan.year <= 2100:
        _fail("year", _("请填写 2000 至 2100 之间的考核年度。"))
    if plan.period_end < plan.period_start:
        _fail("period_end", _("统计期止不能早于统计期起。"))
    if not plan.self_assessment_due <= plan.review_due <= plan.publish_due:
        _fail("review_due", _("时间安排应依次为：自评截止、评审截止、公布日期。"))
    if not plan.grade_pass <= plan.grade_good <= plan.grade_excellent:
        _fail("grade_good", _("等次分数线应满足：合格线 ≤ 良好线 ≤ 优秀线。"))


def _scope_units(plan: Plan) -> list[Unit]:
    """Own-level departments and next-lower governments of the plan's region (HN-38)."""
    departments = Department.objects.filter(region_id=plan.region_id, is_active=True,
                                            kind__in=ASSESSED_KINDS).order_by("name")
    governments = Region.objects.filter(parent_id=plan.region_id).order_by("code")
    return [Unit(plan=plan, kind=Unit.Kind.DEPARTMENT, department=d, name=d.name)
            for d in departments] + [
        Unit(plan=plan, kind=Unit.Kind.GOVERNMENT, region=r, name=f"{r.name}人民政府")
        for r in governments]


def default_indicators(plan: Plan, codes: Iterable[str] | None = None,
                       include_manual: bool = True) -> list[PlanIndicator]:
    chosen = ([c for c, d in INDICATORS.items() if d.in_default_set] if codes is None
              else [c for c in INDICATORS if c in set(codes)])
    rows = [
        PlanIndicator(plan=plan, code=d.code, kind=PlanIndicator.Kind.COMPUTED, name=d.name,
                      category=d.category, description=d.description, weight=d.weight,
                      rule=d.rule, best=d.best, worst=d.worst, no_data=d.no_data)
        for d in (INDICATORS[c] for c in chosen)
    ]
    if include_manual:
        rows += [PlanIndicator(plan=plan, kind=PlanIndicator.Kind.MANUAL, rule=ScoringRule.MANUAL,
                               no_data=NoData.ZERO, **m) for m in MANUAL_DEFAULTS]
    for position, row in enumerate(rows, start=1):
        row.position = position
    return rows


@transaction.atomic
def plan_create(
    *,
    actor: User,
    region: Region,
    year: int,
    title: str = "",
    description: str = "",
    indicator_codes: Iterable[str] | None = None,
    include_manual: bool = True,
    **timetable,
) -> Plan:
    """Create a draft plan with its default scope and indicators (A1)."""
    if not manages_region(actor, region.pk):
        raise NotPermitted(_("您不是该地区的信息化主管部门，不能制定考核方案。"))
    if Plan.objects.filter(region=region, year=year).exists():
        _fail("year", _("%(region)s %(year)s 年度的考核方案已存在，请直接修改。")
              % {"region": region.name, "year": year})
    dates = {**default_timetable(year), **{k: v for k, v in timetable.items() if v}}
    plan = Plan(region=region, year=year, description=description, created_by=actor,
                title=title.strip() or _("%(region)s %(year)s 年度公共信息资源共享开放考核")
                % {"region": region.name, "year": year}, **dates)
    _validate_plan(plan)
    plan.save()
    Unit.objects.bulk_create(_scope_units(plan))
    PlanIndicator.objects.bulk_create(default_indicators(plan, indicator_codes, include_manual))
    return plan


def _locked_plan(plan: Plan, actor: User) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not can_manage_plan(actor, plan):
        raise NotPermitted(_("您不能管理该考核方案。"), target=plan)
    return plan


@transaction.atomic
def plan_update(*, actor: User, plan: Plan, **fields) -> Plan:
    """Change title, description, timetable or grade thresholds (not once published)."""
    plan = _locked_plan(plan, actor)
    if plan.status == Plan.Status.PUBLISHED:
        raise Conflict(_("考核结果已公布，请先撤回公布再修改方案。"), target=plan)
    allowed = {"title", "description", "period_start", "period_end", "self_assessment_due",
               "review_due", "publish_due", "grade_excellent", "grade_good", "grade_pass"}
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(f"plan field {name!r} cannot be updated")
        setattr(plan, name, value)
    plan.title = required_text(plan.title, "title", _("请填写方案名称。"))
    _validate_plan(plan)
    plan.save()
    return plan


@transaction.atomic
def plan_scope_set(*, actor: User, plan: Plan, department_ids: Iterable[int],
                   region_ids: Iterable[int]) -> list[Unit]:
    """Replace the assessed units of a draft plan."""
    plan = _locked_plan(plan, actor)
    if plan.status != Plan.Status.DRAFT:
        raise Conflict(_("考核已启动，不能再调整考核对象。"), target=plan)
    departments = list(Department.objects.filter(pk__in=list(department_ids),
                                                 region_id=plan.region_id))
    regions = list(Region.objects.filter(pk__in=list(region_ids), parent_id=plan.region_id))
    if not departments and not regions:
        _fail("units", _("请至少选择一个考核对象。"))
    plan.units.all().delete()
    return Unit.objects.bulk_create(
        [Unit(plan=plan, kind=Unit.Kind.DEPARTMENT, department=d, name=d.name)
         for d in departments]
        + [Unit(plan=plan, kind=Unit.Kind.GOVERNMENT, region=r, name=f"{r.name}人民政府")
           for r in regions])


def _validate_indicator(indicator: PlanIndicator) -> None:
    if indicator.kind == PlanIndicator.Kind.COMPUTED:
        if indicator.code not in INDICATORS:
            _fail("code", _("没有代码为“%(code)s”的自动计算指标。") % {"code": indicator.code})
        if indicator.rule == ScoringRule.MANUAL:
            _fail("rule", _("自动计算指标请选择线性插值、达标得分或相对最优值规则。"))
    elif indicator.rule != ScoringRule.MANUAL:
        _fail("rule", _("人工评审指标的评分规则应为“评审打分”。"))
    if indicator.weight is None or indicator.weight < 0:
        _fail("weight", _("分值不能为负数。"))
    if indicator.rule == ScoringRule.LINEAR and (
            indicator.best is None or indicator.worst is None or indicator.best == indicator.worst):
        _fail("best", _("线性插值规则需要填写不相等的满分值和零分值。"))
    if indicator.rule == ScoringRule.THRESHOLD and indicator.best is None:
        _fail("best", _("达标得分规则需要填写满分值（达标值）。"))
    if not (indicator.name or "").strip():
        _fail("name", _("请填写指标名称。"))


@transaction.atomic
def plan_indicator_save(*, actor: User, plan: Plan, indicator: PlanIndicator) -> PlanIndicator:
    """Add or change one indicator of a plan not yet published; recompute if started."""
    plan = _locked_plan(plan, actor)
    if plan.status == Plan.Status.PUBLISHED:
        raise Conflict(_("考核结果已公布，不能修改指标。"), target=plan)
    if indicator.pk and indicator.plan_id != plan.pk:
        raise NotPermitted(_("该指标不属于此考核方案。"))
    if not indicator.pk and plan.status != Plan.Status.DRAFT:
        raise Conflict(_("考核已启动，不能再增加指标，只能调整分值和评分规则。"), target=plan)
    indicator.plan = plan
    _validate_indicator(indicator)
    if plan.indicators.filter(code=indicator.code).exclude(pk=indicator.pk).exists():
        _fail("code", _("指标代码“%(code)s”已在本方案中。") % {"code": indicator.code})
    if not indicator.pk:
        indicator.position = (plan.indicators.count() or 0) + 1
    indicator.save()
    if plan.status == Plan.Status.ACTIVE:
        from assessment.services.compute import plan_compute_request

        plan_compute_request(actor=actor, plan=plan)
    return indicator


@transaction.atomic
def plan_indicator_delete(*, actor: User, indicator: PlanIndicator) -> None:
    plan = _locked_plan(indicator.plan, actor)
    if plan.status != Plan.Status.DRAFT:
        raise Conflict(_("考核已启动，不能删除指标。"), target=plan)
    indicator.delete()


def plan_weight_total(plan: Plan) -> Decimal:
    return plan.indicators.aggregate(total=Sum("weight"))["total"] or Decimal(0)


# The grade lines (90 / 75 / 60 by default) are points out of 100: the weights must add
# up to exactly that, or a grade means something else in every plan.
FULL_MARKS = Decimal("100")


def _weights_problem(plan: Plan) -> str:
    total = plan_weight_total(plan)
    if total == FULL_MARKS:
        return ""
    return _("各指标分值合计为 %(total)s 分，应为 100 分（等次线为优秀 %(excellent)s、良好 %(good)s、"
             "合格 %(pass)s 分，按百分制设定）。请调整指标分值，使合计为 100 分。") % {
        "total": f"{total.normalize():f}", "excellent": f"{plan.grade_excellent.normalize():f}",
        "good": f"{plan.grade_good.normalize():f}", "pass": f"{plan.grade_pass.normalize():f}"}


def _ensure_full_marks(plan: Plan, action: str) -> None:
    if problem := _weights_problem(plan):
        raise Conflict(problem, target=plan, action=action)


def plan_publish_blockers(plan: Plan) -> list[str]:
    """Why an active ``plan`` cannot be published yet (A4, HN-38), every reason at once:
    indicators never computed, unanswered objections, self-assessments awaiting review,
    unscored manual indicators, weights not adding up to 100. Empty: it can be."""
    blockers = []
    if plan.computed_at is None:
        blockers.append(_("尚未计算考核指标，请先计算。"))
    open_objections = ScoreObjection.objects.filter(
        score__plan=plan, status=ScoreObjection.Status.OPEN).count()
    if open_objections:
        blockers.append(_("尚有 %(n)d 条得分异议未答复，请答复后再公布。") % {"n": open_objections})
    waiting = SelfAssessment.objects.filter(unit__plan=plan,
                                            status=SelfAssessment.Status.SUBMITTED).count()
    if waiting:
        blockers.append(_("尚有 %(n)d 项自评待评审，请评审后再公布。") % {"n": waiting})
    unscored = Score.objects.filter(plan=plan, indicator__kind=PlanIndicator.Kind.MANUAL,
                                    base_score__isnull=True, adjusted_score__isnull=True)
    if count := unscored.count():
        units = unscored.values("unit_id").distinct().count()
        blockers.append(
            _("尚有 %(n)d 项人工评审指标未评分（涉及 %(units)d 个考核对象），请在各考核对象的页面"
              "评分后再公布；未提交自评的也须评分（可评 0 分并说明）。") % {"n": count, "units": units})
    if problem := _weights_problem(plan):
        blockers.append(problem)
    return blockers


def _plan_url(plan: Plan) -> str:
    return reverse("assessment:plan_detail", args=[plan.pk])


def _ensure_scores(plan: Plan) -> None:
    """One score row per unit and indicator (values come from computing or reviewing)."""
    have = set(Score.objects.filter(plan=plan).values_list("unit_id", "indicator_id"))
    Score.objects.bulk_create([
        Score(plan=plan, unit_id=unit_id, indicator_id=indicator_id)
        for unit_id in plan.units.values_list("pk", flat=True)
        for indicator_id in plan.indicators.values_list("pk", flat=True)
        if (unit_id, indicator_id) not in have
    ])


@transaction.atomic
def plan_activate(*, actor: User, plan: Plan, comment: str = "") -> Plan:
    """Start the assessment: units self-assess manual indicators; indicators are computed."""
    plan = _locked_plan(plan, actor)
    if not plan.units.exists():
        raise Conflict(_("方案没有考核对象，请先设置考核范围。"), target=plan)
    _ensure_full_marks(plan, "activate")
    transition_apply(obj=plan, table=PLAN_TRANSITIONS, action="activate", actor=actor,
                     comment=comment, save=False)
    plan.activated_at = timezone.now()
    plan.save()
    _ensure_scores(plan)
    has_manual = plan.indicators.filter(kind=PlanIndicator.Kind.MANUAL).exists()
    if has_manual:
        for unit in plan.units.all():
            inbox_add(users=unit_signers(unit), key=f"assessment:plan:{plan.pk}:self:{unit.pk}",
                      title=_("填报考核自评：%(plan)s") % {"plan": plan.title},
                      url=reverse("assessment:unit_detail", args=[plan.pk, unit.pk]),
                      due_on=plan.self_assessment_due, target=plan)
    from assessment.services.compute import plan_compute_request

    plan_compute_request(actor=actor, plan=plan)
    return plan


@transaction.atomic
def plan_publish(*, actor: User, plan: Plan, comment: str = "") -> Plan:
    """Publish the results on the public page (A4, HN-38).

    Refused, with every reason, while :func:`plan_publish_blockers` finds any.
    """
    plan = _locked_plan(plan, actor)
    if plan.status == Plan.Status.ACTIVE and (blockers := plan_publish_blockers(plan)):
        raise Conflict(" ".join(blockers), target=plan, action="publish")
    transition_apply(obj=plan, table=PLAN_TRANSITIONS, action="publish", actor=actor,
                     comment=comment, save=False)
    plan.published_at = timezone.now()
    plan.save()
    url = reverse("assessment:public_results", args=[plan.year])
    for unit in plan.units.all():
        inbox_close(key=f"assessment:plan:{plan.pk}:self:{unit.pk}")
        notify(users=unit_signers(unit), key=f"assessment:plan:{plan.pk}:published:{unit.pk}",
               title=_("考核结果已公布：%(plan)s") % {"plan": plan.title}, url=url)
    return plan


@transaction.atomic
def plan_unpublish(*, actor: User, plan: Plan, reason: str) -> Plan:
    """Withdraw published results (e.g. to correct them); the reason is recorded."""
    plan = _locked_plan(plan, actor)
    reason = required_text(reason, "reason", _("请填写撤回公布的理由。"))
    transition_apply(obj=plan, table=PLAN_TRANSITIONS, action="unpublish", actor=actor,
                     comment=reason, save=False)
    plan.published_at = None
    plan.save()
    notify(users=authority_users(plan.region_id), key=f"assessment:plan:{plan.pk}:unpublished:"
           f"{timezone.now():%Y%m%d%H%M%S}", title=_("考核结果已撤回公布：%(plan)s") % {
               "plan": plan.title}, body=reason, url=_plan_url(plan))
    return plan

"""Manual indicators (A3): self-assessment with evidence, reviewer scores with comments,
and a unit's objection to any of its scores with the authority's written answer."""

from collections.abc import Iterable
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import deadlines
from assessment.models import (
    OBJECTION_TRANSITIONS,
    SELF_ASSESSMENT_TRANSITIONS,
    Plan,
    PlanIndicator,
    Score,
    ScoreObjection,
    SelfAssessment,
    Unit,
)
from assessment.policies import (
    can_answer_objection,
    can_object_to_score,
    can_review_score,
    can_self_assess,
    can_submit_self_assessment,
)
from assessment.services.common import (
    authority_users,
    points,
    required_text,
    unit_signers,
)
from assessment.services.compute import results_refresh
from assessment.services.evidence import evidence_attach
from portal.deadlines import deadline_start
from portal.errors import Conflict, NotPermitted, ValidationFailed
from portal.models import User
from portal.rules import region_due
from portal.services.inbox import inbox_add, inbox_close, notify
from portal.workflow import transition_apply


def _unit_url(unit: Unit) -> str:
    return reverse("assessment:unit_detail", args=[unit.plan_id, unit.pk])


def _require_active(plan: Plan) -> None:
    if plan.status != Plan.Status.ACTIVE:
        raise Conflict(_("考核不在进行中（当前：%(status)s），不能办理此事项。")
                       % {"status": plan.get_status_display()}, target=plan)


def _review_key(assessment: SelfAssessment) -> str:
    return f"assessment:self:{assessment.pk}:review"


# -- self-assessment ------------------------------------------------------------------------

@transaction.atomic
def self_assessment_save(
    *,
    actor: User,
    unit: Unit,
    indicator: PlanIndicator,
    claimed_score,
    statement: str,
    files: Iterable[UploadedFile] = (),
) -> SelfAssessment:
    """Create or edit a unit's self-assessment on a manual indicator, adding evidence."""
    unit = Unit.objects.select_related("plan").get(pk=unit.pk)
    if not can_self_assess(actor, unit):
        raise NotPermitted(_("只有考核对象的填报员、数据管理员或第一责任人可以填写自评。"),
                           target=unit)
    if indicator.plan_id != unit.plan_id or indicator.kind != PlanIndicator.Kind.MANUAL:
        raise ValidationFailed(_("只能对本方案的人工评审指标自评。"),
                               fields={"indicator": [_("请选择本方案的人工评审指标。")]})
    _require_active(unit.plan)
    assessment, _created = SelfAssessment.objects.select_for_update().get_or_create(
        unit=unit, indicator=indicator)
    if assessment.status not in (SelfAssessment.Status.DRAFT, SelfAssessment.Status.RETURNED):
        raise Conflict(_("自评已提交，不能再修改。"), target=assessment)
    if claimed_score not in (None, ""):
        assessment.claimed_score = points(claimed_score, weight=indicator.weight,
                                          field="claimed_score")
    assessment.statement = (statement or "").strip()
    assessment.save()
    evidence_attach(actor=actor, parent=assessment, files=files)
    return assessment


@transaction.atomic
def self_assessment_submit(*, actor: User, assessment: SelfAssessment) -> SelfAssessment:
    assessment = SelfAssessment.objects.select_for_update().select_related(
        "unit__plan", "indicator").get(pk=assessment.pk)
    unit, plan = assessment.unit, assessment.unit.plan
    if not can_submit_self_assessment(actor, unit):
        raise NotPermitted(_("只有数据管理员或第一责任人可以提交自评。"), target=assessment)
    _require_active(plan)
    if timezone.localdate() > plan.self_assessment_due:
        raise ValidationFailed(_("自评已于 %(due)s 截止，不能再提交。")
                               % {"due": f"{plan.self_assessment_due:%Y-%m-%d}"})
    required_text(assessment.statement, "statement", _("请填写自评说明后再提交。"))
    if assessment.claimed_score is None:
        raise ValidationFailed(_("请填写自评分后再提交。"),
                               fields={"claimed_score": [_("请填写自评分。")]})
    transition_apply(obj=assessment, table=SELF_ASSESSMENT_TRANSITIONS, action="submit",
                     actor=actor, save=False)
    assessment.submitted_by, assessment.submitted_at = actor, timezone.now()
    assessment.save()
    inbox_add(users=authority_users(plan.region_id), key=_review_key(assessment),
              title=_("评审自评：%(unit)s · %(indicator)s") % {
                  "unit": unit.name, "indicator": assessment.indicator.name},
              url=_unit_url(unit), due_on=plan.review_due, target=assessment)
    return assessment


@transaction.atomic
def self_assessment_return(*, actor: User, assessment: SelfAssessment, comment: str
                           ) -> SelfAssessment:
    """Send a self-assessment back for more evidence."""
    assessment = SelfAssessment.objects.select_for_update().select_related(
        "unit__plan", "indicator").get(pk=assessment.pk)
    score = Score.objects.get(unit=assessment.unit, indicator=assessment.indicator)
    if not can_review_score(actor, score):
        raise NotPermitted(_("您不能评审该考核方案。"), target=assessment)
    _require_active(assessment.unit.plan)
    comment = required_text(comment, "comment", _("请写明需要补充的材料。"))
    event = transition_apply(obj=assessment, table=SELF_ASSESSMENT_TRANSITIONS, action="return",
                             actor=actor, comment=comment, save=False)
    assessment.return_comment = comment
    assessment.save()
    inbox_close(key=_review_key(assessment))
    inbox_add(users=unit_signers(assessment.unit),
              key=f"assessment:self:{assessment.pk}:returned:{event.pk}",
              title=_("自评被退回补充：%(indicator)s") % {"indicator": assessment.indicator.name},
              url=_unit_url(assessment.unit), due_on=assessment.unit.plan.self_assessment_due,
              target=assessment)
    return assessment


# -- reviewer scores --------------------------------------------------------------------------

@transaction.atomic
def score_review(*, actor: User, score: Score, points_given, comment: str) -> Score:
    """A reviewer scores a manual indicator of a unit, with a comment (A3)."""
    score = Score.objects.select_for_update().select_related("plan", "indicator", "unit").get(
        pk=score.pk)
    if not can_review_score(actor, score):
        raise NotPermitted(_("您不能评审该考核方案。"), target=score)
    _require_active(score.plan)
    if score.indicator.kind != PlanIndicator.Kind.MANUAL:
        raise Conflict(_("自动计算指标的得分由平台数据计算；如有异议请通过异议答复调整。"),
                       target=score)
    score.base_score = points(points_given, weight=score.indicator.weight, field="score")
    score.review_comment = required_text(comment, "comment", _("请填写评审意见。"))
    score.score = score.effective()
    score.reviewer, score.reviewed_at = actor, timezone.now()
    score.save()
    assessment = SelfAssessment.objects.select_for_update().filter(
        unit=score.unit, indicator=score.indicator,
        status__in=[SelfAssessment.Status.SUBMITTED, SelfAssessment.Status.REVIEWED]).first()
    if assessment is not None:
        transition_apply(obj=assessment, table=SELF_ASSESSMENT_TRANSITIONS, action="review",
                         actor=actor, comment=score.review_comment)
        inbox_close(key=_review_key(assessment))
    results_refresh(plan=score.plan)
    return score


# -- objections ---------------------------------------------------------------------------------

@transaction.atomic
def objection_raise(*, actor: User, score: Score, reason: str) -> ScoreObjection:
    """A unit objects to one of its scores; the authority answers within a few working days."""
    score = Score.objects.select_for_update().select_related("plan", "unit", "indicator").get(
        pk=score.pk)
    if not can_object_to_score(actor, score):
        raise NotPermitted(_("只有考核对象的数据管理员或第一责任人可以提出异议。"), target=score)
    _require_active(score.plan)
    if score.computed_at is None and score.reviewed_at is None:
        raise Conflict(_("该指标尚未计算或评审，暂不能提出异议。"), target=score)
    if score.objections.filter(status=ScoreObjection.Status.OPEN).exists():
        raise Conflict(_("该指标已有待答复的异议，请等待答复。"), target=score)
    reason = required_text(reason, "reason", _("请写明异议理由和依据。"))
    objection = ScoreObjection(score=score, reason=reason, raised_by=actor,
                               score_before=score.score)
    due_on, rule = region_due(score.plan.region_id, "assessment.objection_answer")
    deadline_start(kind=deadlines.OBJECTION, obj=objection, due_on=due_on, rule=rule)
    objection.save()
    inbox_add(users=authority_users(score.plan.region_id),
              key=f"assessment:objection:{objection.pk}:answer",
              title=_("答复得分异议：%(unit)s · %(indicator)s") % {
                  "unit": score.unit.name, "indicator": score.indicator.name},
              url=_unit_url(score.unit), due_on=objection.due_on, target=objection)
    return objection


@transaction.atomic
def objection_answer(*, actor: User, objection: ScoreObjection, upheld: bool, answer: str,
                     new_score: Decimal | None = None) -> ScoreObjection:
    """Answer an objection in writing; when upheld the score is adjusted to ``new_score``."""
    objection = ScoreObjection.objects.select_for_update().select_related(
        "score__plan", "score__unit", "score__indicator").get(pk=objection.pk)
    score = Score.objects.select_for_update().get(pk=objection.score_id)
    if not can_answer_objection(actor, objection):
        raise NotPermitted(_("您不能答复该异议。"), target=objection)
    _require_active(objection.score.plan)
    answer = required_text(answer, "answer", _("请填写答复意见。"))
    if upheld:
        if new_score in (None, ""):
            raise ValidationFailed(_("异议成立时请填写调整后的得分。"),
                                   fields={"new_score": [_("请填写调整后的得分。")]})
        score.adjusted_score = points(new_score, weight=objection.score.indicator.weight,
                                      field="new_score")
        score.adjustment_reason = answer
        score.score = score.effective()
        score.save()
    transition_apply(obj=objection, table=OBJECTION_TRANSITIONS,
                     action="uphold" if upheld else "reject", actor=actor, comment=answer,
                     save=False)
    objection.answer, objection.answered_by = answer, actor
    objection.answered_at = timezone.now()
    objection.score_after = score.score
    objection.save()
    inbox_close(key=f"assessment:objection:{objection.pk}:answer")
    notify(users=unit_signers(objection.score.unit), key=f"assessment:objection:{objection.pk}:answered",
           title=_("得分异议已答复：%(indicator)s（%(status)s）") % {
               "indicator": objection.score.indicator.name,
               "status": objection.get_status_display()},
           body=answer, url=_unit_url(objection.score.unit))
    results_refresh(plan=objection.score.plan)
    return objection

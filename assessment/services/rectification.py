"""Rectification notices (A5, HN-39, NAT-24, HY-26).

The authority issues a notice with a deadline, or confirms one the computation proposed;
the department answers with a rectification report; the authority accepts it or returns
it. A notice still open after its deadline is escalated once by a daily sweep, which
records the consequence (projects not approved or accepted, no operations funding,
reported to the government office and the supervisory organ).
"""

from collections.abc import Iterable
from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from assessment import deadlines
from assessment.indicators import INDICATORS
from assessment.models import (
    ESCALATION_CONSEQUENCE,
    NOTICE_TRANSITIONS,
    VIOLATION_BASIS,
    ComputationRun,
    Plan,
    PlanIndicator,
    RectificationNotice,
    RectificationReport,
    Violation,
)
from assessment.policies import can_issue_notice, can_manage_notice, can_report_notice
from assessment.selectors import notices_open_overdue
from assessment.services.common import (
    authority_users,
    department_heads,
    department_signers,
    future_date,
    required_text,
)
from assessment.services.evidence import evidence_attach
from portal.deadlines import deadline_start
from portal.errors import NotPermitted, ValidationFailed
from portal.models import Department, Notification, User
from portal.rules import region_due
from portal.services.inbox import inbox_add, inbox_close, notify
from portal.workflow import transition_apply, workflow_events


def _url(notice: RectificationNotice) -> str:
    return reverse("assessment:notice_detail", args=[notice.pk])


def _rectify_key(notice: RectificationNotice) -> str:
    return f"assessment:notice:{notice.pk}:rectify"


def _rectify_keys(notice: RectificationNotice) -> list[str]:
    """The department's task on the notice, and the one reopened by each return."""
    returns = workflow_events(notice).filter(action="return").values_list("pk", flat=True)
    return [_rectify_key(notice)] + [f"{_rectify_key(notice)}:again:{pk}" for pk in returns]


def _locked(notice: RectificationNotice) -> RectificationNotice:
    return RectificationNotice.objects.select_for_update().select_related("department").get(
        pk=notice.pk)


def _issue(notice: RectificationNotice, *, actor: User, due_on: date | None, requirement: str,
           comment: str = "") -> RectificationNotice:
    today = timezone.localdate()
    rule = None
    if due_on is None:
        due_on, rule = region_due(Department.objects.get(pk=notice.department_id).region_id,
                                  "assessment.notice_default", today)
    deadline_start(kind=deadlines.NOTICE, obj=notice, rule=rule,
                   due_on=future_date(due_on, today=today, field="due_on", label=_("整改期限")))
    transition_apply(obj=notice, table=NOTICE_TRANSITIONS, action="issue", actor=actor,
                     comment=comment, save=False)
    notice.requirement = requirement.strip() or notice.requirement or _(
        "请于整改期限前完成整改，并通过平台报送整改报告及佐证材料。")
    notice.basis = notice.basis or VIOLATION_BASIS.get(notice.violation, "")
    notice.issued_by, notice.issued_at = actor, timezone.now()
    notice.save()
    if not notice.number:
        notice.number = _("整改〔%(year)d〕%(n)d 号") % {"year": notice.issued_at.year, "n": notice.pk}
        notice.save(update_fields=["number"])
    inbox_add(users=department_signers([notice.department_id]), key=_rectify_key(notice),
              title=_("整改通知：%(violation)s") % {"violation": notice.get_violation_display()},
              url=_url(notice), due_on=notice.due_on, target=notice)
    notify(users=department_heads(notice.department_id), key=f"assessment:notice:{notice.pk}:issued",
           title=_("收到整改通知 %(number)s") % {"number": notice.number}, url=_url(notice),
           body=notice.facts, level=Notification.Level.TASK)
    return notice


@transaction.atomic
def notice_create(
    *,
    actor: User,
    department: Department,
    violation: str,
    facts: str,
    requirement: str = "",
    due_on: date | None = None,
    plan: Plan | None = None,
    files: Iterable[UploadedFile] = (),
    source: str = RectificationNotice.Source.MANUAL,
) -> RectificationNotice:
    """The authority issues a notice to ``department`` (A5)."""
    if not can_issue_notice(actor, department):
        raise NotPermitted(_("您不能向该部门下发整改通知。"))
    if violation not in Violation.values:
        raise ValidationFailed(_("请选择违规类型。"), fields={"violation": [_("请选择违规类型。")]})
    notice = RectificationNotice.objects.create(
        department=department, violation=violation, plan=plan, source=source,
        facts=required_text(facts, "facts", _("请填写违规事实。")))
    evidence_attach(actor=actor, parent=notice, files=files)
    return _issue(notice, actor=actor, due_on=due_on, requirement=requirement)


@transaction.atomic
def notice_issue(*, actor: User, notice: RectificationNotice, due_on: date | None = None,
                 requirement: str = "", comment: str = "") -> RectificationNotice:
    """Confirm a proposed notice and send it to the department."""
    notice = _locked(notice)
    if not can_manage_notice(actor, notice):
        raise NotPermitted(_("您不能处理该整改通知。"), target=notice)
    return _issue(notice, actor=actor, due_on=due_on, requirement=requirement, comment=comment)


@transaction.atomic
def notice_dismiss(*, actor: User, notice: RectificationNotice, reason: str) -> RectificationNotice:
    notice = _locked(notice)
    if not can_manage_notice(actor, notice):
        raise NotPermitted(_("您不能处理该整改通知。"), target=notice)
    reason = required_text(reason, "reason", _("请填写不予下发的理由。"))
    transition_apply(obj=notice, table=NOTICE_TRANSITIONS, action="dismiss", actor=actor,
                     comment=reason, save=False)
    notice.closed_at = timezone.now()
    notice.save()
    return notice


@transaction.atomic
def notice_report(*, actor: User, notice: RectificationNotice, body: str,
                  files: Iterable[UploadedFile] = ()) -> RectificationReport:
    """The department reports what it rectified, with evidence."""
    notice = _locked(notice)
    if not can_report_notice(actor, notice):
        raise NotPermitted(_("只有被通知部门的数据管理员或第一责任人可以报送整改报告。"),
                           target=notice)
    body = required_text(body, "body", _("请填写整改情况。"))
    transition_apply(obj=notice, table=NOTICE_TRANSITIONS, action="report", actor=actor,
                     save=False)
    notice.save()
    report = RectificationReport.objects.create(notice=notice, body=body, submitted_by=actor)
    evidence_attach(actor=actor, parent=report, files=files)
    for key in _rectify_keys(notice):
        inbox_close(key=key)
    inbox_add(users=authority_users(notice.department.region_id),
              key=f"assessment:notice:{notice.pk}:review:{report.pk}",
              title=_("审核整改报告：%(dept)s %(number)s") % {
                  "dept": notice.department.name, "number": notice.number},
              url=_url(notice), target=notice)
    return report


def _review_latest(notice: RectificationNotice, actor: User, comment: str) -> None:
    report = notice.reports.order_by("-submitted_at", "-pk").first()
    if report is not None:
        report.review_comment, report.reviewed_by = comment, actor
        report.reviewed_at = timezone.now()
        report.save()
        inbox_close(key=f"assessment:notice:{notice.pk}:review:{report.pk}")


@transaction.atomic
def notice_accept(*, actor: User, notice: RectificationNotice, comment: str = ""
                  ) -> RectificationNotice:
    """Rectification done: the notice is closed (any escalation consequence ends)."""
    notice = _locked(notice)
    if not can_manage_notice(actor, notice):
        raise NotPermitted(_("您不能处理该整改通知。"), target=notice)
    transition_apply(obj=notice, table=NOTICE_TRANSITIONS, action="accept", actor=actor,
                     comment=comment, save=False)
    notice.closed_at = timezone.now()
    notice.save()
    _review_latest(notice, actor, comment)
    notify(users=department_signers([notice.department_id]),
           key=f"assessment:notice:{notice.pk}:accepted",
           title=_("整改已确认完成：%(number)s") % {"number": notice.number}, url=_url(notice))
    return notice


@transaction.atomic
def notice_return(*, actor: User, notice: RectificationNotice, comment: str,
                  due_on: date | None = None) -> RectificationNotice:
    """The report does not show the violation rectified: back to the department."""
    notice = _locked(notice)
    if not can_manage_notice(actor, notice):
        raise NotPermitted(_("您不能处理该整改通知。"), target=notice)
    comment = required_text(comment, "comment", _("请填写退回理由，说明还需整改的内容。"))
    if due_on is not None:
        deadline_start(kind=deadlines.NOTICE, obj=notice, due_on=future_date(
            due_on, today=timezone.localdate(), field="due_on", label=_("整改期限")))
    event = transition_apply(obj=notice, table=NOTICE_TRANSITIONS, action="return", actor=actor,
                             comment=comment, save=False)
    notice.save()
    _review_latest(notice, actor, comment)
    inbox_add(users=department_signers([notice.department_id]),
              key=f"{_rectify_key(notice)}:again:{event.pk}",
              title=_("整改报告被退回：%(number)s") % {"number": notice.number},
              url=_url(notice), due_on=notice.due_on, target=notice)
    return notice


def notice_escalate(*, notice_id: int, today: date | None = None) -> bool:
    """Escalate one overdue notice, once, recording its consequences (HN-39): projects not
    approved or accepted, no operations funding. The deadline sweep tells the department's
    head and the authority (``assessment.deadlines.NOTICE``). Returns whether it was
    escalated now."""
    today = today or timezone.localdate()
    notice = notices_open_overdue(today).select_for_update().filter(pk=notice_id).first()
    if notice is None:
        return False
    transition_apply(obj=notice, table=NOTICE_TRANSITIONS, action="escalate", actor=None,
                     comment=str(ESCALATION_CONSEQUENCE), save=False)
    notice.escalated_at = timezone.now()
    notice.consequence = str(ESCALATION_CONSEQUENCE)
    notice.project_hold = notice.funding_hold = True
    notice.save()
    return True


def notices_propose(*, plan: Plan, run: ComputationRun | None, indicators: list[PlanIndicator],
                    figures: dict, department_ids: list[int]) -> int:
    """Propose notices where a department's computed figures show a violation (A5).

    Each (plan, department, indicator, violation) is proposed once; the authority issues
    or dismisses it. Returns how many were proposed now.
    """
    prefix = f"plan:{plan.pk}:"
    taken = set(RectificationNotice.objects.filter(proposal_key__startswith=prefix)
                .values_list("proposal_key", flat=True))
    new = []
    for indicator in indicators:
        definition = INDICATORS[indicator.code]
        source = figures.get(definition.source)
        if source is None:
            continue
        for department_id in department_ids:
            row = source[department_id]
            for proposal in definition.proposals:
                key = f"{prefix}{department_id}:{indicator.code}:{proposal.violation}"
                if key in taken or not proposal.applies(row):
                    continue
                new.append(RectificationNotice(
                    department_id=department_id, plan=plan, violation=proposal.violation,
                    facts=proposal.facts(row), basis=VIOLATION_BASIS.get(proposal.violation, ""),
                    source=RectificationNotice.Source.COMPUTED, proposal_key=key,
                    indicator_code=indicator.code, figures=row))
    if new:
        bulk_create_with_history(new, RectificationNotice, batch_size=500)
        notify(users=authority_users(plan.region_id),
               key=f"assessment:plan:{plan.pk}:proposals:{run.pk if run else 'direct'}",
               title=_("考核指标计算生成 %(n)d 条整改建议，请确认是否下发") % {"n": len(new)},
               url=reverse("assessment:notice_list") + "?status=proposed")
    return len(new)

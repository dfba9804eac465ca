"""Complaints (A7, HN-41, YS-29): a department complains in writing about another's
violation; the authority accepts and handles it, may hear the respondent, and answers in
writing within a deadline; a complaint may lead to a rectification notice."""

from collections.abc import Iterable
from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import deadlines
from assessment.models import COMPLAINT_TRANSITIONS, Complaint, RectificationNotice, Violation
from assessment.policies import can_file_complaint, can_handle_complaint, can_state_on_complaint
from assessment.services.common import authority_users, department_signers, required_text
from assessment.services.evidence import evidence_attach
from portal.deadlines import deadline_start
from portal.errors import Conflict, NotPermitted, ValidationFailed
from portal.models import Department, User
from portal.rules import region_due
from portal.services.inbox import inbox_add, inbox_close, notify
from portal.workflow import transition_apply


def _url(complaint: Complaint) -> str:
    return reverse("assessment:complaint_detail", args=[complaint.pk])


def _handle_key(complaint: Complaint) -> str:
    return f"assessment:complaint:{complaint.pk}:handle"


@transaction.atomic
def complaint_submit(
    *,
    actor: User,
    respondent: Department,
    violation: str,
    subject: str,
    description: str,
    files: Iterable[UploadedFile] = (),
) -> Complaint:
    """File a complaint on behalf of the actor's department."""
    if not can_file_complaint(actor):
        raise NotPermitted(_("只有部门的数据管理员或第一责任人可以提出投诉。"))
    if respondent.pk == actor.department_id:
        raise ValidationFailed(_("不能投诉本部门。"), fields={"respondent": [_("请选择其他部门。")]})
    if violation not in Violation.values:
        raise ValidationFailed(_("请选择违规类型。"), fields={"violation": [_("请选择违规类型。")]})
    complaint = Complaint(
        complainant_id=actor.department_id, respondent=respondent, violation=violation,
        subject=required_text(subject, "subject", _("请填写投诉事由。")),
        description=required_text(description, "description", _("请填写投诉内容和事实经过。")),
        submitted_by=actor)
    due_on, rule = region_due(respondent.region_id, "assessment.complaint_answer")
    deadline_start(kind=deadlines.COMPLAINT, obj=complaint, due_on=due_on, rule=rule)
    complaint.save()
    complaint.number = _("投诉〔%(year)d〕%(n)d 号") % {"year": complaint.submitted_at.year,
                                                     "n": complaint.pk}
    complaint.save(update_fields=["number"])
    evidence_attach(actor=actor, parent=complaint, files=files)
    inbox_add(users=authority_users(respondent.region_id), key=_handle_key(complaint),
              title=_("处理投诉：%(subject)s") % {"subject": complaint.subject}, url=_url(complaint),
              due_on=complaint.due_on, target=complaint)
    return complaint


def _locked(complaint: Complaint, actor: User) -> Complaint:
    complaint = Complaint.objects.select_for_update().select_related(
        "respondent", "complainant").get(pk=complaint.pk)
    if not can_handle_complaint(actor, complaint):
        raise NotPermitted(_("您不能处理该投诉。"), target=complaint)
    return complaint


@transaction.atomic
def complaint_accept(*, actor: User, complaint: Complaint, comment: str = "") -> Complaint:
    """Accept the complaint for handling; the respondent is asked for a statement."""
    complaint = _locked(complaint, actor)
    transition_apply(obj=complaint, table=COMPLAINT_TRANSITIONS, action="accept", actor=actor,
                     comment=comment, save=False)
    complaint.save()
    inbox_add(users=department_signers([complaint.respondent_id]),
              key=f"assessment:complaint:{complaint.pk}:statement",
              title=_("就投诉作出说明：%(subject)s") % {"subject": complaint.subject},
              url=_url(complaint), due_on=complaint.due_on, target=complaint)
    return complaint


@transaction.atomic
def complaint_state(*, actor: User, complaint: Complaint, statement: str) -> Complaint:
    """The respondent's written statement on a complaint being handled."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not can_state_on_complaint(actor, complaint):
        raise NotPermitted(_("只有被投诉单位的数据管理员或第一责任人可以作出说明。"),
                           target=complaint)
    if complaint.status != Complaint.Status.HANDLING:
        raise Conflict(_("投诉不在处理中，不能再提交说明。"), target=complaint)
    complaint.respondent_statement = required_text(statement, "statement", _("请填写情况说明。"))
    complaint.save()
    inbox_close(key=f"assessment:complaint:{complaint.pk}:statement")
    return complaint


def _answered(complaint: Complaint, actor: User, answer: str) -> None:
    complaint.answer, complaint.answered_by = answer, actor
    complaint.answered_at = timezone.now()
    complaint.save()
    inbox_close(key=_handle_key(complaint))
    inbox_close(key=f"assessment:complaint:{complaint.pk}:statement")
    notify(users=department_signers([complaint.complainant_id]),
           key=f"assessment:complaint:{complaint.pk}:answered",
           title=_("投诉已书面答复：%(subject)s") % {"subject": complaint.subject},
           body=answer, url=_url(complaint))


@transaction.atomic
def complaint_answer(*, actor: User, complaint: Complaint, answer: str,
                     notice_due_on: date | None = None, issue_notice: bool = False,
                     ) -> Complaint:
    """Answer in writing; optionally issue a rectification notice to the respondent."""
    from assessment.services.rectification import notice_create

    complaint = _locked(complaint, actor)
    answer = required_text(answer, "answer", _("请填写书面答复意见。"))
    transition_apply(obj=complaint, table=COMPLAINT_TRANSITIONS, action="answer", actor=actor,
                     comment=answer, save=False)
    if issue_notice:
        complaint.notice = notice_create(
            actor=actor, department=complaint.respondent, violation=complaint.violation,
            facts=_("经核查投诉 %(number)s：%(subject)s。%(answer)s") % {
                "number": complaint.number, "subject": complaint.subject, "answer": answer},
            due_on=notice_due_on, source=RectificationNotice.Source.COMPLAINT)
    _answered(complaint, actor, answer)
    return complaint


@transaction.atomic
def complaint_reject(*, actor: User, complaint: Complaint, answer: str) -> Complaint:
    """Not accepted; the reason is the written answer."""
    complaint = _locked(complaint, actor)
    answer = required_text(answer, "answer", _("请填写不予受理的理由。"))
    transition_apply(obj=complaint, table=COMPLAINT_TRANSITIONS, action="reject", actor=actor,
                     comment=answer, save=False)
    _answered(complaint, actor, answer)
    return complaint

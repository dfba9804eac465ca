"""Objections and corrections (S8): the consumer reports, the provider verifies and answers
(corrected, or confirmed correct with an explanation) by a due date; the time to fix is
kept in working days for assessment (A2)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import DataItem, Resource
from portal.deadlines import audience_users, step_close, step_open
from portal.errors import NotPermitted, ValidationFailed
from portal.models import Role, User
from portal.services.inbox import notify
from portal.workdays import working_days_between
from portal.workflow import transition_apply

from .. import pipeline
from ..models import OBJECTION_TRANSITIONS, Objection
from ..policies import (
    can_answer_objection,
    can_follow_up_objection,
    can_raise_objection,
    can_withdraw_objection,
)
from ..uploads import upload_validate
from .kinds import OBJECTION


def objection_url(objection: Objection) -> str:
    return OBJECTION.url(objection.pk)


def _lock(objection: Objection) -> Objection:
    return (Objection.objects.select_for_update(of=("self",))
            .select_related("resource", "reporter", "provider").get(pk=objection.pk))


def _open_step(objection: Objection) -> None:
    due_on, rule = pipeline.due(objection, "sharing.objection")
    step_open(kind=OBJECTION, obj=objection, due_on=due_on, rule=rule,
              title=_("核实数据异议：%(reporter)s 对《%(resource)s》") % {
                  "reporter": objection.reporter, "resource": objection.resource.name})


def _notify_reporter(objection: Objection, event_pk: int, title: str, body: str) -> None:
    users = audience_users([(role, objection.reporter_id)
                            for role in (Role.CLERK, Role.DATA_ADMIN, Role.HEAD)])
    notify(users=users, key=f"sharing:objection:{objection.pk}:event:{event_pk}", title=title,
           body=body, url=objection_url(objection))


@transaction.atomic
def objection_create(*, actor: User, resource: Resource, kind: str, description: str,
                     scope: str = Objection.Scope.RECORD, record_reference: str = "",
                     item: DataItem | None = None, attachment=None) -> Objection:
    if not can_raise_objection(actor, resource):
        raise NotPermitted(_("只有使用该资源的其他部门可以提出数据异议。"), target=resource,
                           action="object")
    errors: dict[str, list[str]] = {}
    if kind not in Objection.Kind.values:
        errors["kind"] = [_("请选择异议类型：数据存疑或数据错误。")]
    if scope not in Objection.Scope.values:
        errors["scope"] = [_("请选择异议范围。")]
    if not (description or "").strip():
        errors["description"] = [_("请描述发现的问题及依据。")]
    if scope == Objection.Scope.RECORD and not (record_reference or "").strip():
        errors["record_reference"] = [_("针对具体记录的异议，请填写记录标识（如统一社会信用代码）。")]
    if item is not None and item.resource_id != resource.pk:
        errors["item"] = [_("只能选择该资源的信息项。")]
    if errors:
        raise ValidationFailed(_("异议信息有误，请按提示修改。"), fields=errors)
    if attachment:
        upload_validate(attachment, field="attachment")
    objection = Objection(reporter_id=actor.department_id, provider_id=resource.provider_id,
                          resource=resource, item=item, kind=kind, scope=scope,
                          record_reference=record_reference.strip(),
                          description=description.strip(), attachment=attachment or "",
                          created_by=actor)
    objection._history_user = actor
    objection.save()
    objection.number = f"YY{timezone.localdate():%Y}{objection.pk:07d}"
    _open_step(objection)
    objection.save()
    return objection


@transaction.atomic
def objection_answer(*, actor: User, objection: Objection, corrected: bool,
                     answer: str) -> Objection:
    """The provider answers: corrected, or confirmed correct with an explanation."""
    objection = _lock(objection)
    if not can_answer_objection(actor, objection):
        raise NotPermitted(_("只有提供部门的数据管理员或第一责任人可以答复待核实的异议。"),
                           target=objection, action="answer")
    answer = (answer or "").strip()
    if not answer:
        raise ValidationFailed(_("请填写核实答复。"), fields={"answer": [
            _("请说明更正情况，或核实无误的依据。")]})
    today = timezone.localdate()
    objection.answer, objection.answered_at, objection.answered_by = answer, timezone.now(), actor
    objection.fix_working_days = max(working_days_between(
        timezone.localdate(objection.created_at), today), 0)
    objection.answered_late = objection.due_on is not None and today > objection.due_on
    step_close(kind=OBJECTION, obj=objection)
    objection._history_user = actor
    event = transition_apply(obj=objection, table=OBJECTION_TRANSITIONS,
                             action="correct" if corrected else "confirm", actor=actor,
                             comment=answer)
    _notify_reporter(objection, event.pk, _("数据异议已答复：%(status)s") % {
        "status": objection.get_status_display()}, answer)
    return objection


@transaction.atomic
def objection_follow_up(*, actor: User, objection: Objection, accept: bool,
                        comment: str = "") -> Objection:
    """The reporter accepts the answer (closed) or raises the objection again."""
    objection = _lock(objection)
    if not can_follow_up_objection(actor, objection):
        raise NotPermitted(_("只有提出部门可以确认或重新提出已答复的异议。"), target=objection,
                           action="follow_up")
    comment = (comment or "").strip()
    objection._history_user = actor
    if accept:
        objection.closed_at = timezone.now()
        transition_apply(obj=objection, table=OBJECTION_TRANSITIONS, action="accept",
                         actor=actor, comment=comment)
        return objection
    if not comment:
        raise ValidationFailed(_("请说明对答复的异议。"), fields={"comment": [
            _("重新提出时请说明理由。")]})
    objection.reopen_count += 1
    _open_step(objection)
    transition_apply(obj=objection, table=OBJECTION_TRANSITIONS, action="reopen", actor=actor,
                     comment=comment)
    return objection


@transaction.atomic
def objection_withdraw(*, actor: User, objection: Objection) -> Objection:
    objection = _lock(objection)
    if not can_withdraw_objection(actor, objection):
        raise NotPermitted(_("只有提出部门可以撤回待核实的异议。"), target=objection,
                           action="withdraw")
    step_close(kind=OBJECTION, obj=objection)
    objection.closed_at = timezone.now()
    objection._history_user = actor
    transition_apply(obj=objection, table=OBJECTION_TRANSITIONS, action="withdraw", actor=actor)
    return objection

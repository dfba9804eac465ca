"""Extending the provider's answer (S3) where the provider region's pack allows it
(``sharing.answer_extension``): the provider asks once, with a reason and at most the
pack's days, before the answer is due; whoever the pack names consents (Guizhou: the
provider department's head); the answer step then runs to its new due date, timed by the
extension rule, and the applicant is told where the pack says so."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.deadlines import audience_users, step_open
from portal.errors import Conflict, IllegalTransition, NotPermitted, ValidationFailed
from portal.models import Role, User
from portal.rules import ACTOR_LABELS
from portal.services.inbox import inbox_add, inbox_close, notify
from portal.workdays import add_working_days
from portal.workflow import transition_apply

from .. import pipeline
from ..models import TRANSITIONS, AnswerExtension, ShareRequest
from ..policies import can_ask_extension, can_consent_extension
from .kinds import AUTHORITY, REQUEST

S = ShareRequest.Status


def _consenters(request: ShareRequest, consent_by: str) -> list[User]:
    audience = {
        "head": [(Role.HEAD, request.provider_id)],
        "data_admin": [(Role.DATA_ADMIN, request.provider_id), (Role.HEAD, request.provider_id)],
        "authority": [AUTHORITY],
    }[consent_by]
    return audience_users(audience)


def _consent_key(extension: AnswerExtension) -> str:
    return f"sharing:request:{extension.request_id}:extension"


def _apply(extension: AnswerExtension, request: ShareRequest, actor: User) -> None:
    """The answer step runs to its new due date; the applicant hears of it."""
    rule = pipeline.rule(request, "sharing.answer_extension")
    new_due = add_working_days(request.due_on, extension.days)
    extension.status, extension.new_due_on = AnswerExtension.Status.APPROVED, new_due
    extension.decided_by, extension.decided_at = actor, timezone.now()
    extension.save()
    request.answer_due_on = new_due
    step_open(kind=REQUEST, obj=request, status=S.PROVIDER_REVIEW, due_on=new_due, rule=rule,
              title=_("答复共享申请（已延期）：%(applicant)s 申请《%(resource)s》") % {
                  "applicant": request.applicant, "resource": request.resource.name})
    request._history_user = actor
    event = transition_apply(obj=request, table=TRANSITIONS, action="extend", actor=actor,
                             comment=extension.reason)
    if rule.option("notify_applicant"):
        users = audience_users([(role, request.applicant_id)
                                for role in (Role.CLERK, Role.DATA_ADMIN, Role.HEAD)])
        notify(users=users, key=f"sharing:request:{request.pk}:event:{event.pk}",
               title=_("提供部门已延长答复期限：%(resource)s") % {
                   "resource": request.resource.name},
               body=_("答复期限由 %(old)s 延长至 %(new)s。理由：%(reason)s") % {
                   "old": extension.previous_due_on, "new": new_due,
                   "reason": extension.reason},
               url=REQUEST.url(request.pk))


@transaction.atomic
def extension_ask(*, actor: User, request: ShareRequest, days: int,
                  reason: str) -> AnswerExtension:
    """The provider asks for ``days`` more working days; applied at once when ``actor``
    is whoever must consent, else put to them."""
    request = (ShareRequest.objects.select_for_update(of=("self",))
               .select_related("resource", "applicant", "provider").get(pk=request.pk))
    if not can_ask_extension(actor, request):
        if request.status != S.PROVIDER_REVIEW:
            raise IllegalTransition(_("当前状态为“%(status)s”，不能申请延长答复期限。") % {
                "status": request.get_status_display()}, target=request, action="extend")
        raise NotPermitted(_("只有提供部门的数据管理员或第一责任人可以申请延长答复期限。"),
                           target=request, action="extend")
    rule = pipeline.rule(request, "sharing.answer_extension")
    if not rule.enabled:
        raise ValidationFailed(_("本地区规则不允许延长答复期限（%(rule)s）。") % {
            "rule": rule.citation})
    if AnswerExtension.objects.filter(request=request).exists():
        raise Conflict(_("该申请已申请过延期，答复期限只能延长一次。"), target=request,
                       action="extend")
    if request.due_on is None or request.due_on < timezone.localdate():
        raise ValidationFailed(_("答复期限已过，不能再申请延期。"))
    errors = {}
    if not isinstance(days, int) or not 1 <= days <= int(rule.value):
        errors["days"] = [_("延长的期限为 1 至 %(n)d 个工作日。") % {"n": rule.value}]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("请说明不能按期答复的理由。")]
    if errors:
        raise ValidationFailed(_("延期申请有误，请按提示修改。"), fields=errors)
    consent_by = rule.option("consent") or "head"
    extension = AnswerExtension.objects.create(
        request=request, days=days, reason=reason, consent_by=consent_by,
        requested_by=actor, previous_due_on=request.due_on, rule_version_id=rule.version_id)
    if can_consent_extension(actor, extension):
        _apply(extension, request, actor)
        return extension
    inbox_add(users=_consenters(request, consent_by), key=_consent_key(extension),
              title=_("同意延长答复期限：《%(resource)s》（%(applicant)s），延长 %(n)d 个工作日") % {
                  "resource": request.resource.name, "applicant": request.applicant,
                  "n": days},
              url=REQUEST.url(request.pk), due_on=request.due_on, target=request)
    return extension


@transaction.atomic
def extension_decide(*, actor: User, extension: AnswerExtension, approve: bool,
                     comment: str = "") -> AnswerExtension:
    """Whoever the pack names consents to the extension, or refuses it (the answer stays
    due on its date). Only while the answer step is still open and not overdue."""
    extension = AnswerExtension.objects.select_for_update().get(pk=extension.pk)
    request = (ShareRequest.objects.select_for_update(of=("self",))
               .select_related("resource", "applicant", "provider").get(pk=extension.request_id))
    extension.request = request
    if not can_consent_extension(actor, extension):
        if not extension.is_pending:
            raise IllegalTransition(_("该延期申请已处理。"), target=request, action="extend")
        raise NotPermitted(_("延长答复期限须经%(who)s同意。") % {
            "who": ACTOR_LABELS[extension.consent_by]}, target=request, action="extend")
    inbox_close(key=_consent_key(extension))
    comment = (comment or "").strip()
    extension.decision_comment = comment
    if approve:
        if request.status != S.PROVIDER_REVIEW or request.due_on < timezone.localdate():
            raise ValidationFailed(_("答复环节已结束或已超期，不能再延期。"))
        _apply(extension, request, actor)
        return extension
    if not comment:
        raise ValidationFailed(_("请说明不同意延期的理由。"), fields={"comment": [
            _("不同意延期时请填写意见。")]})
    extension.status = AnswerExtension.Status.REFUSED
    extension.decided_by, extension.decided_at = actor, timezone.now()
    extension.save()
    notify(users=[extension.requested_by] if extension.requested_by else [],
           key=f"sharing:request:{request.pk}:extension:refused",
           title=_("延期申请未获同意：%(resource)s") % {"resource": request.resource.name},
           body=comment, url=REQUEST.url(request.pk))
    return extension

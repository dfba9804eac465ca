"""Disputes (S4): negotiation between the departments (threaded messages with
attachments), escalation to coordination by the authority, whose decision is recorded
and may change the request's outcome or — after the co-reviewers agree — the resource's
sharing type (HY-16)."""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import DataItem, SharingType
from portal.deadlines import audience_users, step_close, step_open
from portal.errors import IllegalTransition, NotPermitted, ValidationFailed
from portal.models import Role, User
from portal.services.inbox import notify
from portal.workflow import transition_apply

from .. import pipeline
from ..models import TRANSITIONS, Dispute, DisputeMessage, NegativeListEntry, ShareRequest
from ..policies import (
    can_coordinate_request,
    can_escalate_request,
    can_post_dispute_message,
    can_request_co_review,
)
from ..uploads import upload_validate
from .catalog_bridge import resource_sharing_type_set
from .co_reviews import DISPUTE_CO_REVIEW_ROLES, co_reviews_agreed, co_reviews_open
from .kinds import REQUEST

S = ShareRequest.Status


def _lock(request: ShareRequest) -> ShareRequest:
    return (ShareRequest.objects.select_for_update(of=("self",))
            .select_related("resource", "applicant", "provider").get(pk=request.pk))


def _parties(request: ShareRequest) -> list[User]:
    return audience_users([(Role.DATA_ADMIN, request.applicant_id),
                           (Role.HEAD, request.applicant_id),
                           (Role.DATA_ADMIN, request.provider_id),
                           (Role.HEAD, request.provider_id)])


def _notify(request: ShareRequest, event_pk: int, title: str, body: str = "",
            *, authority: bool = False) -> None:
    from .requests import request_url

    users = _parties(request) + (audience_users([(Role.AUTHORITY, None)]) if authority else [])
    notify(users=users, key=f"sharing:request:{request.pk}:event:{event_pk}", title=title,
           body=body, url=request_url(request))


def _open_negotiation(request: ShareRequest) -> None:
    due_on, rule = pipeline.due(request, "sharing.negotiation")
    step_open(kind=REQUEST, obj=request, status=S.NEGOTIATING, due_on=due_on, rule=rule,
              title=_("协商共享事项：%(applicant)s 与 %(provider)s 就《%(resource)s》") % {
                  "applicant": request.applicant, "provider": request.provider,
                  "resource": request.resource.name})


def dispute_open(*, actor: User, request: ShareRequest, reason: str,
                 action: str = "escalate") -> ShareRequest:
    """Start the negotiation (inside the caller's transaction, request locked): after a
    refusal (``escalate``) or for a not-shared resource (``submit_negotiation``)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请说明提请协商的理由。"), fields={"reason": [
            _("请说明确需使用该数据的履职依据和理由。")]})
    Dispute.objects.update_or_create(request=request, defaults={
        "opened_by": actor, "opened_at": timezone.now(), "reason": reason})
    step_close(kind=REQUEST, obj=request)
    _open_negotiation(request)
    request._history_user = actor
    event = transition_apply(obj=request, table=TRANSITIONS, action=action, actor=actor,
                             comment=reason)
    _notify(request, event.pk, _("共享事项进入协商：%(resource)s") % {
        "resource": request.resource.name}, reason)
    return request


@transaction.atomic
def request_escalate(*, actor: User, request: ShareRequest, reason: str) -> ShareRequest:
    """Escalate one level (S4): a refusal → negotiation between the departments; a failed
    negotiation → coordination by the authority."""
    request = _lock(request)
    if not can_escalate_request(actor, request):
        if request.status not in (S.REFUSED, S.NEGOTIATING):
            raise IllegalTransition(_("当前状态为“%(status)s”，不能提请协商或协调。") % {
                "status": request.get_status_display()}, target=request, action="escalate")
        raise NotPermitted(_("只有申请部门（或协商中的双方）的数据管理员或第一责任人可以提请。"),
                           target=request, action="escalate")
    if request.status == S.REFUSED:
        return dispute_open(actor=actor, request=request, reason=reason)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请说明协商未果的情况。"), fields={"reason": [
            _("请说明协商未果的情况和请求主管部门协调的事项。")]})
    dispute = Dispute.objects.select_for_update().get(request=request)
    dispute.escalated_at, dispute.escalated_by = timezone.now(), actor
    dispute.escalation_reason = reason
    dispute._history_user = actor
    dispute.save()
    step_close(kind=REQUEST, obj=request)
    due_on, rule = pipeline.due(request, "sharing.coordination")
    step_open(kind=REQUEST, obj=request, status=S.COORDINATING, due_on=due_on, rule=rule,
              title=_("协调共享争议：%(resource)s") % {"resource": request.resource.name})
    request._history_user = actor
    event = transition_apply(obj=request, table=TRANSITIONS, action="escalate", actor=actor,
                             comment=reason)
    _notify(request, event.pk, _("共享争议已提请主管部门协调：%(resource)s") % {
        "resource": request.resource.name}, reason)
    return request


@transaction.atomic
def dispute_message_post(*, actor: User, dispute: Dispute, body: str,
                         attachment=None) -> DisputeMessage:
    dispute = Dispute.objects.select_related("request__resource").get(pk=dispute.pk)
    if not can_post_dispute_message(actor, dispute):
        raise NotPermitted(_("只有协商双方和主管部门可以在协商中发言。"), target=dispute,
                           action="message")
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("请填写内容。"), fields={"body": [_("请填写协商内容。")]})
    if attachment:
        upload_validate(attachment, field="attachment")
    message = DisputeMessage.objects.create(dispute=dispute, author=actor, body=body,
                                            department_id=actor.department_id,
                                            attachment=attachment or "")
    from .requests import request_url

    recipients = [u for u in _parties(dispute.request) if u.pk != actor.pk]
    notify(users=recipients, key=f"sharing:dispute:{dispute.pk}:message:{message.pk}",
           title=_("协商有新消息：%(resource)s") % {"resource": dispute.request.resource.name},
           body=body[:200], url=request_url(dispute.request))
    return message


@transaction.atomic
def dispute_request_co_review(*, actor: User, dispute: Dispute,
                              sharing_type: str) -> Dispute:
    """The authority proposes to change the resource's sharing type; the secrecy and
    legal co-reviewers must agree first (HY-16)."""
    dispute = Dispute.objects.select_for_update(of=("self",)).select_related("request__resource").get(
        pk=dispute.pk)
    if not can_request_co_review(actor, dispute):
        raise NotPermitted(_("只有主管部门在协调阶段可以发起会审。"), target=dispute,
                           action="co_review")
    resource = dispute.request.resource
    if sharing_type not in SharingType.values or sharing_type == resource.sharing_type:
        raise ValidationFailed(_("请选择与当前不同的共享类型。"), fields={"sharing_type": [
            _("拟调整的共享类型须与资源当前共享类型不同。")]})
    dispute.proposed_sharing_type = sharing_type
    dispute._history_user = actor
    dispute.save()
    co_reviews_open(target={"dispute": dispute}, roles=DISPUTE_CO_REVIEW_ROLES,
                    title=_("会审：拟将《%(resource)s》调整为%(type)s") % {
                        "resource": resource.name, "type": SharingType(sharing_type).label})
    return dispute


def _apply_sharing_type(actor: User, dispute: Dispute) -> str:
    """Change the resource's sharing type as the co-reviewers agreed; keep the negative
    list in step (an unconditional resource leaves it)."""
    new_type = dispute.proposed_sharing_type
    if not new_type:
        raise ValidationFailed(_("尚未提出拟调整的共享类型。"), fields={"change_sharing_type": [
            _("请先提出拟调整的共享类型并发起会审。")]})
    if not co_reviews_agreed(dispute.co_reviews.all(), DISPUTE_CO_REVIEW_ROLES):
        raise ValidationFailed(_("保密、法制部门会审同意后方可调整共享类型。"),
                               fields={"change_sharing_type": [_("会审尚未全部同意。")]})
    resource = resource_sharing_type_set(actor=actor, resource=dispute.request.resource,
                                         sharing_type=new_type)
    entry = NegativeListEntry.objects.filter(resource=resource).first()
    if entry is not None:
        entry._history_user = actor
        if new_type == SharingType.UNCONDITIONAL:
            entry.status, entry.removed_at = NegativeListEntry.Status.REMOVED, timezone.now()
            entry.removal_reason = _("主管部门协调决定调整为无条件共享")
        else:
            entry.sharing_type = new_type
        entry.save()
    dispute.sharing_type_changed_to = new_type
    return new_type


@transaction.atomic
def dispute_decide(*, actor: User, request: ShareRequest, approve: bool, decision: str,
                   items: Iterable[DataItem] | None = None,
                   masked_items: Iterable[DataItem] = (), valid_until: date | None = None,
                   change_sharing_type: bool = False, field: str = "decision") -> ShareRequest:
    """The authority's coordination decision (S4), recorded on the dispute: share (with
    the items it allows) or not; optionally change the resource's sharing type.

    ``field`` names the input that carried ``decision`` on the caller's face (``comment``
    on an approval, ``reason`` on a refusal), so a refusal names the field the user filled.
    """
    from .requests import grant_from_request, record_approval

    request = _lock(request)
    if not can_coordinate_request(actor, request):
        if request.status != S.COORDINATING:
            raise IllegalTransition(_("当前状态为“%(status)s”，不能作出协调决定。") % {
                "status": request.get_status_display()}, target=request, action="coordinate")
        raise NotPermitted(_("只有主管部门可以作出协调决定。"), target=request, action="coordinate")
    decision = (decision or "").strip()
    if not decision:
        raise ValidationFailed(_("请填写协调决定。"), fields={field: [
            _("协调决定须写明理由和结论。")]})
    dispute = Dispute.objects.select_for_update().get(request=request)
    if change_sharing_type:
        _apply_sharing_type(actor, dispute)
    step_close(kind=REQUEST, obj=request)
    request._history_user = actor
    if approve:
        record_approval(request, list(items) if items is not None else None, masked_items,
                        valid_until, decision)
        grant_from_request(actor=actor, request=request)
        action, outcome = "coordinate_approve", Dispute.Outcome.APPROVED
    else:
        request.refusal_reason = decision
        action, outcome = "coordinate_refuse", Dispute.Outcome.REFUSED
    request.closed_at = timezone.now()
    event = transition_apply(obj=request, table=TRANSITIONS, action=action, actor=actor,
                             comment=decision)
    dispute.outcome, dispute.decision = outcome, decision
    dispute.decided_at, dispute.decided_by = timezone.now(), actor
    dispute._history_user = actor
    dispute.save()
    _notify(request, event.pk, _("主管部门已作出协调决定：%(resource)s") % {
        "resource": request.resource.name}, decision)
    return request


def _dispute_close(request: ShareRequest, actor: User, outcome: str, comment: str) -> None:
    dispute = Dispute.objects.select_for_update().filter(request=request, outcome="").first()
    if dispute is None:
        return
    dispute.outcome, dispute.decision = outcome, comment
    dispute.decided_at, dispute.decided_by = timezone.now(), actor
    dispute._history_user = actor
    dispute.save()


def dispute_settle(*, request: ShareRequest, actor: User, comment: str) -> None:
    """The provider agreed during negotiation (inside the approval's transaction)."""
    _dispute_close(request, actor, Dispute.Outcome.AGREED, comment)


def dispute_close_withdrawn(*, request: ShareRequest, actor: User, comment: str) -> None:
    _dispute_close(request, actor, Dispute.Outcome.WITHDRAWN, comment)

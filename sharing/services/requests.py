"""Share requests (S2, S3): drafts, the configurable answer pipeline, partial approval,
refusal with a reason, withdrawal. Escalation to negotiation and coordination (S4) is in
``disputes``; the grant an approval creates (S5) in ``grants``."""

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.cascade.services import cascade_origin
from catalog.models import DataItem, Resource, SharingMethod, SharingType
from dataplane.selectors import items_without_masking_rule
from portal.deadlines import audience_users, step_close, step_open
from portal.errors import IllegalTransition, NotPermitted, ValidationFailed
from portal.models import Role, User
from portal.services.inbox import notify
from portal.uploads import SIGNED_DOCUMENT, stored_document_problem
from portal.workdays import working_days_between
from portal.workflow import transition_apply

from .. import pipeline
from ..access import filing_refusal
from ..models import TRANSITIONS, Purpose, ShareRequest
from ..policies import (
    can_answer_request,
    can_apply_for_resource,
    can_edit_request,
    can_enable_request,
    can_prereview_request,
    can_refuse_request,
    can_submit_request,
    can_supply_request,
    can_withdraw_request,
)
from ..uploads import upload_validate
from .grants import grant_create, grant_terms_errors
from .kinds import REQUEST

S = ShareRequest.Status
EDITABLE_FIELDS = ("purpose", "purpose_detail", "knowledge_scope", "security_measures",
                   "period_start", "period_end", "method", "commitment_document",
                   "commitment_accepted")
REQUIRED_TO_SUBMIT = {
    "purpose_detail": _("请说明用途：履行的职责、办理的业务及依据。"),
    "knowledge_scope": _("请填写知悉范围：哪些处室、岗位和人员可以接触这些数据。"),
    "security_measures": _("请填写本部门采取的安全保障措施。"),
    "commitment_document": _("请上传加盖公章的信息安全保障承诺书。"),
}


def request_url(request: ShareRequest) -> str:
    return REQUEST.url(request.pk)


def _lock(request: ShareRequest) -> ShareRequest:
    return (ShareRequest.objects.select_for_update(of=("self",))
            .select_related("resource", "applicant", "provider").get(pk=request.pk))


def _department_users(department_id: int, *roles: str) -> list[User]:
    return audience_users([(role, department_id) for role in roles])


def _notify_parties(request: ShareRequest, event_pk: int, title: str, body: str = "",
                    *, applicant: bool = True, provider: bool = False) -> None:
    users = []
    if applicant:
        users += _department_users(request.applicant_id, Role.CLERK, Role.DATA_ADMIN, Role.HEAD)
    if provider:
        users += _department_users(request.provider_id, Role.DATA_ADMIN, Role.HEAD)
    notify(users=users, key=f"sharing:request:{request.pk}:event:{event_pk}", title=title,
           body=body, url=request_url(request))


# -- drafts (S2) -------------------------------------------------------------------------

def _requestable_items(resource: Resource, items: Iterable[DataItem]) -> list[DataItem]:
    items = list(items)
    if any(i.resource_id != resource.pk or i.retired for i in items):
        raise ValidationFailed(_("申请的信息项有误。"), fields={"items": [
            _("只能选择该资源现有的信息项。")]})
    return items


def _validate_period(start: date | None, end: date | None) -> dict[str, list[str]]:
    if start and end and end < start:
        return {"period_end": [_("使用结束日期不能早于开始日期。")]}
    return {}


def _assign(request: ShareRequest, data: dict) -> None:
    for name in EDITABLE_FIELDS:
        if name not in data:
            continue
        if name == "commitment_document":
            if not data[name]:
                continue  # keep the uploaded commitment when no new file is given
            upload_validate(data[name], field=name, kinds=SIGNED_DOCUMENT)
        setattr(request, name, data[name])
    errors = _validate_period(request.period_start, request.period_end)
    if request.purpose not in Purpose.values:
        errors["purpose"] = [_("请选择用途：行政依据、工作参考、数据校核或业务协同。")]
    if request.method not in SharingMethod.values:
        errors["method"] = [_("请选择使用方式。")]
    if errors:
        raise ValidationFailed(_("申请信息有误，请按提示修改。"), fields=errors)


def _ensure_may_apply(actor: User, resource: Resource) -> None:
    origin = cascade_origin(resource)
    if origin is not None:  # held from a lower platform: its provider decides there
        raise ValidationFailed(
            _("该目录由下级平台“%(source)s”提供，请到来源平台申请：%(url)s")
            % {"source": origin.source.name, "url": origin.origin_url},
            fields={"resource": [_("请到来源平台申请：%(url)s") % {"url": origin.origin_url}]})
    if actor.department_id == resource.provider_id:
        raise ValidationFailed(_("不能申请本部门提供的资源。"), fields={"resource": [
            _("本部门的数据无需申请，可直接使用。")]})
    if not can_apply_for_resource(actor, resource):
        raise NotPermitted(_("只能由本部门的填报员、数据管理员或第一责任人申请其他部门已注册的"
                             "有条件共享或不予共享资源。"), target=resource, action="apply")
    refusal = filing_refusal(actor.department)
    if refusal:
        raise NotPermitted(refusal, target=resource, action="apply")


@transaction.atomic
def request_create(*, actor: User, resource: Resource, items: Iterable[DataItem],
                   data: dict) -> ShareRequest:
    """Save a draft application for ``resource`` (S2)."""
    _ensure_may_apply(actor, resource)
    request = ShareRequest(applicant_id=actor.department_id, provider_id=resource.provider_id,
                           resource=resource, created_by=actor)
    _assign(request, data)
    items = _requestable_items(resource, items)
    request._history_user = actor
    request.save()
    request.number = f"GX{timezone.localdate():%Y}{request.pk:07d}"
    request.save(update_fields=["number"])
    request.items.set(items)
    return request


@transaction.atomic
def request_update(*, actor: User, request: ShareRequest, data: dict,
                   items: Iterable[DataItem] | None = None) -> ShareRequest:
    request = _lock(request)
    if not can_edit_request(actor, request):
        if not request.is_editable:
            raise IllegalTransition(_("当前状态为“%(status)s”，申请已提交，不能再修改（被退回后可修改）。")
                                    % {"status": request.get_status_display()},
                                    target=request, action="edit")
        raise NotPermitted(_("只能修改本部门草稿或被退回的申请。"), target=request, action="edit")
    _assign(request, data)
    request._history_user = actor
    request.save()
    if items is not None:
        request.items.set(_requestable_items(request.resource, items))
    return request


def _submit_errors(request: ShareRequest) -> dict[str, list[str]]:
    errors = {name: [message] for name, message in REQUIRED_TO_SUBMIT.items()
              if not getattr(request, name)}
    if not request.items.exists():
        errors["items"] = [_("请至少选择一个需要的信息项。")]
    if not request.commitment_accepted:
        errors["commitment_accepted"] = [_("请勾选安全保障承诺。")]
    if request.commitment_document and "commitment_document" not in errors:
        problem = stored_document_problem(request.commitment_document, SIGNED_DOCUMENT)
        if problem:
            errors["commitment_document"] = [problem]
    if request.period_end and request.period_end < timezone.localdate():
        errors["period_end"] = [_("使用结束日期已过，请修改使用期限。")]
    return errors


@transaction.atomic
def request_submit(*, actor: User, request: ShareRequest) -> ShareRequest:
    """Send the application along its pipeline (S3): the center's pre-review when the
    provider region's rule pack has one, otherwise the provider; a not-shared resource goes to negotiation
    (S4)."""
    request = _lock(request)
    if not can_submit_request(actor, request):
        raise NotPermitted(_("申请须由本部门数据管理员或第一责任人提交。"), target=request,
                           action="submit")
    refusal = filing_refusal(request.applicant)
    if refusal:
        raise NotPermitted(refusal, target=request, action="submit")
    if request.resource.status != Resource.Status.REGISTERED:
        raise ValidationFailed(_("该资源已不再注册，不能提交申请。"))
    errors = _submit_errors(request)
    if errors:
        raise ValidationFailed(_("申请材料不完整，请按提示补充后再提交。"), fields=errors)
    request.submitted_at = request.submitted_at or timezone.now()
    request.return_flow = pipeline.is_return_flow(request)
    request._history_user = actor
    if request.resource.sharing_type == SharingType.NOT_SHARED:
        from .disputes import dispute_open

        return dispute_open(actor=actor, request=request, reason=request.purpose_detail,
                            action="submit_negotiation")
    if pipeline.enabled(request, "sharing.prereview"):
        _open_prereview(request)
        transition_apply(obj=request, table=TRANSITIONS, action="submit_prereview", actor=actor)
    else:
        open_provider_review(request)
        transition_apply(obj=request, table=TRANSITIONS, action="submit", actor=actor)
    return request


def _open_prereview(request: ShareRequest) -> None:
    """The compliance check by whoever the pack names: the center (YS-18, HY-17) or the
    authority (Shanxi's 符合性审查)."""
    due_on, rule = pipeline.due(request, "sharing.prereview")
    request.prereview_by = rule.option("by") or "center"
    step_open(kind=REQUEST, obj=request, status=S.PREREVIEW, due_on=due_on, rule=rule,
              title=_("预审共享申请：%(resource)s") % {"resource": request.resource.name})


def open_provider_review(request: ShareRequest) -> None:
    """Open the provider's answer step, timed by the provider region's pack (NAT-12:
    10 working days; a 回流 request by the return-flow limit; Shanxi: 5, or 10 when the
    data must first be published)."""
    due, rule = pipeline.due(request, pipeline.answer_key(request))
    request.answer_started_on, request.answer_due_on = timezone.localdate(), due
    step_open(kind=REQUEST, obj=request, status=S.PROVIDER_REVIEW, due_on=due, rule=rule,
              title=_("答复共享申请：%(applicant)s 申请《%(resource)s》") % {
                  "applicant": request.applicant, "resource": request.resource.name})


# -- compliance check, supply and enablement (YS-18, HY-17, Shanxi) --------------------

@transaction.atomic
def request_prereview(*, actor: User, request: ShareRequest, passed: bool,
                      comment: str = "") -> ShareRequest:
    request = _lock(request)
    if not can_prereview_request(actor, request):
        raise NotPermitted(_("只有主管部门可以对共享申请进行符合性审查。")
                           if request.prereview_by == "authority"
                           else _("只有信息中心可以预审共享申请。"), target=request,
                           action="prereview")
    comment = comment.strip()
    if not passed and not comment:
        raise ValidationFailed(_("请填写退回理由。"), fields={"reason": [_("退回申请必须说明理由。")]})
    request.center_comment = comment
    request._history_user = actor
    step_close(kind=REQUEST, obj=request)
    if passed:
        open_provider_review(request)
    event = transition_apply(obj=request, table=TRANSITIONS,
                             action="prereview_pass" if passed else "prereview_return",
                             actor=actor, comment=comment)
    if not passed:
        _notify_parties(request, event.pk, _("共享申请被信息中心退回：%(resource)s") % {
            "resource": request.resource.name}, comment)
    return request


@transaction.atomic
def request_enable(*, actor: User, request: ShareRequest, comment: str = "") -> ShareRequest:
    """The center enables an approved request (HY-17): the grant takes effect."""
    request = _lock(request)
    if not can_enable_request(actor, request):
        raise NotPermitted(_("只有信息中心可以开通已同意的共享申请。"), target=request,
                           action="enable")
    step_close(kind=REQUEST, obj=request)
    grant_from_request(actor=actor, request=request)
    request.closed_at = timezone.now()
    request._history_user = actor
    event = transition_apply(obj=request, table=TRANSITIONS, action="enable", actor=actor,
                             comment=comment)
    _notify_parties(request, event.pk, _("共享申请已开通：%(resource)s") % {
        "resource": request.resource.name}, comment, provider=True)
    return request


def _after_supply(request: ShareRequest, actor: User, comment: str, action: str):
    """The data is there: the center enables it where the pack says so, else the grant
    takes effect now (``action`` is ``approve`` or ``supply``)."""
    if pipeline.enabled(request, "sharing.enablement"):
        due_on, rule = pipeline.due(request, "sharing.enablement")
        step_open(kind=REQUEST, obj=request, status=S.ENABLEMENT, due_on=due_on, rule=rule,
                  title=_("开通共享申请：%(resource)s") % {"resource": request.resource.name})
        return transition_apply(obj=request, table=TRANSITIONS,
                                action=f"{action}_for_enablement", actor=actor, comment=comment)
    grant_from_request(actor=actor, request=request)
    request.closed_at = timezone.now()
    return transition_apply(obj=request, table=TRANSITIONS, action=action, actor=actor,
                            comment=comment)


@transaction.atomic
def request_supply(*, actor: User, request: ShareRequest, comment: str = "") -> ShareRequest:
    """The provider has supplied the consented data to the platform (HY-17: within ten
    working days of the consent); then enablement or the grant."""
    request = _lock(request)
    if not can_supply_request(actor, request):
        if request.status != S.SUPPLY:
            raise IllegalTransition(_("当前状态为“%(status)s”，不能确认提供数据。") % {
                "status": request.get_status_display()}, target=request, action="supply")
        raise NotPermitted(_("只有提供部门的数据管理员或第一责任人可以确认已提供数据。"),
                           target=request, action="supply")
    step_close(kind=REQUEST, obj=request)
    request.supplied_at = timezone.now()
    request._history_user = actor
    event = _after_supply(request, actor, comment, "supply")
    _notify_parties(request, event.pk, _("提供部门已提供数据：%(resource)s") % {
        "resource": request.resource.name}, comment)
    return request


# -- the provider's answer (S3) ----------------------------------------------------------

def _record_answer(request: ShareRequest, actor: User, answer: str) -> None:
    """Keep how, when and how fast the provider answered (S12, A2)."""
    if request.answered_at is not None or request.status != S.PROVIDER_REVIEW:
        return
    today = timezone.localdate()
    request.answer = answer
    request.answered_at, request.answered_by = timezone.now(), actor
    request.answer_working_days = max(working_days_between(request.answer_started_on, today), 0)
    request.answered_late = today > request.answer_due_on


def approval_validate(request: ShareRequest, items: list[DataItem], masked: list[DataItem],
                      valid_until: date) -> None:
    """Partial approval is normal: the allowed items are a subset of those asked for."""
    errors: dict[str, list[str]] = {}
    asked = set(request.items.values_list("pk", flat=True))
    if not items:
        errors["items"] = [_("请至少同意一个信息项；全部不同意请选择“不予共享”并说明理由。")]
    elif {i.pk for i in items} - asked:
        errors["items"] = [_("只能同意申请中列出的信息项。")]
    errors.update(grant_terms_errors(items=items, masked_items=masked, valid_until=valid_until))
    if "masked_items" not in errors and (without_rule := items_without_masking_rule(masked)):
        errors["masked_items"] = [_(
            "以下信息项还没有脱敏规则：%(items)s。请先在资源的“脱敏规则”页设置（不想提供的项"
            "可设为“屏蔽（不输出）”），或不勾选脱敏、不同意共享该项。") % {
            "items": "、".join(item.name for item in without_rule)}]
    if "valid_until" not in errors and valid_until > request.period_end:
        errors["valid_until"] = [_("授权到期日期不能晚于申请的使用结束日期（%(end)s）。") % {
            "end": request.period_end}]
    if errors:
        raise ValidationFailed(_("同意共享的内容有误，请按提示修改。"), fields=errors)


def record_approval(request: ShareRequest, items: list[DataItem] | None,
                    masked: Iterable[DataItem], valid_until: date | None,
                    comment: str) -> None:
    """Store what is approved on the request (the grant is made from it)."""
    items = list(items) if items is not None else list(request.items.all())
    masked = list(masked)
    valid_until = valid_until or request.period_end
    approval_validate(request, items, masked, valid_until)
    request.approved_until, request.answer_comment = valid_until, comment
    request.approved_items.set(items)
    request.masked_items.set(masked)


def grant_from_request(*, actor: User, request: ShareRequest):
    return grant_create(
        actor=actor, department=request.applicant, resource=request.resource,
        items=request.approved_items.all(), masked_items=request.masked_items.all(),
        purpose=request.purpose, purpose_detail=request.purpose_detail, method=request.method,
        valid_from=max(timezone.localdate(), request.period_start),
        valid_until=request.approved_until, request=request,
    )


@transaction.atomic
def request_approve(*, actor: User, request: ShareRequest,
                    items: Iterable[DataItem] | None = None, masked_items: Iterable[DataItem] = (),
                    valid_until: date | None = None, comment: str = "") -> ShareRequest:
    """Approve the step ``actor`` holds: the center's pre-review, the provider's answer
    (also an agreement reached in negotiation), the center's enablement, or the
    authority's coordination. The provider and the authority may allow fewer items than
    asked (partial approval) and require some to be masked."""
    request = _lock(request)
    if request.status == S.PREREVIEW:
        return request_prereview(actor=actor, request=request, passed=True, comment=comment)
    if request.status == S.ENABLEMENT:
        return request_enable(actor=actor, request=request, comment=comment)
    if request.status == S.SUPPLY:
        return request_supply(actor=actor, request=request, comment=comment)
    if request.status == S.COORDINATING:
        from .disputes import dispute_decide

        return dispute_decide(actor=actor, request=request, approve=True, decision=comment,
                              items=items, masked_items=masked_items, valid_until=valid_until,
                              field="comment")
    if not can_answer_request(actor, request):
        if request.status not in (S.PROVIDER_REVIEW, S.NEGOTIATING):
            raise IllegalTransition(_("当前状态为“%(status)s”，不能执行“同意共享”操作。") % {
                "status": request.get_status_display()}, target=request, action="approve")
        raise NotPermitted(_("只有提供部门的数据管理员或第一责任人可以答复共享申请。"),
                           target=request, action="approve")
    record_approval(request, items, masked_items, valid_until, comment)
    partial = request.approved_items.count() < request.items.count()
    _record_answer(request, actor, ShareRequest.Answer.PARTIAL if partial
                   else ShareRequest.Answer.APPROVED)
    step_close(kind=REQUEST, obj=request)
    request._history_user = actor
    negotiated = request.status == S.NEGOTIATING
    if pipeline.enabled(request, "sharing.supply"):
        due_on, rule = pipeline.due(request, "sharing.supply")
        step_open(kind=REQUEST, obj=request, status=S.SUPPLY, due_on=due_on, rule=rule,
                  title=_("向共享平台提供数据：%(resource)s（%(applicant)s）") % {
                      "resource": request.resource.name, "applicant": request.applicant})
        event = transition_apply(obj=request, table=TRANSITIONS, action="approve_for_supply",
                                 actor=actor, comment=comment)
    else:
        event = _after_supply(request, actor, comment, "approve")
    if negotiated:
        from .disputes import dispute_settle

        dispute_settle(request=request, actor=actor, comment=comment)
    _notify_parties(request, event.pk, _("共享申请已同意：%(resource)s") % {
        "resource": request.resource.name}, comment)
    return request


@transaction.atomic
def request_refuse(*, actor: User, request: ShareRequest, reason: str) -> ShareRequest:
    """Refuse the step ``actor`` holds. A refusal always gives its reason (NAT-12): the
    provider's answer, the center's return of a pre-review, the authority's decision."""
    request = _lock(request)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写不予共享的理由。"), fields={"reason": [
            _("不予共享必须说明理由（《政务信息资源共享管理暂行办法》第十二条）。")]})
    if request.status == S.PREREVIEW:
        return request_prereview(actor=actor, request=request, passed=False, comment=reason)
    if request.status == S.COORDINATING:
        from .disputes import dispute_decide

        return dispute_decide(actor=actor, request=request, approve=False, decision=reason,
                              field="reason")
    if not can_refuse_request(actor, request):
        if request.status != S.PROVIDER_REVIEW:
            raise IllegalTransition(_("当前状态为“%(status)s”，不能执行“不予共享”操作。") % {
                "status": request.get_status_display()}, target=request, action="refuse")
        raise NotPermitted(_("只有提供部门的数据管理员或第一责任人可以答复共享申请。"),
                           target=request, action="refuse")
    _record_answer(request, actor, ShareRequest.Answer.REFUSED)
    request.refusal_reason = reason
    step_close(kind=REQUEST, obj=request)
    request._history_user = actor
    event = transition_apply(obj=request, table=TRANSITIONS, action="refuse", actor=actor,
                             comment=reason)
    _notify_parties(request, event.pk, _("共享申请不予共享：%(resource)s") % {
        "resource": request.resource.name},
        _("理由：%(reason)s。如确需使用，可提请协商。") % {"reason": reason})
    return request


@transaction.atomic
def request_withdraw(*, actor: User, request: ShareRequest, reason: str = "") -> ShareRequest:
    request = _lock(request)
    if not can_withdraw_request(actor, request):
        if request.status in (S.APPROVED, S.CLOSED, S.WITHDRAWN, S.SUPPLY, S.ENABLEMENT):
            raise IllegalTransition(_("当前状态为“%(status)s”，不能撤回。") % {
                "status": request.get_status_display()}, target=request, action="withdraw")
        raise NotPermitted(_("只有申请部门可以撤回申请。"), target=request, action="withdraw")
    step_close(kind=REQUEST, obj=request)
    request.closed_at = timezone.now()
    request._history_user = actor
    notify_provider = request.status not in (S.DRAFT, S.RETURNED)
    event = transition_apply(obj=request, table=TRANSITIONS, action="withdraw", actor=actor,
                             comment=reason)
    from .disputes import dispute_close_withdrawn

    dispute_close_withdrawn(request=request, actor=actor, comment=reason)
    if notify_provider:
        _notify_parties(request, event.pk, _("共享申请已撤回：%(resource)s") % {
            "resource": request.resource.name}, reason, applicant=False, provider=True)
    return request

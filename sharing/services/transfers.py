"""Third-party transfer (S7, NAT-14, HN-23): a holder asks to pass received data to a
third party; both the authority and the provider must consent (in either order); a
refusal by either ends the request."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import DataItem
from portal.deadlines import audience_users, step_close, step_key, step_open
from portal.errors import NotPermitted, ValidationFailed
from portal.models import Department, Role, User
from portal.services.inbox import inbox_close, notify
from portal.workflow import transition_apply

from .. import pipeline
from ..models import TRANSFER_TRANSITIONS, Grant, TransferRequest
from ..policies import can_request_transfer, can_withdraw_transfer, transfer_side
from .kinds import TRANSFER


def transfer_url(transfer: TransferRequest) -> str:
    return TRANSFER.url(transfer.pk)


def _lock(transfer: TransferRequest) -> TransferRequest:
    return (TransferRequest.objects.select_for_update(of=("self",))
            .select_related("grant__resource", "applicant", "provider").get(pk=transfer.pk))


@transaction.atomic
def transfer_create(*, actor: User, grant: Grant, recipient_name: str, purpose: str,
                    reason: str, items: Iterable[DataItem],
                    recipient_department: Department | None = None) -> TransferRequest:
    grant = Grant.objects.select_related("resource").get(pk=grant.pk)
    if not can_request_transfer(actor, grant):
        raise NotPermitted(_("只有持有有效授权部门的数据管理员或第一责任人可以申请转送。"),
                           target=grant, action="transfer")
    items = list(items)
    errors: dict[str, list[str]] = {}
    recipient_name = (recipient_name or (recipient_department.name if recipient_department
                                         else "")).strip()
    if not recipient_name:
        errors["recipient_name"] = [_("请填写接收单位名称。")]
    if recipient_department is not None and recipient_department.pk in (grant.department_id,
                                                                         grant.provider_id):
        errors["recipient_department"] = [_("接收单位不能是本部门或提供部门。")]
    if not (purpose or "").strip():
        errors["purpose"] = [_("请说明接收方的用途。")]
    if not (reason or "").strip():
        errors["reason"] = [_("请说明转送理由。")]
    granted = set(grant.items.values_list("pk", flat=True))
    if not items:
        errors["items"] = [_("请选择要转送的信息项。")]
    elif {i.pk for i in items} - granted:
        errors["items"] = [_("只能转送本部门已获授权的信息项。")]
    if errors:
        raise ValidationFailed(_("转送申请有误，请按提示修改。"), fields=errors)
    transfer = TransferRequest(grant=grant, applicant_id=grant.department_id,
                               provider_id=grant.provider_id,
                               recipient_department=recipient_department,
                               recipient_name=recipient_name, purpose=purpose.strip(),
                               reason=reason.strip(), created_by=actor)
    transfer._history_user = actor
    transfer.save()
    transfer.items.set(items)
    due_on, rule = pipeline.due(transfer, "sharing.transfer")
    step_open(kind=TRANSFER, obj=transfer, due_on=due_on, rule=rule,
              title=_("审核第三方转送申请：%(applicant)s 拟向“%(recipient)s”转送《%(resource)s》") % {
                  "applicant": transfer.applicant, "recipient": recipient_name,
                  "resource": grant.resource.name})
    transfer.save()
    return transfer


@transaction.atomic
def transfer_consent(*, actor: User, transfer: TransferRequest, agree: bool,
                     comment: str = "") -> TransferRequest:
    """The authority's or the provider's answer; both must agree (S7)."""
    transfer = _lock(transfer)
    side = transfer_side(actor, transfer)
    if side is None:
        raise NotPermitted(_("该转送申请不需要您办理，或您已办理。"), target=transfer,
                           action="consent")
    comment = (comment or "").strip()
    if not agree and not comment:
        raise ValidationFailed(_("请说明不同意的理由。"), fields={"comment": [
            _("不同意转送必须说明理由。")]})
    now = timezone.now()
    setattr(transfer, f"{side}_consent", agree)
    setattr(transfer, f"{side}_by", actor)
    setattr(transfer, f"{side}_at", now)
    setattr(transfer, f"{side}_comment", comment)
    audience = [(Role.AUTHORITY, None)] if side == "authority" else [
        (Role.DATA_ADMIN, transfer.provider_id)]
    for user in audience_users(audience):
        inbox_close(key=step_key(TRANSFER, transfer.pk, transfer.step_seq), user=user)
    transfer._history_user = actor
    if not agree:
        action = "refuse"
    elif transfer.authority_consent and transfer.provider_consent:
        action = "approve"
    else:
        action = "consent"
    if action != "consent":
        step_close(kind=TRANSFER, obj=transfer)
        transfer.decided_at = now
    label = _("主管部门") if side == "authority" else _("提供部门")
    event = transition_apply(obj=transfer, table=TRANSFER_TRANSITIONS, action=action,
                             actor=actor, comment=f"{label}：{comment}" if comment else label)
    if action != "consent":
        notify(users=audience_users([(Role.DATA_ADMIN, transfer.applicant_id),
                                     (Role.HEAD, transfer.applicant_id)]),
               key=f"sharing:transfer:{transfer.pk}:event:{event.pk}",
               title=_("第三方转送申请：%(status)s") % {"status": transfer.get_status_display()},
               body=comment, url=transfer_url(transfer))
    return transfer


@transaction.atomic
def transfer_withdraw(*, actor: User, transfer: TransferRequest) -> TransferRequest:
    transfer = _lock(transfer)
    if not can_withdraw_transfer(actor, transfer):
        raise NotPermitted(_("只有申请部门可以撤回待同意的转送申请。"), target=transfer,
                           action="withdraw")
    step_close(kind=TRANSFER, obj=transfer)
    transfer.decided_at = timezone.now()
    transfer._history_user = actor
    transition_apply(obj=transfer, table=TRANSFER_TRANSITIONS, action="withdraw", actor=actor)
    return transfer

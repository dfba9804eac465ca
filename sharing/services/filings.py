"""First-access filing (S6): the department files, the information center acknowledges."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import NotPermitted, ValidationFailed
from portal.models import Department, Role, User
from portal.selectors import users_with_role
from portal.services.inbox import inbox_add, inbox_close, notify
from portal.uploads import SIGNED_DOCUMENT
from portal.workflow import transition_apply

from ..models import FILING_TRANSITIONS, Filing
from ..policies import can_edit_filing, can_review_filing, can_submit_filing
from ..uploads import upload_validate

FILING_FIELDS = ("responsible_person", "security_officer", "contact_person", "contact_phone",
                 "systems", "data_uses", "security_measures", "commitment_accepted",
                 "commitment_document", "signed_on")
REQUIRED_TO_SUBMIT = {
    "responsible_person": _("请填写第一责任人。"),
    "security_officer": _("请填写数据安全管理员。"),
    "contact_person": _("请填写联系人。"),
    "contact_phone": _("请填写联系电话。"),
    "systems": _("请列出使用共享数据的业务系统。"),
    "data_uses": _("请说明共享数据的使用范围。"),
    "security_measures": _("请说明安全保障措施。"),
    "commitment_document": _("请上传加盖公章的备案承诺书（PDF、OFD 或图片）。"),
    "signed_on": _("请填写承诺书签署日期。"),
}


def _review_key(filing: Filing) -> str:
    return f"sharing:filing:{filing.pk}:review"


def filing_url() -> str:
    return reverse("sharing:filing")


@transaction.atomic
def filing_save(*, actor: User, department: Department, data: dict) -> Filing:
    """Create or update the department's filing while it is editable (draft)."""
    filing = Filing.objects.select_for_update().filter(department=department).first()
    if not can_edit_filing(actor, filing) or actor.department_id != department.pk:
        raise NotPermitted(_("只有本部门的填报员、数据管理员或第一责任人可以在备案未提交时修改备案。"),
                           target=filing, action="edit")
    filing = filing or Filing(department=department)
    for name in FILING_FIELDS:
        if name in data:
            if name == "commitment_document" and data[name]:
                upload_validate(data[name], field="commitment_document",
                                kinds=SIGNED_DOCUMENT)
            if name == "commitment_document" and not data[name]:
                continue  # keep the uploaded document when no new file is given
            setattr(filing, name, data[name])
    filing._history_user = actor
    filing.save()
    return filing


@transaction.atomic
def filing_submit(*, actor: User, filing: Filing) -> Filing:
    filing = Filing.objects.select_for_update(of=("self",)).select_related("department").get(pk=filing.pk)
    if not can_submit_filing(actor, filing):
        raise NotPermitted(_("备案须由本部门数据管理员或第一责任人提交。"), target=filing,
                           action="submit")
    errors = {name: [message] for name, message in REQUIRED_TO_SUBMIT.items()
              if not getattr(filing, name)}
    if not filing.commitment_accepted:
        errors["commitment_accepted"] = [_("请勾选承诺遵守信息资源共享和保密规定。")]
    if errors:
        raise ValidationFailed(_("备案材料不完整，请按提示补充后再提交。"), fields=errors)
    filing.submitted_at, filing.submitted_by = timezone.now(), actor
    filing._history_user = actor
    transition_apply(obj=filing, table=FILING_TRANSITIONS, action="submit", actor=actor)
    inbox_add(users=users_with_role(Role.CENTER_REVIEWER), key=_review_key(filing),
              title=_("确认共享使用备案：%(department)s") % {"department": filing.department},
              url=reverse("admin:sharing_filing_change", args=[filing.pk]), target=filing)
    return filing


def _review(*, actor: User, filing: Filing, action: str, comment: str) -> Filing:
    filing = Filing.objects.select_for_update(of=("self",)).select_related("department").get(pk=filing.pk)
    if not can_review_filing(actor, filing):
        raise NotPermitted(_("只有信息中心可以审核备案。"), target=filing, action=action)
    if action in ("return", "revoke") and not comment.strip():
        raise ValidationFailed(_("请填写理由。"), fields={"comment": [_("退回或撤销备案必须说明理由。")]})
    if action == "acknowledge":
        filing.acknowledged_at, filing.acknowledged_by = timezone.now(), actor
    filing.review_comment = comment.strip()
    filing._history_user = actor
    event = transition_apply(obj=filing, table=FILING_TRANSITIONS, action=action, actor=actor,
                             comment=comment)
    inbox_close(key=_review_key(filing))
    notify(users=users_with_role(Role.DATA_ADMIN, Role.HEAD, Role.CLERK,
                                 department=filing.department_id),
           key=f"sharing:filing:{filing.pk}:{event.pk}",
           title=_("共享使用备案：%(status)s") % {"status": filing.get_status_display()},
           body=comment, url=filing_url())
    return filing


@transaction.atomic
def filing_acknowledge(*, actor: User, filing: Filing, comment: str = "") -> Filing:
    return _review(actor=actor, filing=filing, action="acknowledge", comment=comment)


@transaction.atomic
def filing_return(*, actor: User, filing: Filing, comment: str) -> Filing:
    return _review(actor=actor, filing=filing, action="return", comment=comment)


@transaction.atomic
def filing_revoke(*, actor: User, filing: Filing, comment: str) -> Filing:
    """Withdraw an acknowledged filing (e.g. after a violation): the department is refused
    shared data until it files again."""
    return _review(actor=actor, filing=filing, action="revoke", comment=comment)

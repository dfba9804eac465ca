"""Sharing's rows with deadlines, as the portal's deadline sweep and step helpers see
them (``portal.deadlines``): who must act, who hears when a step is overdue (S3: the
provider's head and the center), and how the row is named in a notification."""

from functools import lru_cache

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext

from portal.deadlines import Audience, DeadlineKind
from portal.models import Notification, Role

from ..models import Grant, Objection, ShareRequest, TransferRequest

S = ShareRequest.Status
CENTER = Audience(Role.CENTER_REVIEWER)
AUTHORITY = Audience(Role.AUTHORITY)


def _request_responsible(row: dict) -> list[Audience]:
    status = row["status"]
    if status == S.PREREVIEW:
        return [AUTHORITY if row["prereview_by"] == "authority" else CENTER]
    if status == S.ENABLEMENT:
        return [CENTER]
    if status in (S.PROVIDER_REVIEW, S.SUPPLY):
        return [(Role.DATA_ADMIN, row["provider_id"])]
    if status == S.NEGOTIATING:
        return [(Role.DATA_ADMIN, row["provider_id"]), (Role.DATA_ADMIN, row["applicant_id"])]
    if status == S.COORDINATING:
        return [AUTHORITY]
    return []


def _request_escalate_to(row: dict) -> list[Audience]:
    """Who must act, and above them who hears of the overdue step."""
    status, above = row["status"], []
    if status in (S.PROVIDER_REVIEW, S.SUPPLY):
        above = [(Role.HEAD, row["provider_id"]), CENTER]
    elif status == S.NEGOTIATING:
        above = [(Role.HEAD, row["provider_id"]), (Role.HEAD, row["applicant_id"]), AUTHORITY]
    elif status in (S.PREREVIEW, S.ENABLEMENT, S.COORDINATING):
        above = [AUTHORITY, CENTER]
    return _request_responsible(row) + above


@lru_cache(maxsize=8)
def _texts_in(language: str) -> dict:
    """How rows are named, translated once per language (the sweep names thousands)."""
    with translation.override(language):
        return {
            "request": gettext("共享申请 %(number)s《%(resource)s》（%(step)s）"),
            "steps": {status: str(S(status).label) for status in S.values},
            "transfer": gettext("向“%(recipient)s”转送《%(resource)s》的申请"),
            "objection": gettext("数据异议 %(number)s《%(resource)s》"),
        }


def texts() -> dict:
    return _texts_in(translation.get_language() or settings.LANGUAGE_CODE)


def _request_describe(row: dict, names: dict) -> str:
    return names["request"] % {"number": row["number"], "resource": row["resource__name"],
                               "step": names["steps"][row["status"]]}


REQUEST = DeadlineKind(
    app="sharing", name="request", model=ShareRequest, reminder_rule="sharing.reminder_days",
    fields=("number", "status", "provider_id", "applicant_id", "resource__name", "prereview_by"),
    responsible=_request_responsible, escalate_to=_request_escalate_to,
    describe=_request_describe, names=texts,
    url_name="sharing:request_detail",
)


def _transfer_responsible(row: dict) -> list[Audience]:
    waiting = []
    if row["authority_consent"] is None:
        waiting.append(AUTHORITY)
    if row["provider_consent"] is None:
        waiting.append((Role.DATA_ADMIN, row["provider_id"]))
    return waiting


TRANSFER = DeadlineKind(
    app="sharing", name="transfer", model=TransferRequest, reminder_rule="sharing.reminder_days",
    fields=("provider_id", "applicant_id", "authority_consent", "provider_consent",
            "recipient_name", "grant__resource__name"),
    responsible=_transfer_responsible,
    escalate_to=lambda row: _transfer_responsible(row) + ([(Role.HEAD, row["provider_id"])]
                             if row["provider_consent"] is None else []) + [AUTHORITY],
    describe=lambda row, names: names["transfer"] % {
        "recipient": row["recipient_name"], "resource": row["grant__resource__name"]},
    names=texts,
    url_name="sharing:transfer_detail",
)

OBJECTION = DeadlineKind(
    app="sharing", name="objection", model=Objection, reminder_rule="sharing.reminder_days",
    fields=("number", "provider_id", "reporter_id", "resource__name"),
    responsible=lambda row: [(Role.DATA_ADMIN, row["provider_id"])],
    escalate_to=lambda row: [(Role.DATA_ADMIN, row["provider_id"]),
                             (Role.HEAD, row["provider_id"]), CENTER],
    describe=lambda row, names: names["objection"] % {
        "number": row["number"], "resource": row["resource__name"]},
    names=texts,
    url_name="sharing:objection_detail",
)

@lru_cache(maxsize=8)
def _grant_texts_in(language: str) -> dict:
    with translation.override(language):
        return {
            "reminder": gettext("共享授权即将到期：%(what)s（%(due)s）"),
            "escalation": gettext("共享授权已到期：%(what)s"),
            "body": gettext("到期日期 %(due)s，如需继续使用请及时重新申请。"),
        }


def _grant_texts() -> dict:
    return _grant_texts_in(translation.get_language() or settings.LANGUAGE_CODE)


def _grant_contacts(row: dict) -> list[Audience]:
    return [(Role.DATA_ADMIN, row["department_id"]), (Role.HEAD, row["department_id"])]


def _grants_expired(rows: list[dict], today) -> None:
    """An expired grant's object permissions go (S5); the sweep marked the rows."""
    from .grants import grants_permissions_expire

    grants_permissions_expire(grant_ids=[row["pk"] for row in rows], today=today)


# A grant's deadline is its expiry: a reminder before it, permissions removed after it.
GRANT = DeadlineKind(
    app="sharing", name="grant", model=Grant, due_field="valid_until",
    open=Q(revoked_at__isnull=True),
    reminder_rule="sharing.grant_expiry_notice",
    fields=("department_id", "resource__name"),
    responsible=_grant_contacts, escalate_to=_grant_contacts,
    describe=lambda row, names: row["resource__name"], texts=_grant_texts, escalation_level=Notification.Level.INFO,
    on_escalated=_grants_expired,
    url_name="sharing:grant_detail",
)

ALL_KINDS = (REQUEST, TRANSFER, OBJECTION, GRANT)

"""The rows with deadlines, as the sweep and the step helpers see them: who must act,
who hears when a step is overdue (S3: the provider's head and the center), and how the
row is named in a notification."""

from functools import lru_cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from portal.models import Role

from ..models import Objection, ShareRequest, TransferRequest
from .deadlines import Audience, SweepKind

S = ShareRequest.Status
CENTER: Audience = (Role.CENTER_REVIEWER, None)
AUTHORITY: Audience = (Role.AUTHORITY, None)


def _request_responsible(row: dict) -> list[Audience]:
    status = row["status"]
    if status in (S.PREREVIEW, S.ENABLEMENT):
        return [CENTER]
    if status == S.PROVIDER_REVIEW:
        return [(Role.DATA_ADMIN, row["provider_id"])]
    if status == S.NEGOTIATING:
        return [(Role.DATA_ADMIN, row["provider_id"]), (Role.DATA_ADMIN, row["applicant_id"])]
    if status == S.COORDINATING:
        return [AUTHORITY]
    return []


def _request_escalate_to(row: dict) -> list[Audience]:
    status = row["status"]
    if status == S.PROVIDER_REVIEW:
        return [(Role.HEAD, row["provider_id"]), CENTER]
    if status == S.NEGOTIATING:
        return [(Role.HEAD, row["provider_id"]), (Role.HEAD, row["applicant_id"]), AUTHORITY]
    if status in (S.PREREVIEW, S.ENABLEMENT, S.COORDINATING):
        return [AUTHORITY, CENTER]
    return []


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


REQUEST = SweepKind(
    name="request", model=ShareRequest,
    fields=("number", "status", "provider_id", "applicant_id", "resource__name"),
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


TRANSFER = SweepKind(
    name="transfer", model=TransferRequest,
    fields=("provider_id", "applicant_id", "authority_consent", "provider_consent",
            "recipient_name", "grant__resource__name"),
    responsible=_transfer_responsible,
    escalate_to=lambda row: ([(Role.HEAD, row["provider_id"])]
                             if row["provider_consent"] is None else []) + [AUTHORITY],
    describe=lambda row, names: names["transfer"] % {
        "recipient": row["recipient_name"], "resource": row["grant__resource__name"]},
    names=texts,
    url_name="sharing:transfer_detail",
)

OBJECTION = SweepKind(
    name="objection", model=Objection,
    fields=("number", "provider_id", "reporter_id", "resource__name"),
    responsible=lambda row: [(Role.DATA_ADMIN, row["provider_id"])],
    escalate_to=lambda row: [(Role.HEAD, row["provider_id"]), CENTER],
    describe=lambda row, names: names["objection"] % {
        "number": row["number"], "resource": row["resource__name"]},
    names=texts,
    url_name="sharing:objection_detail",
)

ALL_KINDS = (REQUEST, TRANSFER, OBJECTION)

"""The assessment's rows with deadlines, for the portal's deadline sweep
(``portal.deadlines``): rectification notices (A5: reminders before the deadline, an
escalation with its consequences after it), objections to scores (A3) and complaints
(A7), whose authority is told once when the answer is overdue."""

from functools import lru_cache

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from portal.deadlines import Audience, DeadlineKind
from portal.models import Role

from .models import Complaint, RectificationNotice, ScoreObjection

N = RectificationNotice.Status


@lru_cache(maxsize=8)
def _names_in(language: str) -> dict:
    with translation.override(language):
        return {
            "notice": gettext("整改通知 %(number)s"),
            "objection": gettext("得分异议（%(unit)s · %(indicator)s）"),
            "complaint": gettext("投诉“%(subject)s”"),
        }


def _names() -> dict:
    return _names_in(translation.get_language() or settings.LANGUAGE_CODE)


def _authority_of(field: str):
    """The authority of the row's region (and those above it)."""
    return lambda row: [Audience(Role.AUTHORITY, region_id=row[field])]


def _signers(row: dict) -> list[Audience]:
    return [Audience(Role.DATA_ADMIN, row["department_id"]), Audience(Role.HEAD, row["department_id"])]


def _notices_escalated(rows: list[dict], today) -> None:
    """Record the escalation and its consequences on each notice (HN-39)."""
    from .services.rectification import notice_escalate

    for row in rows:
        notice_escalate(notice_id=row["pk"], today=today)


NOTICE = DeadlineKind(
    app="assessment", name="notice", model=RectificationNotice,
    open=Q(status__in=[N.ISSUED, N.RETURNED]), fields=("number", "department_id",
                                                        "department__region_id"),
    reminder_rule="assessment.reminder_days",
    responsible=_signers,
    escalate_to=lambda row: [Audience(Role.HEAD, row["department_id"]),
                             Audience(Role.AUTHORITY, region_id=row["department__region_id"])],
    describe=lambda row, names: names["notice"] % {"number": row["number"]}, names=_names,
    on_escalated=_notices_escalated, url_name="assessment:notice_detail",
)
OBJECTION = DeadlineKind(
    app="assessment", name="objection", model=ScoreObjection,
    open=Q(status=ScoreObjection.Status.OPEN),
    fields=("score__plan__region_id", "score__unit__name", "score__indicator__name",
            "score__unit__plan_id", "score__unit_id"),
    reminder_rule="", responsible=_authority_of("score__plan__region_id"),
    escalate_to=_authority_of("score__plan__region_id"),
    describe=lambda row, names: names["objection"] % {
        "unit": row["score__unit__name"], "indicator": row["score__indicator__name"]},
    names=_names,
    url_of=lambda row: reverse("assessment:unit_detail",
                            args=[row["score__unit__plan_id"], row["score__unit_id"]]),
)
COMPLAINT = DeadlineKind(
    app="assessment", name="complaint", model=Complaint,
    open=Q(status__in=[Complaint.Status.SUBMITTED, Complaint.Status.HANDLING]),
    fields=("subject", "respondent__region_id"), reminder_rule="",
    responsible=_authority_of("respondent__region_id"),
    escalate_to=_authority_of("respondent__region_id"),
    describe=lambda row, names: names["complaint"] % {"subject": row["subject"]}, names=_names,
    url_name="assessment:complaint_detail",
)

KINDS = (NOTICE, OBJECTION, COMPLAINT)

"""The catalog's rows with deadlines, for the portal's deadline sweep (``portal.deadlines``):
change events that open the catalog update limit (C7, NAT-8, HN-8)."""

from functools import lru_cache

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from portal.deadlines import Audience, DeadlineKind
from portal.models import Role

from .models import ChangeEvent


@lru_cache(maxsize=8)
def _names_in(language: str) -> dict:
    with translation.override(language):
        return {"change": gettext("目录更新事项“%(title)s”")}


def _names() -> dict:
    return _names_in(translation.get_language() or settings.LANGUAGE_CODE)


def _department(row: dict) -> list[Audience]:
    return [Audience(Role.CLERK, row["department_id"]), Audience(Role.DATA_ADMIN, row["department_id"])]


def _escalate_to(row: dict) -> list[Audience]:
    """Overdue: the department's head and data administrators, and the authority."""
    return [Audience(Role.HEAD, row["department_id"]),
            Audience(Role.DATA_ADMIN, row["department_id"]), Audience(Role.AUTHORITY)]


CHANGE = DeadlineKind(
    app="catalog", name="change", model=ChangeEvent, open=Q(status=ChangeEvent.Status.OPEN),
    fields=("department_id", "title"), reminder_rule="catalog.reminder_days",
    responsible=_department, escalate_to=_escalate_to,
    describe=lambda row, names: names["change"] % {"title": row["title"]}, names=_names,
    escalate_values=lambda today: {"overdue_at": timezone.now()},
    url_name="catalog:change_event_detail",
)

KINDS = (CHANGE,)

"""Open data's rows with deadlines, for the portal's deadline sweep (``portal.deadlines``):
the center's publication and update reviews (O2), the department's answers to
conditional-open applications (O5) and to the public's data requests (HN-31). Reminders go
out as the rule pack says (``opendata.reminder_days``); an overdue step is escalated to the
department's first responsible person and the center."""

from functools import lru_cache

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext

from portal.deadlines import Audience, DeadlineKind
from portal.models import Role

from .models import AccessApplication, DataRequest, Dataset, DatasetUpdate

CENTER = Audience(Role.CENTER_REVIEWER)
@lru_cache(maxsize=8)
def _names_in(language: str) -> dict:
    with translation.override(language):
        return {
            "dataset": gettext("开放数据发布审核“%(t)s”"),
            "update": gettext("开放数据更新审核“%(t)s”"),
            "application": gettext("有条件开放申请“%(t)s”答复"),
            "request": gettext("社会公众数据需求“%(t)s”答复"),
        }


def _names() -> dict:
    return _names_in(translation.get_language() or settings.LANGUAGE_CODE)


def _center(_row: dict) -> list[Audience]:
    return [CENTER]


def _department_admins(field: str):
    return lambda row: [Audience(Role.DATA_ADMIN, row[field])]


def _department_head_and_center(field: str):
    return lambda row: [Audience(Role.HEAD, row[field]), CENTER]


def _describe(name: str, title_field: str):
    return lambda row, names: names[name] % {"t": row[title_field]}


DATASET = DeadlineKind(
    app="opendata", name="dataset", model=Dataset, due_field="review_due_on",
    open=Q(status=Dataset.Status.PROPOSED), fields=("title",), reminder_rule="opendata.reminder_days",
    responsible=_center, escalate_to=_center, describe=_describe("dataset", "title"),
    names=_names, url_name="opendata:manage_review",
)
UPDATE = DeadlineKind(
    app="opendata", name="update", model=DatasetUpdate, due_field="review_due_on",
    open=Q(status=DatasetUpdate.Status.PROPOSED), fields=("dataset__title",),
    reminder_rule="opendata.reminder_days", responsible=_center, escalate_to=_center,
    describe=_describe("update", "dataset__title"), names=_names,
    url_name="opendata:manage_update_review",
)
APPLICATION = DeadlineKind(
    app="opendata", name="application", model=AccessApplication,
    open=Q(status=AccessApplication.Status.SUBMITTED),
    fields=("dataset__title", "dataset__publisher_id"), reminder_rule="opendata.reminder_days",
    responsible=_department_admins("dataset__publisher_id"),
    escalate_to=_department_head_and_center("dataset__publisher_id"),
    describe=_describe("application", "dataset__title"), names=_names,
    url_name="opendata:manage_application",
)
REQUEST = DeadlineKind(
    app="opendata", name="request", model=DataRequest, open=Q(status=DataRequest.Status.ROUTED),
    fields=("title", "department_id"), reminder_rule="opendata.reminder_days",
    responsible=_department_admins("department_id"),
    escalate_to=_department_head_and_center("department_id"),
    describe=_describe("request", "title"), names=_names, url_name="opendata:manage_request",
)

KINDS = (DATASET, UPDATE, APPLICATION, REQUEST)

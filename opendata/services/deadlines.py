"""Reminders and escalation for open-data deadlines (O2 review, O5 answers, HN-31 answers).

Each deadline is stored on its row (``review_due_on`` / ``due_on``). One indexed query per
kind finds what is due tomorrow (a reminder) and what is overdue (escalated to the
department's first responsible person and the center); the notification keys carry the
due date, so a rerun of the sweep sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Notification, Role, User
from portal.selectors import users_with_role
from portal.services.inbox import notify
from portal.workdays import add_working_days

from ..models import AccessApplication, DataRequest, Dataset, DatasetUpdate


def _send(users: Iterable[User], key: str, title: str, url: str, level: str) -> int:
    return len(notify(users=users, key=key, title=title, url=url, level=level))


def _sweep(rows, *, today: date, horizon: date, due, who, escalate, title, url, key) -> int:
    sent = 0
    for row in rows:
        due_on = due(row)
        if due_on < today:
            sent += _send(escalate(row), f"{key(row)}:overdue:{due_on}",
                          _("已超期：%(t)s") % {"t": title(row)}, url(row),
                          Notification.Level.ESCALATION)
        elif due_on <= horizon:
            sent += _send(who(row), f"{key(row)}:reminder:{due_on}",
                          _("即将到期：%(t)s") % {"t": title(row)}, url(row),
                          Notification.Level.REMINDER)
    return sent


def deadlines_sweep(*, today: date | None = None) -> int:
    """Send the due reminders and escalations; returns the notifications sent."""
    today = today or timezone.localdate()
    horizon = add_working_days(today, 1)
    center = list(users_with_role(Role.CENTER_REVIEWER))

    def department(role, department_id):
        return list(users_with_role(role, department=department_id))

    sent = _sweep(
        Dataset.objects.filter(status=Dataset.Status.PROPOSED, review_due_on__lte=horizon),
        today=today, horizon=horizon, due=lambda d: d.review_due_on,
        who=lambda d: center, escalate=lambda d: center,
        title=lambda d: _("开放数据发布审核“%(t)s”") % {"t": d.title},
        url=lambda d: reverse("opendata:manage_review", args=[d.pk]),
        key=lambda d: f"opendata:dataset:{d.pk}:review")
    sent += _sweep(
        DatasetUpdate.objects.filter(status=DatasetUpdate.Status.PROPOSED,
                                     review_due_on__lte=horizon).select_related("dataset"),
        today=today, horizon=horizon, due=lambda u: u.review_due_on,
        who=lambda u: center, escalate=lambda u: center,
        title=lambda u: _("开放数据更新审核“%(t)s”") % {"t": u.dataset.title},
        url=lambda u: reverse("opendata:manage_update_review", args=[u.pk]),
        key=lambda u: f"opendata:update:{u.pk}:review")
    sent += _sweep(
        AccessApplication.objects.filter(status=AccessApplication.Status.SUBMITTED,
                                         due_on__lte=horizon).select_related("dataset"),
        today=today, horizon=horizon, due=lambda a: a.due_on,
        who=lambda a: department(Role.DATA_ADMIN, a.dataset.publisher_id),
        escalate=lambda a: department(Role.HEAD, a.dataset.publisher_id) + center,
        title=lambda a: _("有条件开放申请“%(t)s”答复") % {"t": a.dataset.title},
        url=lambda a: reverse("opendata:manage_application", args=[a.pk]),
        key=lambda a: f"opendata:application:{a.pk}:decide")
    sent += _sweep(
        DataRequest.objects.filter(status=DataRequest.Status.ROUTED, due_on__lte=horizon),
        today=today, horizon=horizon, due=lambda r: r.due_on,
        who=lambda r: department(Role.DATA_ADMIN, r.department_id),
        escalate=lambda r: department(Role.HEAD, r.department_id) + center,
        title=lambda r: _("社会公众数据需求“%(t)s”答复") % {"t": r.title},
        url=lambda r: reverse("opendata:manage_request", args=[r.pk]),
        key=lambda r: f"opendata:request:{r.pk}:answer")
    return sent

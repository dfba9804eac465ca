"""Informatization projects and their catalogs (C11, NAT-21, HN-39(1)(2)).

A project compiles its resource catalog before approval: it cannot be submitted for
approval without at least one entry, and every entry must pass the catalog rules. On
completion (验收) every entry of the project must be registered, or acceptance is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import NotPermitted, ValidationFailed
from portal.models import Department, Role, User
from portal.selectors import users_with_role
from portal.services.inbox import inbox_add, inbox_close, notify
from portal.workflow import transition_apply

from .. import policies
from ..models import PROJECT_TRANSITIONS, Project, Resource
from ..rules import check_entry, proposal_from_resource

PROJECT_FIELDS = ("code", "name", "description", "budget")


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    values = {name: data.get(name) for name in PROJECT_FIELDS if name in data}
    errors: dict[str, list[str]] = {}
    for name, label in (("code", _("项目编码")), ("name", _("项目名称"))):
        if name in values and not (values[name] or "").strip():
            errors[name] = [_("请填写“%(f)s”。") % {"f": label}]
    if errors:
        raise ValidationFailed(_("项目信息不完整。"), fields=errors)
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


@transaction.atomic
def project_create(*, actor: User, department: Department, data: Mapping[str, Any]) -> Project:
    if not policies.can_edit_project(actor, None, department=department):
        raise NotPermitted(_("只有本部门的填报员或数据管理员可以登记信息化项目。"))
    values = _clean(data)
    if Project.objects.filter(code=values.get("code")).exists():
        raise ValidationFailed(_("项目编码已存在。"), fields={"code": [_("该项目编码已登记，请核对。")]})
    return Project.objects.create(department=department, created_by=actor, **values)


@transaction.atomic
def project_update(*, actor: User, project: Project, data: Mapping[str, Any]) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not policies.can_edit_project(actor, project):
        raise NotPermitted(_("只有本部门的填报员或数据管理员可以修改编制中的项目。"))
    for name, value in _clean(data).items():
        setattr(project, name, value)
    project.save()
    return project


def _reviewers() -> list[User]:
    return list(users_with_role(Role.AUTHORITY, Role.CENTER_REVIEWER))


@transaction.atomic
def project_submit(*, actor: User, project: Project, comment: str = "") -> Project:
    """Submit for approval; the pre-compiled catalog must exist and pass the rules."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not policies.can_submit_project(actor, project):
        raise NotPermitted(_("只有本部门的数据管理员可以提交项目立项审批。"))
    if PROJECT_TRANSITIONS.find(project.status, "submit") is not None:
        entries = list(project.resources.filter(revision_of__isnull=True)
                       .prefetch_related("items"))
        if not entries:
            raise ValidationFailed(_("项目立项前须编制信息资源目录：请先为项目添加至少一条目录。"),
                                   fields={"resources": [_("项目尚未编制目录。")]})
        invalid = [r.name for r in entries if check_entry(*proposal_from_resource(r))]
        if invalid:
            raise ValidationFailed(_("以下目录未通过校验，请先修改：%(names)s") % {"names": "、".join(invalid)},
                                   fields={"resources": invalid})
    transition_apply(obj=project, table=PROJECT_TRANSITIONS, action="submit", actor=actor,
                     comment=comment)
    inbox_add(users=_reviewers(), key=f"catalog:project:{project.pk}:approval",
              title=_("信息化项目立项审批（目录预编）：%(name)s") % {"name": project.name},
              url=reverse("admin:catalog_project_change", args=[project.pk]), target=project)
    return project


def _decide(*, actor: User, project: Project, action: str, comment: str) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not policies.can_review_project(actor, project):
        raise NotPermitted(_("只有信息化主管部门或信息中心可以审批项目。"))
    project.review_comment = comment
    if action == "approve":
        project.approved_on = timezone.localdate()
    transition_apply(obj=project, table=PROJECT_TRANSITIONS, action=action, actor=actor,
                     comment=comment)
    inbox_close(key=f"catalog:project:{project.pk}:approval")
    notify(users=users_with_role(Role.CLERK, Role.DATA_ADMIN, department=project.department_id),
           key=f"catalog:project:{project.pk}:{action}",
           title=(_("项目已立项：%(name)s") if action == "approve" else _("项目未通过立项审批：%(name)s"))
           % {"name": project.name},
           body=comment, url=reverse("catalog:project_detail", args=[project.pk]))
    return project


@transaction.atomic
def project_approve(*, actor: User, project: Project, comment: str = "") -> Project:
    return _decide(actor=actor, project=project, action="approve", comment=comment)


@transaction.atomic
def project_reject(*, actor: User, project: Project, comment: str) -> Project:
    if not (comment or "").strip():
        raise ValidationFailed(_("请填写不予立项的理由。"), fields={"comment": [_("请填写理由。")]})
    return _decide(actor=actor, project=project, action="reject", comment=comment)


@transaction.atomic
def project_complete(*, actor: User, project: Project, completed_on: date | None = None) -> Project:
    """Acceptance: every catalog entry of the project must be registered (C11)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not policies.can_review_project(actor, project):
        raise NotPermitted(_("只有信息化主管部门或信息中心可以组织项目验收。"))
    if PROJECT_TRANSITIONS.find(project.status, "complete") is not None:
        pending = list(project.resources.filter(revision_of__isnull=True)
                       .exclude(status__in=[Resource.Status.REGISTERED, Resource.Status.RETIRED])
                       .values_list("name", flat=True))
        if pending:
            raise ValidationFailed(
                _("项目验收前须完成目录注册，以下目录尚未注册：%(names)s") % {"names": "、".join(pending)},
                fields={"resources": pending})
    project.completed_on = completed_on or timezone.localdate()
    transition_apply(obj=project, table=PROJECT_TRANSITIONS, action="complete", actor=actor)
    return project

"""Public data requests (HN-31) and yearly open plans (HN-25)."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Resource
from portal.deadlines import deadline_start
from portal.errors import NotPermitted, ValidationFailed
from portal.models import Department, Role, User
from portal.rules import region_due
from portal.selectors import users_with_role
from portal.services.inbox import inbox_add, inbox_close, notify
from portal.workflow import transition_apply, workflow_start

from .. import deadlines, policies
from ..models import (
    PLAN_TRANSITIONS,
    PUBLISHABLE_OPEN_TYPES,
    REQUEST_TRANSITIONS,
    DataRequest,
    Dataset,
    OpenPlan,
    OpenPlanItem,
)

# --- data requests -------------------------------------------------------------------------


@transaction.atomic
def request_submit(*, actor: User | None, title: str, description: str, contact_name: str,
                   contact_email: str, scenario: str = "", theme: str = "",
                   suggested_department: Department | None = None) -> DataRequest:
    """Anyone asks for a dataset; the center is told to route it (HN-31, YS-18)."""
    if not title.strip() or not description.strip():
        raise ValidationFailed(_("请填写需求名称和需求描述。"), fields={
            k: [_("此项必填。")] for k, v in (("title", title), ("description", description))
            if not v.strip()})
    request = DataRequest.objects.create(
        title=title.strip()[:150], description=description.strip(), scenario=scenario.strip(),
        theme=theme, suggested_department=suggested_department,
        requester=actor if actor is not None and actor.is_authenticated else None,
        contact_name=contact_name.strip(), contact_email=contact_email.strip())
    workflow_start(obj=request, table=REQUEST_TRANSITIONS, actor=actor)
    inbox_add(users=users_with_role(Role.CENTER_REVIEWER),
              key=f"opendata:request:{request.pk}:route",
              title=_("社会公众数据需求待转办：%(title)s") % {"title": request.title},
              url=reverse("opendata:manage_request", args=[request.pk]), target=request)
    return request


def _locked_request(request: DataRequest) -> DataRequest:
    return DataRequest.objects.select_for_update().get(pk=request.pk)


def _tell_requester(request: DataRequest, title: str) -> None:
    if request.requester_id:
        notify(users=[request.requester], key=f"opendata:request:{request.pk}:{request.status}",
               title=title, url=reverse("opendata:request", args=[request.pk]))


@transaction.atomic
def request_route(*, actor: User, request: DataRequest, department: Department,
                  comment: str = "") -> DataRequest:
    """The center sends the request to a department, which must answer in N working days."""
    request = _locked_request(request)
    if not policies.can_route_request(actor, request):
        raise NotPermitted(_("只有信息中心可以转办数据需求。"), target=request, action="route")
    previous = request.department_id
    transition_apply(obj=request, table=REQUEST_TRANSITIONS, action="route", actor=actor,
                     comment=comment, save=False)
    request.department = department
    request.routed_at = timezone.now()
    due_on, rule = region_due(department.region_id, "opendata.answer")
    deadline_start(kind=deadlines.REQUEST, obj=request, due_on=due_on, rule=rule)
    request.save()
    inbox_close(key=f"opendata:request:{request.pk}:route")
    if previous and previous != department.pk:
        inbox_close(key=f"opendata:request:{request.pk}:answer:{previous}")
    inbox_add(users=users_with_role(Role.DATA_ADMIN, department=department),
              key=f"opendata:request:{request.pk}:answer:{department.pk}",
              title=_("社会公众数据需求待答复：%(title)s") % {"title": request.title},
              url=reverse("opendata:manage_request", args=[request.pk]),
              due_on=request.due_on, target=request)
    _tell_requester(request, _("您的数据需求已转交%(dept)s办理") % {"dept": department.name})
    return request


@transaction.atomic
def request_reject(*, actor: User, request: DataRequest, reason: str) -> DataRequest:
    request = _locked_request(request)
    if not policies.can_route_request(actor, request):
        raise NotPermitted(_("只有信息中心可以受理数据需求。"), target=request, action="reject")
    if not reason.strip():
        raise ValidationFailed(_("不予受理时必须说明理由。"),
                               fields={"reason": [_("请填写不予受理的理由，该理由将公开。")]})
    transition_apply(obj=request, table=REQUEST_TRANSITIONS, action="reject", actor=actor,
                     comment=reason, save=False)
    request.answer, request.answered_at, request.answered_by = reason.strip(), timezone.now(), actor
    request.save()
    inbox_close(key=f"opendata:request:{request.pk}:route")
    _tell_requester(request, _("您的数据需求未予受理"))
    return request


@transaction.atomic
def request_answer(*, actor: User, request: DataRequest, outcome: str, answer: str,
                   dataset: Dataset | None = None) -> DataRequest:
    """The department answers publicly; a "published"/"already open" answer links a dataset."""
    request = _locked_request(request)
    if not policies.can_answer_request(actor, request):
        raise NotPermitted(_("只有承办部门的数据管理员可以答复。"), target=request, action="answer")
    errors = {}
    if outcome not in DataRequest.Outcome.values:
        errors["outcome"] = [_("请选择办理结果。")]
    if not answer.strip():
        errors["answer"] = [_("请填写答复内容。")]
    if outcome in (DataRequest.Outcome.PUBLISHED, DataRequest.Outcome.ALREADY_OPEN) and (
            dataset is None or dataset.status != Dataset.Status.PUBLISHED):
        errors["dataset"] = [_("办理结果为已开放时，请填写已发布的相关数据集。")]
    if errors:
        raise ValidationFailed(_("答复填写有误，请按提示修改。"), fields=errors)
    transition_apply(obj=request, table=REQUEST_TRANSITIONS, action="answer", actor=actor,
                     save=False)
    request.outcome, request.answer, request.dataset = outcome, answer.strip(), dataset
    request.answered_at, request.answered_by = timezone.now(), actor
    request.save()
    inbox_close(key=f"opendata:request:{request.pk}:answer:{request.department_id}")
    _tell_requester(request, _("您的数据需求已答复：%(title)s") % {"title": request.title})
    return request


# --- open plans ------------------------------------------------------------------------------

def _locked_plan(plan: OpenPlan) -> OpenPlan:
    return OpenPlan.objects.select_for_update().get(pk=plan.pk)


@transaction.atomic
def plan_get_or_create(*, actor: User, department: Department, year: int) -> OpenPlan:
    if not policies.can_create_plan(actor, department):
        raise NotPermitted(_("只有本部门的数据管理员可以编制开放计划。"), target=department,
                           action="plan")
    plan, _created = OpenPlan.objects.get_or_create(department=department, year=year)
    return plan


@transaction.atomic
def plan_item_add(*, actor: User, plan: OpenPlan, resource: Resource, planned_on: date,
                  note: str = "") -> OpenPlanItem:
    plan = _locked_plan(plan)
    if not policies.can_edit_plan(actor, plan):
        raise NotPermitted(_("开放计划已报送或您无权编制，如需调整请先“重新编制”。"), target=plan,
                           action="edit")
    if resource.provider_id != plan.department_id or not resource.is_open or \
            resource.open_type not in PUBLISHABLE_OPEN_TYPES:
        raise ValidationFailed(_("只能将本部门开放属性为开放的目录资源列入计划。"),
                               fields={"resource": [_("请选择本部门可开放的目录资源。")]})
    if planned_on.year != plan.year:
        raise ValidationFailed(_("计划开放日期应在计划年度内。"),
                               fields={"planned_on": [_("请填写 %(y)s 年内的日期。") % {"y": plan.year}]})
    try:
        with transaction.atomic():
            return OpenPlanItem.objects.create(plan=plan, resource=resource,
                                               planned_on=planned_on, note=note.strip())
    except IntegrityError:
        raise ValidationFailed(_("该资源已在计划中。"),
                               fields={"resource": [_("该资源已在计划中。")]}) from None


@transaction.atomic
def plan_item_remove(*, actor: User, item: OpenPlanItem) -> None:
    plan = _locked_plan(item.plan)
    if not policies.can_edit_plan(actor, plan):
        raise NotPermitted(_("开放计划已报送或您无权编制。"), target=plan, action="edit")
    item.delete()


@transaction.atomic
def plan_note_set(*, actor: User, plan: OpenPlan, note: str) -> OpenPlan:
    plan = _locked_plan(plan)
    if not policies.can_edit_plan(actor, plan):
        raise NotPermitted(_("开放计划已报送或您无权编制。"), target=plan, action="edit")
    plan.note = note.strip()
    plan.save()
    return plan


@transaction.atomic
def plan_submit(*, actor: User, plan: OpenPlan) -> OpenPlan:
    """Submit the year's plan: it becomes public on the department page (HN-25)."""
    plan = _locked_plan(plan)
    if not policies.can_submit_plan(actor, plan):
        raise NotPermitted(_("只有本部门的数据管理员可以报送开放计划。"), target=plan,
                           action="submit")
    if not plan.items.exists():
        raise ValidationFailed(_("开放计划中还没有资源。"),
                               fields={"resource": [_("请至少列入一个计划开放的资源。")]})
    transition_apply(obj=plan, table=PLAN_TRANSITIONS, action="submit", actor=actor, save=False)
    plan.submitted_at = timezone.now()
    plan.save()
    return plan


@transaction.atomic
def plan_reopen(*, actor: User, plan: OpenPlan, comment: str = "") -> OpenPlan:
    plan = _locked_plan(plan)
    if not policies.can_reopen_plan(actor, plan):
        raise NotPermitted(_("无权重新编制该计划。"), target=plan, action="reopen")
    transition_apply(obj=plan, table=PLAN_TRANSITIONS, action="reopen", actor=actor,
                     comment=comment)
    return plan

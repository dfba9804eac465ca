"""Data-service pages (S9 服务接口): the provider registers, imports, tries and submits a
service; the center reviews and enables it; a consumer sees what it may call and how."""

from asgiref.sync import async_to_sync
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Resource
from portal.access import get_visible_or_404
from portal.refusals import perform
from portal.workflow import workflow_events

from ..gateway import selectors
from ..gateway.calls import upstream_preview
from ..gateway.forms import (
    FIELD_ROWS,
    PARAM_ROWS,
    CommentForm,
    OpenApiImportForm,
    OperationForm,
    ServiceForm,
    TryForm,
    operation_rows,
)
from ..gateway.openapi_import import ImportFailed, openapi_candidates
from ..gateway.plans import plan_preview
from ..gateway.policies import can_manage_service, can_review_service
from ..gateway.services import (
    operation_delete,
    operation_import,
    operation_save,
    service_enable,
    service_return,
    service_revise,
    service_save,
    service_submit,
    service_suspend,
)
from ..models import DataService


@login_required
def service_list(request):
    user = request.user
    return render(request, "sharing/services/list.html", {
        "active_tab": "services",
        "mine": selectors.services_of_provider(user.department_id) if user.department_id
        else [],
        "unregistered": selectors.resources_without_service(user),
        "to_review": selectors.services_to_review(user),
        "callable": selectors.services_callable(user, base_url=request.build_absolute_uri("/")),
    })


def _service(request, pk: int) -> DataService:
    return get_visible_or_404(request, selectors.services_visible(request.user), pk=pk)


def _managed(request, pk: int) -> DataService:
    service = _service(request, pk)
    if not can_manage_service(request.user, service.resource):
        raise Http404
    return service


@login_required
def service_detail(request, pk: int):
    service = _service(request, pk)
    user = request.user
    manage = can_manage_service(user, service.resource)
    return render(request, "sharing/services/detail.html", {
        "active_tab": "services", "service": service,
        "operations": service.operations.all(), "can_manage": manage,
        "editable": manage and service.status in (DataService.Status.DRAFT,
                                                  DataService.Status.RETURNED),
        "can_review": can_review_service(user, service),
        "comment_form": CommentForm(), "events": workflow_events(service),
        "checks": selectors.health_history(service, limit=20),
        "call_stats": selectors.service_call_stats(service)
        if manage or can_review_service(user, service) else [],
        "openapi_url": reverse("gateway:openapi"),
    })


@login_required
def service_edit(request, resource_pk: int | None = None, pk: int | None = None):
    if pk is not None:
        service = _managed(request, pk)
        resource = service.resource
    else:
        resource = get_object_or_404(Resource, pk=resource_pk)
        if not can_manage_service(request.user, resource):
            raise Http404
        service = DataService.objects.filter(resource=resource).first()
        if service is not None:
            return redirect("sharing:service_edit", pk=service.pk)
    form = ServiceForm(request.POST or None, initial=ServiceForm.initial_of(service))
    if request.method == "POST" and form.is_valid():
        data, secret = form.service_data()
        saved = perform(request, lambda: service_save(
            actor=request.user, resource=resource, data=data, secret=secret), form=form,
            success=_("数据服务已保存。凭据已加密保存，此后不再显示。"))
        if saved:
            return redirect("sharing:service_detail", pk=saved.pk)
    return render(request, "sharing/services/form.html", {
        "active_tab": "services", "form": form, "resource": resource, "service": service,
    }, status=400 if request.method == "POST" else 200)  # a saved form redirects


@login_required
def operation_edit(request, pk: int, op_pk: int | None = None):
    service = _managed(request, pk)
    operation = get_object_or_404(service.operations, pk=op_pk) if op_pk else None
    items = list(service.resource.items.filter(retired=False).order_by("position", "pk"))
    initial = {"name": operation.name, "label": operation.label, "method": operation.method,
               "path": operation.path, "records_path": operation.records_path} \
        if operation else {"method": "GET"}
    form = OperationForm(request.POST or None, initial=initial)
    if request.method == "POST":
        params, field_map = operation_rows(request.POST)
    else:
        params = list(operation.params) if operation else []
        field_map = dict(operation.field_map) if operation else {}
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "params": params, "field_map": field_map}
        if perform(request, lambda: operation_save(
                actor=request.user, service=service, data=data, operation=operation),
                form=form, success=_("操作已保存。")):
            return redirect("sharing:service_detail", pk=service.pk)
    blank_param = {"name": "", "in": "query", "item": None, "required": False}
    return render(request, "sharing/services/operation_form.html", {
        "active_tab": "services", "service": service, "operation": operation, "form": form,
        "items": items, "key_items": [i for i in items if i.is_key],
        "params": [*params, *[blank_param] * PARAM_ROWS],
        "mappings": [*[{"field": f, "item": i} for f, i in field_map.items()],
                     *[{"field": "", "item": None}] * FIELD_ROWS],
    }, status=400 if request.method == "POST" else 200)  # a saved form redirects


@login_required
@require_POST
def operation_delete_view(request, pk: int, op_pk: int):
    service = _managed(request, pk)
    operation = get_object_or_404(service.operations, pk=op_pk)
    perform(request, lambda: operation_delete(actor=request.user, operation=operation),
            success=_("操作已删除。"))
    return redirect("sharing:service_detail", pk=service.pk)


@login_required
def openapi_import_view(request, pk: int):
    service = _managed(request, pk)
    form = OpenApiImportForm(request.POST or None, request.FILES or None)
    candidates, results = [], []
    if request.method == "POST" and form.is_valid():
        try:
            candidates = openapi_candidates(form.cleaned_data["content"])
        except ImportFailed as exc:
            form.add_error(None, str(exc))
        chosen = request.POST.getlist("pick")
        if candidates and chosen:
            results = operation_import(actor=request.user, service=service,
                                       candidates=[c for c in candidates if c.name in chosen])
            if all(r.ok for r in results):
                return redirect("sharing:service_detail", pk=service.pk)
    return render(request, "sharing/services/import.html", {
        "active_tab": "services", "service": service, "form": form,
        "candidates": candidates, "results": results,
        "content": form.cleaned_data.get("content", "") if form.is_bound and not form.errors
        else "",
    }, status=400 if form.errors else 200)


@login_required
def service_try(request, pk: int):
    service = _managed(request, pk)
    operations = list(service.operations.all())
    grants = list(selectors.service_grants(service))
    operation = next((o for o in operations if o.name == request.GET.get("operation")),
                     operations[0] if operations else None)
    form = TryForm(request.GET or None, grants=grants)
    values = {p["name"]: request.GET.get(f"p-{p['name']}", "") for p in
              (operation.params if operation else [])}
    raw = shaped = None
    if operation is not None and "run" in request.GET and form.is_valid():
        grant = next((g for g in grants if g.pk == form.cleaned_data["grant"]), None)
        raw = async_to_sync(upstream_preview)(
            plan_preview(user=request.user, service=service, operation=operation, grant=None),
            values)
        if grant is not None and not raw.error:
            shaped = plan_preview(user=request.user, service=service, operation=operation,
                                  grant=grant)
            shaped = {"grant": grant, "columns": [c.name for c in shaped.columns],
                      "masked": shaped.masked_names,
                      "records": shaped.masker(raw.upstream_records)}
    return render(request, "sharing/services/try.html", {
        "active_tab": "services", "service": service, "operations": operations,
        "operation": operation, "form": form, "values": values, "raw": raw, "shaped": shaped,
    })


STEPS = {"submit": (service_submit, _("已提交信息中心审核。")),
         "revise": (service_revise, _("已退回草稿，可修改后重新提交；修改期间暂停调用。")),
         "enable": (service_enable, _("数据服务已启用，获授权部门即可调用。")),
         "return": (service_return, _("已退回提供部门。")),
         "suspend": (service_suspend, _("数据服务已停用。"))}


@login_required
@require_POST
def service_step(request, pk: int, action: str):
    if action not in STEPS:
        raise Http404
    service = _service(request, pk)
    step, success = STEPS[action]
    comment = request.POST.get("comment", "")
    perform(request, lambda: step(actor=request.user, service=service, comment=comment),
            success=success)
    return redirect("sharing:service_detail", pk=service.pk)

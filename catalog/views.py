"""Department pages of the catalog: compile and maintain entries, the platform-wide catalog,
deadlines, census, projects, import and export. Thin: parse, call a service or a selector,
render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import get_visible_or_404
from portal.errors import DomainError, ValidationFailed
from portal.models import Role
from portal.params import object_id
from portal.policies import is_center, is_government_user
from portal.refusals import refusal_audit, refusal_show, refusal_text
from portal.workflow import workflow_events

from . import policies, selectors, services
from .cascade.services import cascade_origin
from .diff import resource_diff
from .forms import (
    ChangeEventForm,
    CommentForm,
    CompletionForm,
    EntryForms,
    ImportForm,
    ProjectForm,
    ReasonForm,
)
from .models import TRANSITIONS, CensusEntry, ChangeEvent, Resource
from .rules import RuleErrors, resource_warnings
from .services import imports as import_services
from .spreadsheet import export_response, report_response, template_response


def government_required(view):
    """Government users only; the public never sees the catalog pages (404, not 403)."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_government_user(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _department_or_403(request):
    if request.user.department is None:
        raise PermissionDenied
    return request.user.department


# -- the platform-wide catalog (C9) -------------------------------------------------------

@government_required
def browse(request):
    """Registered entries of every department: full-text search, facets, the four kinds."""
    query = selectors.CatalogQuery.from_params(request.GET)
    result = selectors.catalog_search(query, page=request.GET.get("page", 1))
    params = request.GET.copy()
    params.pop("page", None)
    _facet_links(result.facets, params)
    return render(request, "catalog/browse.html", {
        "query": query, "result": result, "page": result.page, "kinds": selectors.CATALOG_KINDS,
        "facet_labels": FACET_LABELS, "querystring": params.urlencode(),
    })


def _facet_links(facets, params) -> None:
    """Give every facet value the query string that selects or unselects it (computed
    here once: a template tag per value costs more than the queries of the page)."""
    pairs = [(k, v) for k, values in params.lists() for v in values]
    for name, values in facets.items():
        for value in values:
            pair = (name, value.value)
            value.url = urlencode([p for p in pairs if p != pair] if pair in pairs else [*pairs, pair])


FACET_LABELS = {
    "department": _("提供部门"), "classification": _("资源分类"), "theme": _("主题"),
    "sharing_type": _("共享类型"), "format": _("资源格式"), "update_cycle": _("更新周期"),
    "open_type": _("开放类型"),
}


# -- a department's own catalog -----------------------------------------------------------

@government_required
def department_catalog(request):
    department = _department_or_403(request)
    status = request.GET.get("status", "")
    if status not in Resource.Status.values:
        status = ""
    q = request.GET.get("q", "").strip()[:100]
    entries = selectors.department_catalog_list(department.pk, status=status, q=q)
    counts = selectors.department_status_counts(department.pk)
    # Without a text query the total is known from the status counts: no COUNT(*).
    paginator = (Paginator(entries, 25) if q else selectors.KnownCountPaginator(
        entries, 25, count=counts.get(status, 0) if status else sum(counts.values())))
    page = paginator.get_page(request.GET.get("page"))
    can_submit = policies.can_submit_resource_for(request.user, department)
    return render(request, "catalog/department.html", {
        "department": department, "page": page, "status": status, "q": q,
        "counts": counts,
        "statuses": [s for s in Resource.Status if s != Resource.Status.APPLIED],
        "change_events": selectors.change_events_open(department.pk),
        "can_create": policies.can_create_resource(request.user, department),
        "can_submit": can_submit,
        "bulk_submit": can_submit and status == Resource.Status.DRAFT and counts.get(status),
    })


BULK_SUBMIT_LIMIT = 200


@government_required
@require_POST
def department_submit(request):
    """The data administrator submits several drafts at once, with a result per entry."""
    department = _department_or_403(request)
    if not policies.can_submit_resource_for(request.user, department):
        raise PermissionDenied
    drafts = selectors.department_catalog(department.pk, status=Resource.Status.DRAFT)
    if not request.POST.get("all"):
        ids = [pk for v in request.POST.getlist("resource") if (pk := object_id(v)) is not None]
        drafts = drafts.filter(pk__in=ids)
    chosen = list(drafts.order_by("pk")[:BULK_SUBMIT_LIMIT])
    if not chosen:
        messages.warning(request, _("请先勾选要提交的草稿。"))
        return redirect(reverse("catalog:department") + "?status=draft")
    results = []
    for resource, refusal in services.resources_submit(actor=request.user, resources=chosen):
        if refusal is not None:
            refusal_audit(request=request, exc=refusal)
        results.append((resource, refusal_text(refusal) if refusal else ""))
    return render(request, "catalog/submit_results.html", {
        "results": results, "department": department,
        "submitted": sum(1 for _r, problem in results if not problem),
        "failed": sum(1 for _r, problem in results if problem),
    })


def _save_entry(request, forms_: EntryForms, *, resource: Resource | None, department):
    data, items, related = forms_.proposal()
    try:
        if resource is None:
            return services.resource_create(actor=request.user, provider=department, data=data,
                                            items=items, related=related)
        return services.resource_update(actor=request.user, resource=resource, data=data,
                                        items=items, related=related)
    except DomainError as exc:
        refusal_show(request, exc)
    return None


def _entry_page(request, *, resource: Resource | None):
    department = _department_or_403(request) if resource is None else resource.provider
    initial = None
    if resource is None:
        if not policies.can_create_resource(request.user, department):
            raise PermissionDenied
        project_id = request.GET.get("project")
        initial = {"project": project_id} if object_id(project_id) is not None else None
    elif not policies.can_edit_resource(request.user, resource):
        messages.error(request, _("当前状态为“%(s)s”，不能修改。") % {"s": resource.get_status_display()})
        return redirect("catalog:resource_detail", resource.pk)
    adding_rows = request.method == "POST" and "add_rows" in request.POST
    if request.method == "POST" and not adding_rows:
        forms_ = EntryForms(request.POST, instance=resource, department=department)
        if forms_.is_valid():
            saved = _save_entry(request, forms_, resource=resource, department=department)
            if saved is not None:
                messages.success(request, _("已保存草稿。"))
                return redirect("catalog:resource_detail", saved.pk)
    elif adding_rows:
        forms_ = _with_more_rows(request, resource, department)
    else:
        forms_ = EntryForms(instance=resource, department=department,
                            extra_rows=0 if resource else 3, initial=initial)
    warnings = resource_warnings(resource) if resource is not None else []
    return render(request, "catalog/resource_form.html", {
        "forms": forms_, "form": forms_.form, "formset": forms_.formset, "resource": resource,
        "department": department, "warnings": warnings,
        "general_errors": getattr(forms_, "general_errors", []),
    })


def _with_more_rows(request, resource, department) -> EntryForms:
    """No-JS fallback of “add a row”: re-render the posted form with three more empty rows."""
    data = request.POST.copy()
    total = int(data.get("items-TOTAL_FORMS") or 0)
    data["items-TOTAL_FORMS"] = str(min(total + 3, 500))
    forms_ = EntryForms(data, instance=resource, department=department)
    forms_.form.is_valid()
    forms_.formset.is_valid()
    forms_.form._errors = {}
    for form in forms_.formset.forms:
        form._errors = {}
    forms_.errors = RuleErrors()
    return forms_


@government_required
def resource_create(request):
    return _entry_page(request, resource=None)


@government_required
def resource_edit(request, pk: int):
    resource = get_visible_or_404(request, selectors.resources_visible(request.user), pk=pk)
    return _entry_page(request, resource=resource)


@government_required
def resource_detail(request, pk: int):
    visible = selectors.resource_for_detail(selectors.resources_visible(request.user))
    resource = get_visible_or_404(request, visible, pk=pk)
    user = request.user
    own = user.department_id == resource.provider_id or is_center(user)
    revision = services.open_revision(resource) if resource.status == Resource.Status.REGISTERED else None
    warnings = (resource_warnings(resource)
                if own and resource.status != Resource.Status.REGISTERED else [])
    return render(request, "catalog/resource_detail.html", {
        "resource": resource,
        "items": [i for i in resource.items.all() if not i.retired],
        "retired_items": [i for i in resource.items.all() if i.retired] if own else [],
        "warnings": warnings,
        "overlaps": any(w.rule == "C5" for w in warnings),
        "events": workflow_events(resource) if own else [],
        # Who submits a draft the viewer cannot submit (C6): said on the page.
        "submitters": list(selectors.department_submitters(resource.provider_id))
        if resource.is_editable and user.department_id == resource.provider_id
        and not policies.can_submit_resource(user, resource) else None,
        "history": resource.history.select_related("history_user")[:20] if own else [],
        "diff": resource_diff(resource.revision_of, resource) if resource.is_revision else None,
        "open_revision": revision if own else None,
        "can": {
            "edit": policies.can_edit_resource(user, resource),
            "delete": policies.can_delete_resource(user, resource) and not resource.review_round,
            "submit": policies.can_submit_resource(user, resource)
            and TRANSITIONS.find(resource.status, "submit") is not None,
            "withdraw": policies.can_withdraw_resource(user, resource)
            and TRANSITIONS.find(resource.status, "withdraw") is not None,
            "revise": policies.can_revise_resource(user, resource) and revision is None,
            "retire": policies.can_retire_resource(user, resource)
            and resource.status == Resource.Status.REGISTERED,
        },
        "comment_form": CommentForm(), "reason_form": ReasonForm(),
        "origin": cascade_origin(resource),
    })


RESOURCE_ACTIONS = {
    "submit": (lambda r, u, p: services.resource_submit(
        actor=u, resource=r, comment=p.get("comment", ""),
        recollection_reason=p.get("recollection_reason", "")),
               _("已提交信息中心审核。")),
    "withdraw": (lambda r, u, p: services.resource_withdraw(actor=u, resource=r, comment=p.get("comment", "")),
                 _("已撤回提交。")),
    "retire": (lambda r, u, p: services.resource_retire(actor=u, resource=r, reason=p.get("reason", "")),
               _("资源已撤销。")),
    "revise": (lambda r, u, p: services.resource_revise(actor=u, resource=r),
               _("已创建修订稿；已注册版本在修订审核通过前保持不变。")),
}


@require_POST
@government_required
def resource_action(request, pk: int, action: str):
    resource = get_visible_or_404(request, selectors.resources_visible(request.user), pk=pk)
    if action == "delete":
        try:
            services.resource_delete(actor=request.user, resource=resource)
        except DomainError as exc:
            refusal_show(request, exc)
            return redirect("catalog:resource_detail", pk)
        messages.success(request, _("草稿已删除。"))
        return redirect("catalog:department")
    if action not in RESOURCE_ACTIONS:
        raise Http404
    run, done = RESOURCE_ACTIONS[action]
    try:
        result = run(resource, request.user, request.POST)
    except DomainError as exc:
        refusal_show(request, exc)
        return redirect("catalog:resource_detail", pk)
    messages.success(request, done)
    return redirect("catalog:resource_detail", result.pk)


# -- export and import (C10) --------------------------------------------------------------

@government_required
def export(request):
    """XLSX of the view the user is looking at: the platform catalog or their own."""
    if request.GET.get("scope") == "department":
        department = _department_or_403(request)
        status = request.GET.get("status", "")
        queryset = selectors.department_catalog(
            department.pk, status=status if status in Resource.Status.values else "",
            q=request.GET.get("q", "").strip()[:100])
        name = f"{department.short_name or department.name}-目录"
    else:
        query = selectors.CatalogQuery.from_params(request.GET)
        queryset = selectors.catalog_filter(
            Resource.objects.filter(status=Resource.Status.REGISTERED), query
        ).order_by(*selectors.ORDERINGS[query.ordering])
        name = "政务信息资源目录"
    return export_response(selectors.catalog_export_rows(queryset), name)


@government_required
def import_template(request, fmt: str):
    if fmt not in ("xlsx", "csv"):
        raise Http404
    return template_response(fmt)


@government_required
def import_upload(request):
    department = _department_or_403(request)
    if not policies.can_import_resources(request.user, department):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_services.import_job_create(actor=request.user, department=department,
                                                    upload=form.cleaned_data["file"])
        except ValidationFailed as exc:
            form.add_error("file", str(exc.message))
        else:
            return redirect("catalog:import_detail", job.pk)
    return render(request, "catalog/import.html", {
        "form": form, "jobs": import_services.import_jobs_for(department.pk)[:10],
        "columns": import_services.template_columns(),
    })


@government_required
def import_detail(request, pk: int):
    department = _department_or_403(request)
    job = get_visible_or_404(request, import_services.import_jobs_for(department.pk), pk=pk)
    if request.GET.get("format") == "json":
        return JsonResponse({"status": job.status, "status_display": job.get_status_display(),
                             "phase": job.phase, "phase_display": job.get_phase_display(),
                             "progress": job.progress_percent, "processed": job.processed_rows,
                             "total": job.total_rows})
    return render(request, "catalog/import_detail.html", {"job": job})


@government_required
def import_report(request, pk: int):
    """The problems of an import as a spreadsheet (one row per problem, naming its entry)."""
    department = _department_or_403(request)
    job = get_visible_or_404(request, import_services.import_jobs_for(department.pk), pk=pk)
    if not job.report:
        raise Http404
    return report_response(job.report, job.original_name)


# -- update deadlines (C7) ----------------------------------------------------------------

@government_required
def change_events(request):
    user = request.user
    department = user.department
    form = ChangeEventForm(request.POST or None)
    can_record = department is not None and policies.can_record_change_event(user, department)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                event = services.change_event_record(actor=user, department=department, **form.cleaned_data)
            except DomainError as exc:
                refusal_show(request, exc, form=form)
            else:
                messages.success(request, _("已登记，更新期限为 %(d)s。") % {"d": f"{event.due_on:%Y-%m-%d}"})
                return redirect("catalog:change_event_detail", event.pk)
    events = selectors.change_events_visible(user)
    page = Paginator(events, 25).get_page(request.GET.get("page"))
    return render(request, "catalog/change_events.html", {"page": page, "form": form,
                                                          "can_record": can_record})


@government_required
def change_event_detail(request, pk: int):
    event = get_visible_or_404(request, selectors.change_events_visible(request.user), pk=pk)
    form = CompletionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_event_complete(actor=request.user, event=event, note=form.cleaned_data["note"])
        except DomainError as exc:
            refusal_show(request, exc)
        else:
            messages.success(request, _("已确认目录更新。"))
            return redirect("catalog:change_event_detail", pk)
    return render(request, "catalog/change_event_detail.html", {
        "event": event, "form": form, "events": workflow_events(event),
        "can_complete": event.status == ChangeEvent.Status.OPEN
        and policies.can_complete_change_event(request.user, event),
        "resources": event.resources.all(),
    })


# -- annual census (C8) -------------------------------------------------------------------

@government_required
def census_list(request):
    return render(request, "catalog/census_list.html",
                  {"censuses": selectors.censuses_visible(request.user)})


@government_required
def census_detail(request, pk: int):
    census = get_visible_or_404(request, selectors.censuses_visible(request.user), pk=pk)
    user = request.user
    entries = None
    if user.department_id:
        entries = selectors.census_entries_for(census, user.department_id)
    if request.method == "POST":
        ids = [pk for i in request.POST.getlist("entry") if (pk := object_id(i)) is not None]
        done = 0
        for entry in CensusEntry.objects.filter(pk__in=ids, census=census, department_id=user.department_id):
            try:
                services.census_entry_confirm(actor=user, entry=entry,
                                              comment=request.POST.get("comment", ""))
                done += 1
            except DomainError as exc:
                refusal_show(request, exc)
                break
        if done:
            messages.success(request, _("已确认 %(n)d 条目录。") % {"n": done})
        return redirect("catalog:census_detail", pk)
    progress = services.census_progress(census)
    if not (is_center(user) or user.has_role(Role.AUTHORITY)):
        progress = [row for row in progress if row["department_id"] == user.department_id]
    return render(request, "catalog/census_detail.html", {
        "census": census, "entries": entries, "progress": progress,
        "can_confirm": user.department_id is not None
        and policies.can_confirm_census_entry(user, CensusEntry(department_id=user.department_id)),
    })


# -- project catalogs (C11) ---------------------------------------------------------------

@government_required
def projects(request):
    department = request.user.department
    form = ProjectForm(request.POST or None)
    can_create = department is not None and policies.can_edit_project(request.user, None, department=department)
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied
        if form.is_valid():
            try:
                project = services.project_create(actor=request.user, department=department,
                                                  data=form.cleaned_data)
            except DomainError as exc:
                refusal_show(request, exc, form=form)
            else:
                return redirect("catalog:project_detail", project.pk)
    page = Paginator(selectors.projects_visible(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "catalog/projects.html", {"page": page, "form": form, "can_create": can_create})


@government_required
def project_detail(request, pk: int):
    project = get_visible_or_404(request, selectors.projects_visible(request.user), pk=pk)
    if request.method == "POST" and request.POST.get("action") == "submit":
        try:
            services.project_submit(actor=request.user, project=project,
                                    comment=request.POST.get("comment", ""))
        except DomainError as exc:
            refusal_show(request, exc)
        else:
            messages.success(request, _("已提交立项审批。"))
        return redirect("catalog:project_detail", pk)
    resources = project.resources.filter(revision_of__isnull=True).order_by("pk")
    return render(request, "catalog/project_detail.html", {
        "project": project, "resources": resources, "events": workflow_events(project),
        "can_edit": policies.can_edit_project(request.user, project),
        "can_submit": policies.can_submit_project(request.user, project),
        "new_entry_url": reverse("catalog:resource_create") + f"?project={project.pk}",
    })

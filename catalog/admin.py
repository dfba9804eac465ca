"""The center's and the authority's catalog workplace (P6): the review queue with C4/C5
warnings and revision diffs, approve/return, deadlines, census and projects. Every
decision goes through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from simple_history.admin import SimpleHistoryAdmin

from portal.admin_site import CommentActionForm, PolicyAdmin, admin_action_apply
from portal.errors import DomainError
from portal.policies import can_use_admin
from portal.refusals import admin_refusal
from portal.workflow import workflow_events

from . import policies, services
from .diff import resource_diff
from .models import (
    TRANSITIONS,
    Census,
    ChangeEvent,
    DataItem,
    ImportJob,
    Project,
    Resource,
    SubmittedResource,
)
from .rules import resource_warnings


class DataItemInline(admin.TabularInline):
    model = DataItem
    fk_name = "resource"
    fields = ["position", "name", "field_name", "data_type", "length", "sensitivity",
              "sharing_type", "is_key", "is_base", "retired", "description"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["position", "pk"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return can_use_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ResourceAdmin(PolicyAdmin, SimpleHistoryAdmin):
    list_display = ["code_or_draft", "name", "provider", "classification", "sharing_type",
                    "status", "kind", "warning_count", "submitted_at", "registered_at"]
    list_filter = ["status", "classification", "sharing_type", "open_type", "format",
                   "update_cycle", "is_disclosure"]
    list_select_related = ["provider", "revision_of"]
    search_fields = ["code", "name", "provider__name", "provider__short_name"]
    show_full_result_count = False
    list_per_page = 50
    inlines = [DataItemInline]
    action_form = CommentActionForm
    actions = ["approve_selected", "return_selected"]
    change_form_template = "admin/catalog/resource/change_form.html"

    fieldsets = [
        (_lazy("基本信息"), {"fields": [
            "code", "name", "provider", "classification", "theme", "summary", "format",
            "format_subtype", "subject_list", "locality", "project", "related_list"]}),
        (_lazy("共享与开放"), {"fields": [
            "sharing_type", "sharing_conditions", "sharing_method_list", "usage_requirements",
            "legal_basis_kind", "legal_basis", "update_cycle", "is_open", "open_type",
            "open_conditions", "is_disclosure", "security_level", "publication_date"]}),
        (_lazy("联系方式"), {"fields": ["contact_name", "contact_phone", "contact_email"]}),
        (_lazy("审核"), {"fields": [
            "status", "revision_of", "review_round", "submitted_at", "review_comment",
            "registered_at", "retired_at", "retire_reason", "created_by", "created_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [name for _title, options in self.fieldsets for name in options["fields"]]

    @admin.display(description=_lazy("信息主体"))
    def subject_list(self, obj):
        return obj.subject_labels() or "—"

    @admin.display(description=_lazy("共享方式"))
    def sharing_method_list(self, obj):
        return obj.sharing_method_labels() or "—"

    @admin.display(description=_lazy("关联资源"))
    def related_list(self, obj):
        return "、".join(str(r) for r in obj.related_resources.all()) or "—"

    def get_queryset(self, request):
        """The center sees every state; other admin users (the authority) registered and
        retired entries only (C9: drafts stay with their department and the center)."""
        qs = super().get_queryset(request)
        if policies.can_review_resource(request.user):
            return qs
        return qs.filter(status__in=[Resource.Status.REGISTERED, Resource.Status.RETIRED])

    def can_add(self, user) -> bool:
        return False

    def can_change(self, user, obj=None) -> bool:
        return policies.can_review_resource(user, obj)

    def can_delete(self, user, obj=None) -> bool:
        return False

    @admin.display(description=_lazy("资源代码"), ordering="code")
    def code_or_draft(self, obj):
        return obj.code or "—"

    @admin.display(description=_lazy("类别"))
    def kind(self, obj):
        return _("修订") if obj.revision_of_id else _("新编目")

    @admin.display(description=_lazy("审核提示"))
    def warning_count(self, obj):
        count = len(obj.review_warnings or [])
        return format_html('<span style="color:#92400e;font-weight:600">⚠ {}</span>', count) if count else "—"

    @admin.action(description=_lazy("审核通过所选目录"))
    def approve_selected(self, request, queryset):
        comment = request.POST.get("comment", "")
        admin_action_apply(self, request, queryset, lambda r: services.resource_approve(
            actor=request.user, resource=r, comment=comment), _("已审核通过 %(n)d 条目录。"))

    @admin.action(description=_lazy("退回所选目录（须填写意见）"))
    def return_selected(self, request, queryset):
        comment = request.POST.get("comment", "")
        admin_action_apply(self, request, queryset, lambda r: services.resource_return(
            actor=request.user, resource=r, comment=comment), _("已退回 %(n)d 条目录。"))

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<int:pk>/review/", self.admin_site.admin_view(self.review_view),
                 name=f"{info[0]}_{info[1]}_review"),
            *super().get_urls(),
        ]

    def review_view(self, request, pk: int):
        """Approve or return from the change page, with the reviewer's comment."""
        if request.method != "POST":
            return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[pk]))
        resource = get_object_or_404(Resource, pk=pk)
        if not policies.can_review_resource(request.user, resource):
            raise PermissionDenied
        comment = request.POST.get("comment", "")
        decision = request.POST.get("decision")
        try:
            if decision == "approve":
                registered = services.resource_approve(actor=request.user, resource=resource, comment=comment)
                self.message_user(request, _("已审核通过：%(r)s") % {"r": registered}, messages.SUCCESS)
            elif decision == "return":
                services.resource_return(actor=request.user, resource=resource, comment=comment)
                self.message_user(request, _("已退回：%(r)s") % {"r": resource}, messages.SUCCESS)
            else:
                raise PermissionDenied
        except DomainError as exc:
            admin_refusal(self, request, exc)
            return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[pk]))
        return redirect(reverse("admin:catalog_submittedresource_changelist"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        resource = Resource.objects.select_related("provider", "revision_of").filter(pk=object_id).first()
        extra = dict(extra_context or {})
        if resource is not None:
            warnings = resource_warnings(resource) if resource.status != Resource.Status.REGISTERED else []
            overlapping = {pk for w in warnings for pk in (getattr(w, "resources", None) or [])}
            extra.update({
                "live_warnings": warnings,
                # The entries a C5 warning points at, by name and provider (not a bare "#4").
                "overlap_resources": {r.pk: r for r in Resource.objects.filter(
                    pk__in=overlapping).select_related("provider")},
                "diff": resource_diff(resource.revision_of, resource) if resource.is_revision else None,
                "events": workflow_events(resource),
                "can_review": TRANSITIONS.find(resource.status, "approve") is not None
                and policies.can_review_resource(request.user, resource),
                "review_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_review",
                                      args=[resource.pk]),
                "show_save": False, "show_save_and_continue": False,
                "show_save_and_add_another": False, "show_delete": False,
            })
        return super().change_view(request, object_id, form_url, extra)

    def render_change_form(self, request, context, *args, **kwargs):
        context.update({"show_save": False, "show_save_and_continue": False,
                        "show_save_and_add_another": False})
        return super().render_change_form(request, context, *args, **kwargs)


admin.site.register(Resource, ResourceAdmin)


@admin.register(SubmittedResource)
class SubmittedResourceAdmin(ResourceAdmin):
    """The review queue: what waits for the center, oldest first."""

    list_display = ["name", "provider", "kind", "classification", "sharing_type", "warning_count",
                    "submitted_at", "review_round"]
    list_filter = ["classification", "sharing_type"]
    ordering = ["submitted_at", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=Resource.Status.SUBMITTED)


@admin.register(ChangeEvent)
class ChangeEventAdmin(PolicyAdmin, SimpleHistoryAdmin):
    list_display = ["title", "department", "kind", "occurred_on", "due_on", "status", "overdue"]
    list_filter = ["status", "kind", ("overdue_at", admin.EmptyFieldListFilter)]
    list_select_related = ["department"]
    search_fields = ["title", "department__name"]
    autocomplete_fields = ["department"]
    fields = ["department", "kind", "title", "occurred_on", "description", "due_on",
              "status", "completed_at", "completion_note", "overdue_at"]
    action_form = CommentActionForm
    actions = ["cancel_selected"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        readonly = ["due_on", "status", "completed_at", "completion_note", "overdue_at"]
        if obj is not None:
            readonly += ["department", "kind", "title", "occurred_on", "description"]
        return readonly

    def can_change(self, user, obj=None) -> bool:
        return obj is None or obj.status == ChangeEvent.Status.OPEN and policies.can_cancel_change_event(user, obj)

    def can_delete(self, user, obj=None) -> bool:
        return False

    @admin.display(description=_lazy("逾期"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue

    def save_model(self, request, obj, form, change):
        if change:
            return
        event = services.change_event_record(
            actor=request.user, department=obj.department, kind=obj.kind, title=obj.title,
            occurred_on=obj.occurred_on, description=obj.description)
        obj.pk = event.pk

    @admin.action(description=_lazy("撤销所选事项（须填写意见）"))
    def cancel_selected(self, request, queryset):
        reason = request.POST.get("comment", "")
        admin_action_apply(self, request, queryset, lambda e: services.change_event_cancel(
            actor=request.user, event=e, reason=reason), _("已撤销 %(n)d 个事项。"))


class CensusForm(forms.ModelForm):
    class Meta:
        model = Census
        fields = ["year", "title", "due_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "title" in self.fields:
            self.fields["title"].required = False
            self.fields["title"].help_text = _("留空则为“某年度信息资源目录普查”")


@admin.register(Census)
class CensusAdmin(PolicyAdmin, SimpleHistoryAdmin):
    list_display = ["year", "title", "due_on", "status", "completion"]
    form = CensusForm
    actions = ["close_selected"]
    change_form_template = "admin/catalog/census/change_form.html"

    def get_queryset(self, request):
        S = "entries__status"
        return super().get_queryset(request).annotate(
            total=Count("entries"), pending=Count("entries", filter=Q(**{S: "pending"})))

    def get_readonly_fields(self, request, obj=None):
        return ["year", "title", "due_on", "status"] if obj is not None else []

    def can_add(self, user) -> bool:
        return policies.can_manage_census(user)

    def can_change(self, user, obj=None) -> bool:
        return policies.can_manage_census(user)

    def can_delete(self, user, obj=None) -> bool:
        return False

    @admin.display(description=_lazy("完成率"))
    def completion(self, obj):
        if not obj.total:
            return "—"
        return f"{(obj.total - obj.pending) * 100 / obj.total:.1f}%（{obj.total - obj.pending}/{obj.total}）"

    def save_model(self, request, obj, form, change):
        if change:
            return
        census = services.census_open(actor=request.user, year=obj.year, due_on=obj.due_on,
                                      title=obj.title)
        obj.pk = census.pk
        obj.refresh_from_db()  # the title the service gave it, for the "added" message

    def change_view(self, request, object_id, form_url="", extra_context=None):
        census = Census.objects.filter(pk=object_id).first()
        extra = {**(extra_context or {}),
                 "progress": services.census_progress(census) if census else []}
        return super().change_view(request, object_id, form_url, extra)

    @admin.action(description=_lazy("结束所选普查"))
    def close_selected(self, request, queryset):
        admin_action_apply(self, request, queryset, lambda c: services.census_close(actor=request.user, census=c),
             _("已结束 %(n)d 次普查。"))


class ProjectResourceInline(admin.TabularInline):
    model = Resource
    fk_name = "project"
    fields = ["code", "name", "status", "sharing_type"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _lazy("项目目录")
    verbose_name_plural = _lazy("项目目录")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(revision_of__isnull=True)


@admin.register(Project)
class ProjectAdmin(PolicyAdmin, SimpleHistoryAdmin):
    list_display = ["code", "name", "department", "status", "approved_on", "completed_on", "entries"]
    list_filter = ["status"]
    list_select_related = ["department"]
    search_fields = ["code", "name", "department__name"]
    readonly_fields = ["code", "name", "department", "description", "budget", "status",
                       "approved_on", "completed_on", "review_comment"]
    exclude = ["created_by", "created_at"]
    inlines = [ProjectResourceInline]
    action_form = CommentActionForm
    actions = ["approve_selected", "reject_selected", "complete_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            entry_count=Count("resources", filter=Q(resources__revision_of__isnull=True)))

    @admin.display(description=_lazy("目录数"), ordering="entry_count")
    def entries(self, obj):
        return obj.entry_count

    def can_add(self, user) -> bool:
        return False

    def can_change(self, user, obj=None) -> bool:
        return policies.can_review_project(user, obj)

    def can_delete(self, user, obj=None) -> bool:
        return False

    @admin.action(description=_lazy("批准立项"))
    def approve_selected(self, request, queryset):
        comment = request.POST.get("comment", "")
        admin_action_apply(self, request, queryset, lambda p: services.project_approve(
            actor=request.user, project=p, comment=comment), _("已批准 %(n)d 个项目。"))

    @admin.action(description=_lazy("不予立项（须填写意见）"))
    def reject_selected(self, request, queryset):
        comment = request.POST.get("comment", "")
        admin_action_apply(self, request, queryset, lambda p: services.project_reject(
            actor=request.user, project=p, comment=comment), _("已退回 %(n)d 个项目。"))

    @admin.action(description=_lazy("项目验收（目录须已全部注册）"))
    def complete_selected(self, request, queryset):
        admin_action_apply(self, request, queryset, lambda p: services.project_complete(
            actor=request.user, project=p), _("已验收 %(n)d 个项目。"))


@admin.register(ImportJob)
class ImportJobAdmin(PolicyAdmin):
    list_display = ["original_name", "department", "uploaded_by", "status", "total_rows",
                    "created_count", "created_at"]
    list_filter = ["status"]
    list_select_related = ["department", "uploaded_by"]
    readonly_fields = ["department", "uploaded_by", "file", "original_name", "status", "total_rows",
                       "processed_rows", "created_count", "report", "created_at", "finished_at"]

    def can_add(self, user) -> bool:
        return False

    def can_change(self, user, obj=None) -> bool:
        return False

    def can_delete(self, user, obj=None) -> bool:
        return False
from .cascade import admin as _cascade_admin  # noqa: E402, F401 (registers)

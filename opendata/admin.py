"""The center's open-data workplace in the admin (P6): queues and decisions.

Rows are read-only here: every decision is an admin action that calls the same service
as the web pages and the API, so the admin cannot publish what the service refuses (a
not-open entry, a sensitive item without masking) and cannot create a dataset at all —
datasets start from a catalog entry in the department pages.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin_site import PolicyAdmin, admin_action_apply
from portal.models import Department
from portal.policies import is_center

from .models import (
    AccessApplication,
    Comment,
    DataProduct,
    DataRequest,
    Dataset,
    DatasetField,
    DatasetUpdate,
    Distribution,
    OpenPlan,
    OpenPlanItem,
    ProductDataset,
    UsageReport,
)
from .services import datasets as ds
from .services import demand as demand_services
from .services import engagement as engagement_services
from .services import products as product_services


class DecisionActionForm(ActionForm):
    comment = forms.CharField(label=_("意见 / 原因"), required=False,
                              widget=forms.TextInput(attrs={"size": 40}))
    department = forms.ModelChoiceField(label=_("承办部门"), required=False,
                                        queryset=Department.objects.filter(is_active=True))


def _run(modeladmin, request, queryset, call, done) -> None:
    """The shared admin action loop, passing each call the comment from the action bar."""
    comment = request.POST.get("comment", "")
    admin_action_apply(modeladmin, request, queryset, lambda obj: call(obj, comment), done)


class ReadOnlyAdmin(PolicyAdmin, SimpleHistoryAdmin):
    """Rows change only through actions (services)."""

    action_form = DecisionActionForm
    show_full_result_count = False
    list_per_page = 50

    def can_add(self, user) -> bool:
        return False

    def can_change(self, user, obj=None) -> bool:
        return False

    def can_view(self, user, obj=None) -> bool:
        return is_center(user)

    def has_module_permission(self, request) -> bool:
        return is_center(request.user)


class DatasetFieldInline(admin.TabularInline):
    model = DatasetField
    fields = ["position", "title", "column", "included", "mask_rule", "mask_params"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class DistributionInline(admin.TabularInline):
    model = Distribution
    fields = ["format", "file", "byte_size", "checksum", "modified_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Dataset)
class DatasetAdmin(ReadOnlyAdmin):
    list_display = ["title", "publisher", "open_type", "status", "data_status",
                    "review_due_on", "published_at", "download_count", "review_link"]
    list_filter = ["status", "open_type", "data_status", "theme", "update_cycle"]
    list_select_related = ["publisher"]
    search_fields = ["title", "name", "resource__code", "publisher__name"]
    exclude = ["search_text", "search_vector"]
    inlines = [DatasetFieldInline, DistributionInline]
    actions = ["approve", "return_", "withdraw", "regenerate"]

    @admin.display(description=_("审核"))
    def review_link(self, obj):
        if obj.status != Dataset.Status.PROPOSED:
            return ""
        return format_html('<a href="{}">{}</a>', reverse("opendata:manage_review", args=[obj.pk]),
                           _("审核（含脱敏样例）"))

    @admin.action(description=_("审核通过并发布"))
    def approve(self, request, queryset):
        _run(self, request, queryset, lambda o, c: ds.dataset_approve(
            actor=request.user, dataset=o, comment=c), _("已发布 %(n)s 个数据集。"))

    @admin.action(description=_("退回修改（填写意见）"))
    def return_(self, request, queryset):
        _run(self, request, queryset, lambda o, c: ds.dataset_return(
            actor=request.user, dataset=o, comment=c), _("已退回 %(n)s 个数据集。"))

    @admin.action(description=_("下线（填写原因，向社会公开）"))
    def withdraw(self, request, queryset):
        _run(self, request, queryset, lambda o, c: ds.dataset_withdraw(
            actor=request.user, dataset=o, reason=c), _("已下线 %(n)s 个数据集。"))

    @admin.action(description=_("重新生成开放数据"))
    def regenerate(self, request, queryset):
        _run(self, request, queryset, lambda o, c: ds.dataset_regenerate(
            actor=request.user, dataset=o), _("已开始重新生成 %(n)s 个数据集。"))


@admin.register(DatasetUpdate)
class DatasetUpdateAdmin(ReadOnlyAdmin):
    list_display = ["dataset", "summary", "status", "review_due_on", "created_at"]
    list_filter = ["status"]
    list_select_related = ["dataset"]
    search_fields = ["dataset__title", "summary"]
    actions = ["approve", "return_"]

    @admin.action(description=_("审核通过"))
    def approve(self, request, queryset):
        _run(self, request, queryset, lambda o, c: ds.update_approve(
            actor=request.user, update=o, comment=c), _("%(n)s 项更新已生效。"))

    @admin.action(description=_("退回修改（填写意见）"))
    def return_(self, request, queryset):
        _run(self, request, queryset, lambda o, c: ds.update_return(
            actor=request.user, update=o, comment=c), _("已退回 %(n)s 项更新。"))


@admin.register(AccessApplication)
class AccessApplicationAdmin(ReadOnlyAdmin):
    list_display = ["dataset", "applicant", "purpose_kind", "status", "due_on", "valid_until"]
    list_filter = ["status", "purpose_kind"]
    list_select_related = ["dataset", "applicant"]
    search_fields = ["dataset__title", "applicant__username", "organisation"]
    actions = ["approve", "refuse"]

    @admin.action(description=_("批准"))
    def approve(self, request, queryset):
        _run(self, request, queryset, lambda o, c: engagement_services.application_approve(
            actor=request.user, application=o, comment=c), _("已批准 %(n)s 项申请。"))

    @admin.action(description=_("不予批准（填写理由）"))
    def refuse(self, request, queryset):
        _run(self, request, queryset, lambda o, c: engagement_services.application_refuse(
            actor=request.user, application=o, comment=c), _("已答复 %(n)s 项申请。"))


@admin.register(DataRequest)
class DataRequestAdmin(ReadOnlyAdmin):
    list_display = ["title", "status", "department", "due_on", "submitted_at"]
    list_filter = ["status", "outcome", "theme"]
    list_select_related = ["department"]
    search_fields = ["title", "description"]
    actions = ["route", "reject"]

    @admin.action(description=_("转办到所选承办部门"))
    def route(self, request, queryset):
        department = Department.objects.filter(pk=request.POST.get("department") or 0).first()
        if department is None:
            self.message_user(request, _("请先在下方选择承办部门。"), messages.ERROR)
            return
        _run(self, request, queryset, lambda o, c: demand_services.request_route(
            actor=request.user, request=o, department=department, comment=c),
            _("已转办 %(n)s 条需求。"))

    @admin.action(description=_("不予受理（填写理由，向社会公开）"))
    def reject(self, request, queryset):
        _run(self, request, queryset, lambda o, c: demand_services.request_reject(
            actor=request.user, request=o, reason=c), _("已处理 %(n)s 条需求。"))


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["dataset", "author", "status", "created_at", "body"]
    list_filter = ["status"]
    list_select_related = ["dataset", "author"]
    search_fields = ["body", "dataset__title"]
    actions = ["approve", "reject"]

    @admin.action(description=_("公开"))
    def approve(self, request, queryset):
        _run(self, request, queryset, lambda o, c: engagement_services.comment_moderate(
            actor=request.user, comment=o, action="approve", reply=c), _("已公开 %(n)s 条留言。"))

    @admin.action(description=_("不予公开"))
    def reject(self, request, queryset):
        _run(self, request, queryset, lambda o, c: engagement_services.comment_moderate(
            actor=request.user, comment=o, action="reject"), _("已处理 %(n)s 条留言。"))


class ProductDatasetInline(admin.TabularInline):
    model = ProductDataset
    fields = ["dataset", "source", "acquired_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class UsageReportInline(admin.TabularInline):
    model = UsageReport
    fields = ["period_start", "period_end", "active_users", "visits", "summary"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DataProduct)
class DataProductAdmin(ReadOnlyAdmin):
    list_display = ["name", "developer", "kind", "status", "submitted_at", "listed_at"]
    list_filter = ["status", "kind"]
    search_fields = ["name", "developer"]
    inlines = [ProductDatasetInline, UsageReportInline]
    actions = ["list_", "return_", "delist"]

    @admin.action(description=_("审核通过并展示"))
    def list_(self, request, queryset):
        _run(self, request, queryset, lambda o, c: product_services.product_review(
            actor=request.user, product=o, action="list", comment=c), _("已展示 %(n)s 个产品。"))

    @admin.action(description=_("退回（填写意见）"))
    def return_(self, request, queryset):
        _run(self, request, queryset, lambda o, c: product_services.product_review(
            actor=request.user, product=o, action="return", comment=c), _("已退回 %(n)s 个产品。"))

    @admin.action(description=_("下架（填写原因）"))
    def delist(self, request, queryset):
        _run(self, request, queryset, lambda o, c: product_services.product_review(
            actor=request.user, product=o, action="delist", comment=c), _("已下架 %(n)s 个产品。"))


class OpenPlanItemInline(admin.TabularInline):
    model = OpenPlanItem
    fields = ["resource", "planned_on", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OpenPlan)
class OpenPlanAdmin(ReadOnlyAdmin):
    list_display = ["department", "year", "status", "progress"]
    list_filter = ["year", "status"]
    list_select_related = ["department"]
    inlines = [OpenPlanItemInline]
    actions = ["reopen"]

    @admin.display(description=_("进度"))
    def progress(self, obj):
        from .selectors import plan_progress

        p = plan_progress(obj)
        return f"{p.published}/{p.planned}（{p.percent}%），逾期 {p.overdue}"

    @admin.action(description=_("退回重新编制"))
    def reopen(self, request, queryset):
        _run(self, request, queryset, lambda o, c: demand_services.plan_reopen(
            actor=request.user, plan=o, comment=c), _("已退回 %(n)s 份计划。"))

from .harvest import admin as _harvest_admin  # noqa: E402, F401 (registers)

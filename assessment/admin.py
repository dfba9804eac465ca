"""The authority's assessment workplace in the admin (P6): plans with their indicators,
scores with their inputs, notices, reports and complaints. Every change goes through
the services; every list is what the authority may see."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from simple_history.admin import SimpleHistoryAdmin

from assessment import selectors
from assessment.models import (
    AnnualReport,
    Complaint,
    ComputationRun,
    Plan,
    PlanIndicator,
    RectificationNotice,
    Score,
    ScoreObjection,
    SelfAssessment,
)
from assessment.policies import can_manage_assessments, can_manage_notice, can_manage_plan
from assessment.services import annual_reports, complaints, compute, plans, rectification
from portal.admin_site import CommentActionForm, PolicyAdmin, admin_action_apply
from portal.forms import DateInput


class AuthorityAdmin(PolicyAdmin):
    """Visible to the authority only; rows are changed through actions and services."""

    def can_view(self, user, obj=None) -> bool:
        return can_manage_assessments(user)

    def can_change(self, user, obj=None) -> bool:
        return False

    def can_add(self, user) -> bool:
        return False

    def can_delete(self, user, obj=None) -> bool:
        return False


class PlanIndicatorInline(admin.TabularInline):
    model = PlanIndicator
    fields = ["position", "code", "kind", "name", "category", "weight", "rule", "best", "worst",
              "no_data"]
    readonly_fields = ["position", "code", "kind", "name", "category"]
    extra = 0
    can_delete = False
    ordering = ["position", "pk"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(PolicyAdmin, SimpleHistoryAdmin):
    list_display = ["title", "year", "region", "status", "self_assessment_due", "computed_at",
                    "published_at"]
    list_filter = ["status", "year"]
    list_select_related = ["region"]
    search_fields = ["title"]
    inlines = [PlanIndicatorInline]
    actions = ["activate", "recompute", "publish"]
    readonly_fields = ["status", "created_by", "created_at", "activated_at", "published_at",
                       "computed_at"]

    def get_queryset(self, request):
        return selectors.plans_managed(request.user)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (["region", "year"] if obj else [])

    def get_fields(self, request, obj=None):
        if obj is None:  # the rest comes from the defaults (scope, indicators, timetable)
            return ["region", "year", "title", "description"]
        return super().get_fields(request, obj)

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def can_view(self, user, obj=None) -> bool:
        return can_manage_assessments(user) and (obj is None or can_manage_plan(user, obj))

    def can_change(self, user, obj=None) -> bool:
        return self.can_view(user, obj) and (obj is None or obj.status != Plan.Status.PUBLISHED)

    def can_add(self, user) -> bool:
        return can_manage_assessments(user)

    def can_delete(self, user, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data
                  if name not in ("region", "year")}
        if change:
            plans.plan_update(actor=request.user, plan=obj, **fields)
        else:
            created = plans.plan_create(actor=request.user, region=obj.region, year=obj.year,
                                        **fields)
            obj.pk = created.pk

    def save_formset(self, request, form, formset, change):
        for indicator in formset.save(commit=False):
            plans.plan_indicator_save(actor=request.user, plan=form.instance, indicator=indicator)

    @admin.action(description=_lazy("启动考核"))
    def activate(self, request, queryset):
        admin_action_apply(self, request, queryset, lambda p: plans.plan_activate(actor=request.user, plan=p),
             _("已启动 %(n)d 个考核方案。"))

    @admin.action(description=_lazy("重新计算指标"))
    def recompute(self, request, queryset):
        admin_action_apply(self, request, queryset,
             lambda p: compute.plan_compute_request(actor=request.user, plan=p),
             _("已安排重新计算 %(n)d 个考核方案。"))

    @admin.action(description=_lazy("公布结果"))
    def publish(self, request, queryset):
        admin_action_apply(self, request, queryset, lambda p: plans.plan_publish(actor=request.user, plan=p),
             _("已公布 %(n)d 个考核方案的结果。"))


@admin.register(Score)
class ScoreAdmin(AuthorityAdmin, SimpleHistoryAdmin):
    list_display = ["unit", "indicator", "value", "base_score", "adjusted_score", "score",
                    "computed_at", "reviewed_at"]
    list_filter = ["plan", "indicator__kind"]
    list_select_related = ["unit", "indicator"]
    search_fields = ["unit__name", "indicator__name"]
    show_full_result_count = False

    def get_queryset(self, request):
        return Score.objects.filter(plan__in=selectors.plans_managed(request.user))


@admin.register(ComputationRun)
class ComputationRunAdmin(AuthorityAdmin):
    list_display = ["plan", "status", "requested_at", "finished_at", "query_count", "duration_ms",
                    "proposals"]
    list_filter = ["status"]
    list_select_related = ["plan"]

    def get_queryset(self, request):
        return ComputationRun.objects.filter(plan__in=selectors.plans_managed(request.user))


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(AuthorityAdmin, SimpleHistoryAdmin):
    list_display = ["unit", "indicator", "claimed_score", "status", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["unit", "indicator"]

    def get_queryset(self, request):
        return selectors.self_assessments_visible(request.user)


@admin.register(ScoreObjection)
class ScoreObjectionAdmin(AuthorityAdmin, SimpleHistoryAdmin):
    list_display = ["score", "status", "raised_at", "due_on", "answered_at"]
    list_filter = ["status"]
    list_select_related = ["score__unit", "score__indicator"]

    def get_queryset(self, request):
        return selectors.objections_visible(request.user)


class NoticeActionForm(CommentActionForm):
    due_on = forms.DateField(label=_lazy("整改期限"), required=False,
                             widget=DateInput())


@admin.register(RectificationNotice)
class RectificationNoticeAdmin(AuthorityAdmin, SimpleHistoryAdmin):
    list_display = ["__str__", "department", "violation", "source", "status", "due_on",
                    "escalated_at"]
    list_filter = ["status", "violation", "source", "project_hold"]
    list_select_related = ["department"]
    search_fields = ["number", "department__name", "facts"]
    show_full_result_count = False
    action_form = NoticeActionForm
    actions = ["issue", "dismiss", "accept"]

    def get_queryset(self, request):
        return selectors.notices_visible(request.user)

    def can_view(self, user, obj=None) -> bool:
        return can_manage_assessments(user) and (obj is None or can_manage_notice(user, obj))

    @admin.action(description=_lazy("下发选中的整改建议"))
    def issue(self, request, queryset):
        due_on = forms.DateField(required=False).clean(request.POST.get("due_on") or None)
        admin_action_apply(self, request, queryset, lambda n: rectification.notice_issue(
            actor=request.user, notice=n, due_on=due_on), _("已下发 %(n)d 份整改通知。"))

    @admin.action(description=_lazy("不予下发（须填写意见）"))
    def dismiss(self, request, queryset):
        reason = request.POST.get("comment", "")
        admin_action_apply(self, request, queryset, lambda n: rectification.notice_dismiss(
            actor=request.user, notice=n, reason=reason), _("已处理 %(n)d 条整改建议。"))

    @admin.action(description=_lazy("确认整改完成"))
    def accept(self, request, queryset):
        comment = request.POST.get("comment", "")
        admin_action_apply(self, request, queryset, lambda n: rectification.notice_accept(
            actor=request.user, notice=n, comment=comment), _("已确认 %(n)d 份整改完成。"))


@admin.register(AnnualReport)
class AnnualReportAdmin(AuthorityAdmin, SimpleHistoryAdmin):
    list_display = ["department", "year", "status", "due_on", "submitted_at"]
    list_filter = ["year", "status"]
    list_select_related = ["department"]
    search_fields = ["department__name"]
    action_form = CommentActionForm
    actions = ["accept"]

    def get_queryset(self, request):
        return selectors.annual_reports_visible(request.user)

    @admin.action(description=_lazy("审阅通过"))
    def accept(self, request, queryset):
        comment = request.POST.get("comment", "")
        admin_action_apply(self, request, queryset, lambda r: annual_reports.annual_report_accept(
            actor=request.user, report=r, comment=comment), _("已审阅 %(n)d 份报告。"))


@admin.register(Complaint)
class ComplaintAdmin(AuthorityAdmin, SimpleHistoryAdmin):
    list_display = ["__str__", "subject", "complainant", "respondent", "status", "due_on"]
    list_filter = ["status", "violation"]
    list_select_related = ["complainant", "respondent"]
    search_fields = ["number", "subject"]
    actions = ["accept"]

    def get_queryset(self, request):
        return selectors.complaints_visible(request.user)

    @admin.action(description=_lazy("受理"))
    def accept(self, request, queryset):
        admin_action_apply(self, request, queryset, lambda c: complaints.complaint_accept(
            actor=request.user, complaint=c), _("已受理 %(n)d 件投诉。"))

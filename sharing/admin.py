"""The center's and the authority's sharing work in the admin (P6). Rows change only
through services: change forms carry a decision, admin actions call services, and the
outcome (or the domain error) comes back as a message."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from catalog.models import Resource, SharingType
from portal.admin_site import PolicyAdmin, admin_action_apply, admin_perform
from portal.policies import can_use_admin, is_authority, is_center

from .exports import xlsx_bytes
from .gateway.services import service_enable, service_return, service_suspend
from .models import (
    CoReview,
    DataService,
    Dispute,
    DisputeMessage,
    Filing,
    Grant,
    NegativeListEntry,
    NegativeListRound,
    Objection,
    ResponseRecord,
    RoundItem,
    ServiceOperation,
    ShareRequest,
    TransferRequest,
)
from .services.disputes import dispute_decide, dispute_request_co_review
from .services.filings import filing_acknowledge, filing_return, filing_revoke
from .services.grants import grant_revoke
from .services.negative_list import (
    LISTED_TYPES,
    negative_list_periodic_review,
    round_cancel,
    round_item_decide,
    round_open,
    round_publish,
    round_reopen,
    round_submit_signoff,
)
from .services.requests import request_approve, request_refuse
from .services.transfers import transfer_consent


class ServiceAdmin(PolicyAdmin, SimpleHistoryAdmin):
    """Rows are shown read-only; ``decision_fields`` on the form carry what to do."""

    decision_fields: tuple[str, ...] = ()

    def can_add(self, user) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + list(self.extra_readonly)

    extra_readonly: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        shown = [f.name for f in self.model._meta.fields if f.name != "id"]
        return shown + list(self.extra_readonly) + list(self.decision_fields)

    def save_related(self, request, form, formsets, change):
        """Nothing is saved besides what the decision's service does (the read-only
        inlines are only prepared for the change message)."""
        for formset in formsets:
            formset.save(commit=False)


# -- filings (S6) -----------------------------------------------------------------------

class FilingDecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(label=_("审核决定"), required=False, choices=[
        ("", "—"), ("acknowledge", _("确认备案")), ("return", _("退回修改")),
        ("revoke", _("撤销备案")),
    ])
    comment = forms.CharField(label=_("意见"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = Filing
        fields: list[str] = []


@admin.register(Filing)
class FilingAdmin(ServiceAdmin):
    form = FilingDecisionForm
    decision_fields = ("decision", "comment")
    list_display = ["department", "status", "responsible_person", "submitted_at",
                    "acknowledged_at"]
    list_filter = ["status"]
    list_select_related = ["department"]
    search_fields = ["department__name", "department__short_name", "responsible_person"]
    actions = ["acknowledge_selected"]

    def can_change(self, user, obj=None) -> bool:
        return is_center(user)

    def save_model(self, request, obj, form, change):
        decision, comment = form.cleaned_data.get("decision"), form.cleaned_data.get("comment", "")
        services = {"acknowledge": filing_acknowledge, "return": filing_return,
                    "revoke": filing_revoke}
        if decision:
            admin_perform(self, request, lambda: services[decision](
                actor=request.user, filing=obj, comment=comment),
                _("已办理：%(filing)s") % {"filing": obj})

    @admin.action(description=_("确认所选备案"))
    def acknowledge_selected(self, request, queryset):
        for filing in queryset.filter(status=Filing.Status.SUBMITTED):
            admin_perform(self, request,
                          lambda f=filing: filing_acknowledge(actor=request.user, filing=f),
                          _("已确认备案：%(filing)s") % {"filing": filing})


# -- requests (S3): the center's pre-review and enablement --------------------------------

class RequestDecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(label=_("信息中心办理"), required=False, choices=[
        ("", "—"), ("approve", _("预审通过 / 开通")), ("refuse", _("退回修改（预审）")),
    ])
    comment = forms.CharField(label=_("意见"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = ShareRequest
        fields: list[str] = []


@admin.register(ShareRequest)
class ShareRequestAdmin(ServiceAdmin):
    form = RequestDecisionForm
    decision_fields = ("decision", "comment")
    extra_readonly = ("item_list",)
    list_display = ["number", "resource", "applicant", "provider", "status", "due_on",
                    "submitted_at", "answer", "answered_late"]
    list_filter = ["status", "answer", "answered_late", "purpose"]
    list_select_related = ["resource", "applicant", "provider"]
    search_fields = ["number", "resource__name", "resource__code", "applicant__name",
                     "provider__name"]
    date_hierarchy = "submitted_at"
    show_full_result_count = False
    actions = ["approve_selected"]

    def can_change(self, user, obj=None) -> bool:
        return is_center(user)

    @admin.display(description=_("申请信息项"))
    def item_list(self, obj):
        return "、".join(i.name for i in obj.items.all())

    def save_model(self, request, obj, form, change):
        decision, comment = form.cleaned_data.get("decision"), form.cleaned_data.get("comment", "")
        if decision == "approve":
            admin_perform(self, request, lambda: request_approve(
                actor=request.user, request=obj, comment=comment), _("已办理。"))
        elif decision == "refuse":
            admin_perform(self, request, lambda: request_refuse(
                actor=request.user, request=obj, reason=comment), _("已退回。"))

    @admin.action(description=_("预审通过 / 开通所选申请"))
    def approve_selected(self, request, queryset):
        for share_request in queryset.filter(status__in=[ShareRequest.Status.PREREVIEW,
                                                          ShareRequest.Status.ENABLEMENT]):
            admin_perform(self, request,
                          lambda r=share_request: request_approve(actor=request.user, request=r),
                          _("已办理：%(number)s") % {"number": share_request.number})


@admin.register(ResponseRecord)
class ResponseRecordAdmin(PolicyAdmin):
    list_display = ["number", "applicant", "provider", "resource", "status", "submitted_at",
                    "answer_due_on", "answered_at", "answer_working_days", "answered_late",
                    "answer", "closed_at"]
    list_filter = ["status", "answer", "answered_late", "provider", "applicant"]
    list_select_related = ["applicant", "provider", "resource"]
    search_fields = ["number", "resource__name"]
    date_hierarchy = "submitted_at"
    show_full_result_count = False
    actions = ["export_xlsx"]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(status=ShareRequest.Status.DRAFT)

    def can_view(self, user, obj=None) -> bool:
        return is_center(user) or is_authority(user)

    def can_change(self, user, obj=None) -> bool:
        return False

    def can_add(self, user) -> bool:
        return False

    @admin.action(description=_("导出所选记录（XLSX）"))
    def export_xlsx(self, request, queryset):
        from .views.oversight import RESPONSE_HEADER, _response_row

        rows = (_response_row(r) for r in queryset.select_related(
            "applicant", "provider", "resource", "dispute").iterator(chunk_size=500))
        response = HttpResponse(xlsx_bytes(str(_("共享需求响应记录")), RESPONSE_HEADER, rows),
                                content_type="application/vnd.openxmlformats-officedocument."
                                             "spreadsheetml.sheet")
        name = f"sharing-responses-{timezone.localdate():%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


# -- grants (S5) ------------------------------------------------------------------------

class GrantRevokeForm(forms.ModelForm):
    revoke = forms.CharField(label=_("撤销原因"), required=False,
                             help_text=_("填写原因并保存即撤销该授权"),
                             widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = Grant
        fields: list[str] = []


@admin.register(Grant)
class GrantAdmin(ServiceAdmin):
    form = GrantRevokeForm
    decision_fields = ("revoke",)
    extra_readonly = ("item_list",)
    list_display = ["resource", "department", "provider", "purpose", "valid_from",
                    "valid_until", "revoked_at"]
    list_filter = ["purpose", "method", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["resource", "department", "provider"]
    search_fields = ["resource__name", "resource__code", "department__name", "provider__name"]
    show_full_result_count = False
    date_hierarchy = "granted_at"

    def can_change(self, user, obj=None) -> bool:
        return is_authority(user)

    @admin.display(description=_("授权信息项"))
    def item_list(self, obj):
        masked = {i.pk for i in obj.masked_items.all()}
        return "、".join(f"{i.name}{'（脱敏）' if i.pk in masked else ''}" for i in obj.items.all())

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("revoke", "").strip()
        if reason:
            admin_perform(self, request,
                          lambda: grant_revoke(actor=request.user, grant=obj, reason=reason),
                          _("授权已撤销。"))


# -- disputes (S4): the authority's coordination ------------------------------------------

class ShownInline(admin.TabularInline):
    """A read-only inline the center and the authority see (permissions from policies,
    not Django model permissions)."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None) -> bool:
        return can_use_admin(request.user)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MessageInline(ShownInline):
    model = DisputeMessage
    fields = ["created_at", "department", "author", "body", "attachment"]
    readonly_fields = fields


class CoReviewInline(ShownInline):
    model = CoReview
    fk_name = "dispute"
    fields = ["role", "requested_at", "reviewer", "decision", "opinion", "signed_at"]
    readonly_fields = fields


class CoordinationForm(forms.ModelForm):
    propose_type = forms.ChoiceField(
        label=_("拟调整共享类型并发起会审"), required=False,
        choices=[("", "—"), *SharingType.choices],
        help_text=_("保存后请保密、法制部门会审；会审同意后方可在协调决定中调整"))
    # Not named like a Dispute field: the admin drops form fields named as read-only ones.
    coordination = forms.ChoiceField(label=_("协调决定"), required=False, choices=[
        ("", "—"), ("approve", _("予以共享")), ("refuse", _("不予共享"))])
    decision_text = forms.CharField(label=_("决定内容"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 4}))
    apply_type = forms.BooleanField(label=_("同时按会审意见调整资源共享类型"), required=False)

    class Meta:
        model = Dispute
        fields: list[str] = []


@admin.register(Dispute)
class DisputeAdmin(ServiceAdmin):
    form = CoordinationForm
    decision_fields = ("propose_type", "coordination", "decision_text", "apply_type")
    extra_readonly = ("request_summary",)
    inlines = [MessageInline, CoReviewInline]
    list_display = ["request", "opened_at", "escalated_at", "outcome", "decided_at"]
    list_filter = ["outcome", ("escalated_at", admin.EmptyFieldListFilter)]
    list_select_related = ["request__resource"]
    search_fields = ["request__number", "request__resource__name"]

    def can_change(self, user, obj=None) -> bool:
        return is_authority(user)

    @admin.display(description=_("申请概况"))
    def request_summary(self, obj):
        r = obj.request
        rows = [
            (_("申请部门"), r.applicant), (_("提供部门"), r.provider),
            (_("信息资源"), f"{r.resource}（{r.resource.get_sharing_type_display()}）"),
            (_("用途"), f"{r.get_purpose_display()}：{r.purpose_detail}"),
            (_("申请信息项"), "、".join(i.name for i in r.items.all())),
            (_("不予共享理由"), r.refusal_reason or "—"),
        ]
        return format_html_join(mark_safe("<br>"), "<strong>{}</strong>：{}", rows)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if data.get("propose_type"):
            admin_perform(self, request, lambda: dispute_request_co_review(
                actor=request.user, dispute=obj, sharing_type=data["propose_type"]),
                _("已发起会审。"))
        if data.get("coordination"):
            admin_perform(self, request, lambda: dispute_decide(
                actor=request.user, request=obj.request, approve=data["coordination"] == "approve",
                decision=data.get("decision_text", ""), change_sharing_type=data["apply_type"]),
                _("协调决定已记录。"))


# -- transfers (S7): the authority's consent --------------------------------------------

class ConsentAdminForm(forms.ModelForm):
    consent = forms.ChoiceField(label=_("主管部门意见"), required=False, choices=[
        ("", "—"), ("1", _("同意转送")), ("0", _("不同意转送"))])
    consent_comment = forms.CharField(label=_("说明"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = TransferRequest
        fields: list[str] = []


@admin.register(TransferRequest)
class TransferRequestAdmin(ServiceAdmin):
    form = ConsentAdminForm
    decision_fields = ("consent", "consent_comment")
    list_display = ["grant", "applicant", "recipient_name", "status", "authority_consent",
                    "provider_consent", "due_on"]
    list_filter = ["status", "authority_consent", "provider_consent"]
    list_select_related = ["grant__resource", "grant__department", "applicant"]
    search_fields = ["recipient_name", "applicant__name", "grant__resource__name"]

    def can_change(self, user, obj=None) -> bool:
        return is_authority(user)

    def save_model(self, request, obj, form, change):
        consent = form.cleaned_data.get("consent")
        if consent:
            admin_perform(self, request, lambda: transfer_consent(
                actor=request.user, transfer=obj, agree=consent == "1",
                comment=form.cleaned_data.get("consent_comment", "")), _("已办理。"))


# -- objections (S8): monitoring ----------------------------------------------------------

@admin.register(Objection)
class ObjectionAdmin(ServiceAdmin):
    list_display = ["number", "resource", "reporter", "provider", "kind", "status", "due_on",
                    "fix_working_days", "answered_late"]
    list_filter = ["status", "kind", "answered_late"]
    list_select_related = ["resource", "reporter", "provider"]
    search_fields = ["number", "resource__name", "reporter__name", "provider__name"]
    show_full_result_count = False

    def can_change(self, user, obj=None) -> bool:
        return False


# -- the negative list (S11) ------------------------------------------------------------

@admin.register(NegativeListEntry)
class NegativeListEntryAdmin(ServiceAdmin):
    list_display = ["resource", "sharing_type", "legal_basis_kind", "status",
                    "last_reviewed_on", "published_round"]
    list_filter = ["status", "sharing_type", "legal_basis_kind"]
    list_select_related = ["resource", "published_round"]
    search_fields = ["resource__name", "resource__code", "legal_basis"]

    def can_change(self, user, obj=None) -> bool:
        return False


class RoundItemForm(forms.ModelForm):
    class Meta:
        model = RoundItem
        fields = ["decision", "legal_basis_kind", "legal_basis", "note"]
        widgets = {"legal_basis": forms.Textarea(attrs={"rows": 2, "cols": 40}),
                   "note": forms.Textarea(attrs={"rows": 2, "cols": 30})}


class RoundItemInline(ShownInline):
    """Each item's conclusion; saving calls ``round_item_decide``."""

    model = RoundItem
    form = RoundItemForm
    fields = ["resource", "problem", "decision", "legal_basis_kind", "legal_basis", "note"]
    readonly_fields = ["resource", "problem"]

    def has_change_permission(self, request, obj=None) -> bool:
        return is_authority(request.user) and (
            obj is None or obj.status == NegativeListRound.Status.OPEN)


class RoundCoReviewInline(CoReviewInline):
    fk_name = "review_round"


class RoundOpenForm(forms.ModelForm):
    resources = forms.ModelMultipleChoiceField(
        label=_("审查的信息资源"), required=False,
        queryset=Resource.objects.filter(status=Resource.Status.REGISTERED,
                                         sharing_type__in=LISTED_TYPES),
        widget=FilteredSelectMultiple(_("信息资源"), is_stacked=False))

    class Meta:
        model = NegativeListRound
        fields = ["title", "summary"]


@admin.register(NegativeListRound)
class NegativeListRoundAdmin(PolicyAdmin, SimpleHistoryAdmin):
    list_display = ["title", "origin", "status", "opened_at", "published_at"]
    list_filter = ["status", "origin"]
    inlines = [RoundItemInline, RoundCoReviewInline]
    actions = ["submit_signoff", "publish", "reopen", "cancel"]
    change_list_template = "admin/sharing/negativelistround/change_list.html"

    def can_change(self, user, obj=None) -> bool:
        return is_authority(user)

    def can_add(self, user) -> bool:
        return is_authority(user)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = RoundOpenForm
        return super().get_form(request, obj, **kwargs)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["title", "summary", "origin", "status", "opened_at", "opened_by",
                "published_at", "published_by"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["title", "summary", "resources"]
        return self.get_readonly_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            admin_perform(self, request, lambda: setattr(obj, "pk", round_open(
                actor=request.user, title=form.cleaned_data["title"],
                summary=form.cleaned_data.get("summary", ""),
                resources=form.cleaned_data.get("resources") or []).pk), _("审查已发起。"))

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)  # prepares the change message; services do the saving
        if formset.model is not RoundItem:
            return
        for item_form in formset.forms:
            if not item_form.has_changed() or not isinstance(item_form.instance, RoundItem):
                continue
            data = item_form.cleaned_data
            admin_perform(self, request, lambda i=item_form.instance, d=data: round_item_decide(
                actor=request.user, item=i, decision=d.get("decision", ""),
                legal_basis=d.get("legal_basis", ""), legal_basis_kind=d.get("legal_basis_kind", ""),
                note=d.get("note", "")), _("已保存：%(item)s") % {"item": item_form.instance})

    def _each(self, request, queryset, service, success):
        for review_round in queryset:
            admin_perform(self, request,
                          lambda r=review_round: service(actor=request.user, review_round=r),
                          f"{success}：{review_round}")

    @admin.action(description=_("提交会审（保密、编制、法制）"))
    def submit_signoff(self, request, queryset):
        self._each(request, queryset, round_submit_signoff, _("已提交会审"))

    @admin.action(description=_("发布负面清单"))
    def publish(self, request, queryset):
        self._each(request, queryset, round_publish, _("已发布"))

    @admin.action(description=_("退回修改"))
    def reopen(self, request, queryset):
        self._each(request, queryset, round_reopen, _("已退回修改"))

    @admin.action(description=_("取消审查"))
    def cancel(self, request, queryset):
        self._each(request, queryset, round_cancel, _("已取消"))

    def get_urls(self):
        custom = [path("periodic-review/", self.admin_site.admin_view(self.periodic_review_view),
                       name="sharing_negativelistround_periodic")]
        return custom + super().get_urls()

    def periodic_review_view(self, request):
        """Run the periodic review now (it also runs monthly on the beat schedule)."""
        if request.method == "POST" and self.can_add(request.user):
            review_round = negative_list_periodic_review()
            if review_round is None:
                self.message_user(request, _("没有需要审查的资源。"), messages.INFO)
            else:
                self.message_user(request, _("已发起或补充审查：%(r)s") % {"r": review_round},
                                  messages.SUCCESS)
        return redirect("admin:sharing_negativelistround_changelist")


# -- data services (S9 服务接口): the center's review and enablement ----------------------

class ServiceDecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(label=_("信息中心办理"), required=False, choices=[
        ("", "—"), ("enable", _("启用")), ("return", _("退回")), ("suspend", _("停用"))])
    comment = forms.CharField(label=_("意见"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = DataService
        fields: list[str] = []


class OperationInline(ShownInline):
    model = ServiceOperation
    fields = ["name", "label", "method", "path", "records_path", "params", "field_map"]
    readonly_fields = fields


@admin.register(DataService)
class DataServiceAdmin(ServiceAdmin):
    form = ServiceDecisionForm
    decision_fields = ("decision", "comment")
    inlines = [OperationInline]
    list_display = ["resource", "provider", "status", "health", "last_checked_at", "updated_at"]
    list_filter = ["status", "health"]
    list_select_related = ["resource", "resource__provider"]
    search_fields = ["resource__name", "resource__code", "resource__provider__name"]
    actions = ["enable_selected"]

    def get_readonly_fields(self, request, obj=None):
        # The ciphertext is not shown, not even to the center.
        return [f for f in super().get_readonly_fields(request, obj) if f != "credential_secret"]

    def get_fields(self, request, obj=None):
        return [f for f in super().get_fields(request, obj) if f != "credential_secret"]

    def can_change(self, user, obj=None) -> bool:
        return is_center(user)

    @admin.display(description=_("提供部门"))
    def provider(self, obj):
        return obj.resource.provider

    def save_model(self, request, obj, form, change):
        decision, comment = form.cleaned_data.get("decision"), form.cleaned_data.get("comment", "")
        steps = {"enable": service_enable, "return": service_return, "suspend": service_suspend}
        if decision:
            admin_perform(self, request, lambda: steps[decision](
                actor=request.user, service=obj, comment=comment),
                _("已办理：%(service)s") % {"service": obj})

    @admin.action(description=_("启用所选数据服务"))
    def enable_selected(self, request, queryset):
        admin_action_apply(self, request, queryset.filter(status=DataService.Status.SUBMITTED),
                           lambda s: service_enable(actor=request.user, service=s),
                           _("已启用 %(n)d 项数据服务。"))

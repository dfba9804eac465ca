"""The center's and the authority's sharing work in the admin (P6): every decision goes
through the same services as the department pages and the API."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin_site import PolicyAdmin
from portal.errors import DomainError
from portal.policies import is_authority, is_center

from .models import Filing, Grant
from .services.filings import filing_acknowledge, filing_return, filing_revoke
from .services.grants import grant_revoke


def report(modeladmin, request, call, success: str) -> bool:
    """Run a service from the admin and show its outcome as a message."""
    try:
        call()
    except DomainError as exc:
        details = [str(e) for errs in getattr(exc, "fields", {}).values() for e in errs]
        modeladmin.message_user(request, " ".join([str(exc.message), *details]), messages.ERROR)
        return False
    modeladmin.message_user(request, success, messages.SUCCESS)
    return True


class ReadOnlyFieldsMixin:
    """Rows are changed by services only; the admin shows them and offers decisions."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.decision_fields]

    decision_fields: tuple[str, ...] = ()


class FilingDecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(label=_("审核决定"), required=False, choices=[
        ("", "—"), ("acknowledge", _("确认备案")), ("return", _("退回修改")),
        ("revoke", _("撤销备案")),
    ])
    comment = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = Filing
        fields: list[str] = []


@admin.register(Filing)
class FilingAdmin(ReadOnlyFieldsMixin, PolicyAdmin, SimpleHistoryAdmin):
    form = FilingDecisionForm
    list_display = ["department", "status", "responsible_person", "submitted_at", "acknowledged_at"]
    list_filter = ["status"]
    list_select_related = ["department"]
    search_fields = ["department__name", "department__short_name", "responsible_person"]
    actions = ["acknowledge_selected"]

    def can_add(self, user) -> bool:
        return False

    def can_change(self, user, obj=None) -> bool:
        return is_center(user)

    def get_fields(self, request, obj=None):
        return [f.name for f in Filing._meta.fields if f.name != "id"] + ["decision", "comment"]

    def save_model(self, request, obj, form, change):
        decision, comment = form.cleaned_data.get("decision"), form.cleaned_data.get("comment", "")
        services = {"acknowledge": filing_acknowledge, "return": filing_return,
                    "revoke": filing_revoke}
        if decision:
            report(self, request, lambda: services[decision](actor=request.user, filing=obj,
                                                             comment=comment),
                   _("已办理：%(filing)s") % {"filing": obj})

    def save_related(self, request, form, formsets, change):
        """Nothing to save besides the decision."""

    @admin.action(description=_("确认所选备案"))
    def acknowledge_selected(self, request, queryset):
        for filing in queryset.filter(status=Filing.Status.SUBMITTED):
            report(self, request, lambda f=filing: filing_acknowledge(actor=request.user, filing=f),
                   _("已确认备案：%(filing)s") % {"filing": filing})


class GrantRevokeForm(forms.ModelForm):
    revoke = forms.CharField(label=_("撤销原因"), required=False,
                             help_text=_("填写原因并保存即撤销该授权"),
                             widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = Grant
        fields: list[str] = []


@admin.register(Grant)
class GrantAdmin(ReadOnlyFieldsMixin, PolicyAdmin, SimpleHistoryAdmin):
    form = GrantRevokeForm
    list_display = ["resource", "department", "provider", "purpose", "valid_from",
                    "valid_until", "revoked_at"]
    list_filter = ["purpose", "method", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["resource", "department", "provider"]
    search_fields = ["resource__name", "resource__code", "department__name", "provider__name"]
    show_full_result_count = False
    date_hierarchy = "granted_at"

    def can_add(self, user) -> bool:
        return False

    def can_change(self, user, obj=None) -> bool:
        return is_authority(user)

    def get_fields(self, request, obj=None):
        return [f.name for f in Grant._meta.fields if f.name != "id"] + ["item_list", "revoke"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "item_list"]

    @admin.display(description=_("授权信息项"))
    def item_list(self, obj):
        masked = {i.pk for i in obj.masked_items.all()}
        return "、".join(f"{i.name}{'（脱敏）' if i.pk in masked else ''}" for i in obj.items.all())

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("revoke", "").strip()
        if reason:
            report(self, request, lambda: grant_revoke(actor=request.user, grant=obj, reason=reason),
                   _("授权已撤销。"))

    def save_related(self, request, form, formsets, change):
        """Nothing to save besides the decision."""

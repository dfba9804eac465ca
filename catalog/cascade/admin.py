"""The center's view of the cascade: lower platforms (registered through the service,
pulled now by an action) and each pull with its counts or failure."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin_site import PolicyAdmin, admin_action_apply
from portal.forms import model_formfield
from portal.policies import is_center

from .models import CascadeRun, CascadeSource
from .services import cascade_source_register, cascade_source_token_set


class CascadeSourceForm(forms.ModelForm):
    # Write-only: stored encrypted, never shown again.
    access_token = forms.CharField(label=_("访问令牌"), widget=forms.PasswordInput,
                                   required=False,
                            help_text=_("下级平台为本平台签发的政务用户令牌（只读）。"))

    class Meta:
        model = CascadeSource
        formfield_callback = model_formfield
        fields = ["name", "url", "region", "interval_hours", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["access_token"].required = True
        else:
            self.fields["access_token"].help_text = _("留空则保留已登记的令牌；填写则替换。")


@admin.register(CascadeSource)
class CascadeSourceAdmin(PolicyAdmin):
    form = CascadeSourceForm
    list_display = ["name", "url", "region", "interval_hours", "is_active", "watermark",
                    "next_run_at"]
    actions = ["pull_now"]

    def can_view(self, user, obj=None) -> bool:
        return is_center(user)

    def can_change(self, user, obj=None) -> bool:
        return is_center(user)

    def can_add(self, user) -> bool:
        return is_center(user)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            if form.cleaned_data.get("access_token"):
                cascade_source_token_set(actor=request.user, source=obj,
                                         token=form.cleaned_data["access_token"])
            return
        data = form.cleaned_data
        obj.pk = cascade_source_register(
            actor=request.user, name=data["name"], url=data["url"], region=data["region"],
            token=data["access_token"], interval_hours=data["interval_hours"]).pk

    @admin.action(description=_("立即同步"))
    def pull_now(self, request, queryset):
        from ..tasks import cascade_pull_task

        admin_action_apply(self, request, queryset, lambda s: cascade_pull_task.delay(s.pk),
                           _("已为 %(n)d 个下级平台排队同步。"))


@admin.register(CascadeRun)
class CascadeRunAdmin(PolicyAdmin):
    list_display = ["__str__", "status", "created", "updated", "retired", "requests",
                    "finished_at"]
    list_filter = ["status", "source"]
    readonly_fields = ["source", "status", "since", "started_at", "finished_at", "created",
                       "updated", "retired", "requests", "reason"]

    def can_view(self, user, obj=None) -> bool:
        return is_center(user)

    def can_change(self, user, obj=None) -> bool:
        return False

    def can_add(self, user) -> bool:
        return False

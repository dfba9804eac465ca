"""The center's harvest workplace: sources (registered through the service), and each
job's report with a progress display that refreshes while the job runs."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin_site import PolicyAdmin, admin_action_apply
from portal.errors import DomainError
from portal.forms import model_formfield
from portal.policies import is_center

from .models import HarvestedDataset, HarvestJob, HarvestRecord, HarvestSource
from .services import harvest_job_queue, harvest_source_register


class CenterAdmin(PolicyAdmin):
    def can_view(self, user, obj=None) -> bool:
        return is_center(user)

    def can_change(self, user, obj=None) -> bool:
        return False

    def can_add(self, user) -> bool:
        return False

    def has_module_permission(self, request) -> bool:
        return is_center(request.user)


class HarvestSourceForm(forms.ModelForm):
    class Meta:
        model = HarvestSource
        formfield_callback = model_formfield
        fields = ["name", "kind", "url", "department", "frequency", "fq", "is_active"]


@admin.register(HarvestSource)
class HarvestSourceAdmin(CenterAdmin, SimpleHistoryAdmin):
    form = HarvestSourceForm
    list_display = ["name", "kind", "url", "department", "frequency", "is_active",
                    "watermark", "next_run_at"]
    list_filter = ["kind", "frequency", "is_active"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]
    actions = ["harvest_now", "harvest_full"]

    def can_add(self, user) -> bool:
        return is_center(user)

    def can_change(self, user, obj=None) -> bool:
        return is_center(user)

    def save_model(self, request, obj, form, change):
        if change:  # schedule, filter, activation; the kind and department stay
            super().save_model(request, obj, form, change)
            return
        try:
            created = harvest_source_register(
                actor=request.user, **{k: form.cleaned_data[k] for k in
                                       ("name", "kind", "url", "department", "frequency", "fq")})
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            raise
        obj.pk = created.pk

    @admin.action(description=_("立即增量采集"))
    def harvest_now(self, request, queryset):
        admin_action_apply(self, request, queryset,
                           lambda s: harvest_job_queue(actor=request.user, source=s),
                           _("已为 %(n)d 个来源排队采集。"))

    @admin.action(description=_("全量重新采集（识别已删除的数据集）"))
    def harvest_full(self, request, queryset):
        admin_action_apply(self, request, queryset,
                           lambda s: harvest_job_queue(actor=request.user, source=s, full=True),
                           _("已为 %(n)d 个来源排队全量采集。"))


class HarvestRecordInline(admin.TabularInline):
    model = HarvestRecord
    fields = ["action", "remote_id", "title", "message"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return is_center(request.user)


@admin.register(HarvestJob)
class HarvestJobAdmin(CenterAdmin):
    change_form_template = "admin/opendata/harvestjob/change_form.html"
    list_display = ["__str__", "status", "progress_bar", "created", "updated", "withdrawn",
                    "errors", "requests", "started_at", "finished_at"]
    list_filter = ["status", "source"]
    list_select_related = ["source"]
    readonly_fields = ["source", "status", "progress_bar", "incremental_since", "started_at",
                       "finished_at", "total", "processed", "created", "updated", "withdrawn",
                       "unchanged", "errors", "requests", "reason"]
    fields = readonly_fields
    inlines = [HarvestRecordInline]

    @admin.display(description=_("进度"))
    def progress_bar(self, obj):
        return format_html('<progress max="100" value="{}">{}%</progress> {}/{}',
                           obj.progress, obj.progress, obj.processed, obj.total or "?")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = HarvestJob.objects.filter(pk=object_id).only("status").first()
        running = job is not None and job.status in (HarvestJob.Status.QUEUED,
                                                     HarvestJob.Status.RUNNING)
        return super().change_view(request, object_id, form_url,
                                   {**(extra_context or {}), "refresh_seconds": 5 if running
                                    else None})


@admin.register(HarvestedDataset)
class HarvestedDatasetAdmin(CenterAdmin):
    list_display = ["title", "source", "publisher", "status", "remote_modified", "harvested_at"]
    list_filter = ["status", "source"]
    list_select_related = ["source", "publisher"]
    search_fields = ["title", "remote_id"]
    exclude = ["search_text", "search_vector"]

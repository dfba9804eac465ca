"""The center's and the authority's view of the data plane (read-mostly; changes go
through the services)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin_site import PolicyAdmin, admin_action_apply

from .models import AccessLogEntry, Anomaly, DataVersion, MaskingRule, SystemTokenScope, UsageReport
from .services.tokens import system_token_revoke


class ReadOnlyAdmin(PolicyAdmin):
    def can_change(self, user, obj=None) -> bool:
        return False

    def can_add(self, user) -> bool:
        return False

    def can_delete(self, user, obj=None) -> bool:
        return False


@admin.register(DataVersion)
class DataVersionAdmin(ReadOnlyAdmin):
    list_display = ["resource", "number", "status", "row_count", "days_late", "uploaded_by",
                    "uploaded_at", "activated_at"]
    list_filter = ["status", "source_format"]
    list_select_related = ["resource", "uploaded_by"]
    search_fields = ["resource__code", "resource__name", "source_name"]
    show_full_result_count = False
    exclude = ["source_file", "parquet_file"]


@admin.register(MaskingRule)
class MaskingRuleAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Rules are the provider's (set on the data pages); the center sees them and their
    history."""

    list_display = ["item", "kind", "applies_to_all", "updated_by", "updated_at"]
    list_filter = ["kind", "applies_to_all"]
    list_select_related = ["item", "item__resource", "updated_by"]
    search_fields = ["item__name", "item__resource__code", "item__resource__name"]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "username", "department", "resource", "action", "channel",
                    "allowed", "rows_returned"]
    list_filter = ["action", "channel", "allowed"]
    list_select_related = ["department", "resource"]
    search_fields = ["username", "resource__code"]
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(Anomaly)
class AnomalyAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["created_at", "kind", "status", "resource", "department", "observed",
                    "baseline"]
    list_filter = ["kind", "status"]
    list_select_related = ["resource", "department"]
    show_full_result_count = False


@admin.register(UsageReport)
class UsageReportAdmin(ReadOnlyAdmin):
    list_display = ["department", "month", "created_at"]
    list_filter = ["month"]
    list_select_related = ["department"]


@admin.register(SystemTokenScope)
class SystemTokenScopeAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["token", "allow_without_grant", "rate_per_minute", "created_by", "created_at"]
    list_select_related = ["token", "created_by"]
    actions = ["revoke"]

    @admin.action(description=_("撤销所选系统令牌"))
    def revoke(self, request, queryset):
        admin_action_apply(self, request, queryset.select_related("token"), lambda scope:
                           system_token_revoke(actor=request.user, token=scope.token,
                                               request=request),
                           _("已撤销 %(n)d 个令牌。"))

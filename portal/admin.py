from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin_site import PolicyAdmin
from portal.errors import ValidationFailed
from portal.models import (
    AuditEvent,
    CalendarDay,
    CalendarYear,
    Department,
    Region,
    Role,
    RulePack,
    RulePackVersion,
    SystemAlert,
    User,
    WorkflowEvent,
)
from portal.policies import can_edit_rule_packs
from portal.rules import (
    RulePackInvalid,
    rule_pack_copy,
    rule_pack_in_use,
    rule_pack_save,
    rules_validate,
)
from portal.services.organisation import roles_validate, user_roles_set


@admin.register(Region)
class RegionAdmin(PolicyAdmin, SimpleHistoryAdmin):
    list_display = ["code", "name", "level", "parent", "rule_pack"]
    list_filter = ["level", "rule_pack"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


class RulePackForm(forms.ModelForm):
    class Meta:
        model = RulePack
        fields = ["code", "name", "source", "is_default", "rules"]

    def clean_rules(self):
        rules = self.cleaned_data["rules"]
        try:
            rules_validate(rules)
        except RulePackInvalid as exc:
            raise forms.ValidationError(str(exc)) from None
        return rules


class RulePackVersionInline(admin.TabularInline):
    model = RulePackVersion
    fields = ["version", "saved_at", "saved_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RulePack)
class RulePackAdmin(PolicyAdmin, SimpleHistoryAdmin):
    """The center and the authority keep the packs: each save is a new version (open
    steps keep the version that timed them); a pack in use cannot be deleted."""

    form = RulePackForm
    list_display = ["code", "name", "version", "is_default", "copied_from"]
    search_fields = ["code", "name"]
    inlines = [RulePackVersionInline]
    actions = ["copy_selected"]

    def can_change(self, user, obj=None) -> bool:
        return can_edit_rule_packs(user)

    def can_add(self, user) -> bool:
        return can_edit_rule_packs(user)

    def can_delete(self, user, obj=None) -> bool:
        return can_edit_rule_packs(user) and (obj is None or not rule_pack_in_use(obj))

    def save_model(self, request, obj, form, change):
        rule_pack_save(actor=request.user, pack=obj)

    def delete_model(self, request, obj):
        if rule_pack_in_use(obj):
            messages.error(request, _("规则包正在使用，不能删除。"))
            return
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for pack in queryset:
            self.delete_model(request, pack)

    @admin.action(description=_("复制所选规则包（副本可编辑后用于区划）"))
    def copy_selected(self, request, queryset):
        for pack in queryset:
            code = f"{pack.code}-copy-{timezone.now():%Y%m%d%H%M%S}"[:40]
            rule_pack_copy(actor=request.user, pack=pack, code=code,
                           name=_("%(name)s（副本）") % {"name": pack.name})
        messages.success(request, _("已复制 %(n)d 个规则包。") % {"n": queryset.count()})


@admin.register(Department)
class DepartmentAdmin(PolicyAdmin, SimpleHistoryAdmin):
    list_display = ["name", "short_name", "uscc", "kind", "region", "is_active"]
    list_filter = ["kind", "region__level", "is_active"]
    list_select_related = ["region"]
    search_fields = ["name", "short_name", "uscc"]
    autocomplete_fields = ["region", "parent"]


class RolesFormMixin(forms.Form):
    roles = forms.MultipleChoiceField(label=_("角色"), choices=Role.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)

    def clean(self):
        cleaned = super().clean()
        department = cleaned.get("department")
        try:
            roles_validate(department_id=department.pk if department else None,
                           roles=cleaned.get("roles") or [])
        except ValidationFailed as exc:
            self.add_error("roles", exc.fields["roles"])
        return cleaned


class PortalUserChangeForm(RolesFormMixin, UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["roles"].initial = sorted(self.instance.role_set())


class PortalUserCreationForm(RolesFormMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "department"]


@admin.register(User)
class UserAdmin(PolicyAdmin, DjangoUserAdmin, SimpleHistoryAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    list_display = ["username", "display_name", "department", "is_active", "two_factor_exempt"]
    list_filter = ["is_active", "role_assignments__role", "two_factor_exempt"]
    list_select_related = ["department"]
    search_fields = ["username", "first_name", "last_name", "email", "department__name"]
    autocomplete_fields = ["department"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["last_name", "first_name", "email", "phone"]}),
        (_("部门与角色"), {"fields": ["department", "roles"]}),
        (_("安全"), {"fields": ["is_active", "two_factor_exempt", "is_staff", "is_superuser"]}),
        (_("时间"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "department", "roles", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user_roles_set(user=form.instance, roles=form.cleaned_data.get("roles") or [])

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "is_staff"]
        return fields


@admin.register(CalendarYear)
class CalendarYearAdmin(PolicyAdmin, SimpleHistoryAdmin):
    list_display = ["year", "source", "note"]


@admin.register(CalendarDay)
class CalendarDayAdmin(PolicyAdmin, SimpleHistoryAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(SystemAlert)
class SystemAlertAdmin(PolicyAdmin):
    list_display = ["message", "created_at", "resolved_at"]
    actions = ["resolve"]

    @admin.action(description=_("标记为已处理"))
    def resolve(self, request, queryset):
        count = queryset.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        self.message_user(request, _("已处理 %(n)d 条提醒。") % {"n": count}, messages.SUCCESS)


class ReadOnlyAdmin(PolicyAdmin):
    def can_change(self, user, obj=None) -> bool:
        return False

    def can_add(self, user) -> bool:
        return False

    def can_delete(self, user, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "username", "ip_address", "object_type", "object_repr", "path"]
    list_filter = ["action"]
    search_fields = ["username", "object_repr", "ip_address"]
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(WorkflowEvent)
class WorkflowEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "target_type", "target_id", "action_label", "from_label", "to_label", "actor"]
    list_filter = ["target_type", "action"]
    list_select_related = ["actor", "target_type"]
    show_full_result_count = False

    @admin.display(description=_("操作"), ordering="action")
    def action_label(self, obj):
        return obj.label

    @admin.display(description=_("原状态"))
    def from_label(self, obj):
        return obj.from_label

    @admin.display(description=_("新状态"))
    def to_label(self, obj):
        return obj.to_label

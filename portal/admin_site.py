"""The Django admin as the center's and the authority's workplace (P6)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from portal.errors import DomainError
from portal.policies import can_use_admin
from portal.refusals import admin_refusal


class PortalAdminSite(admin.AdminSite):
    site_header = _("公共信息资源管理平台 · 管理后台")
    site_title = _("管理后台")
    index_title = _("信息中心与主管部门工作台")

    def login(self, request, extra_context=None):
        """One sign-in for the whole portal, with its two-factor step."""
        query = urlencode({"next": request.GET.get("next") or reverse("admin:index")})
        return redirect(f"{reverse('portal:login')}?{query}")

    def has_permission(self, request) -> bool:
        return can_use_admin(request.user)

    def index(self, request, extra_context=None):
        from portal.models import SystemAlert

        extra_context = {**(extra_context or {}),
                         "system_alerts": SystemAlert.objects.filter(resolved_at__isnull=True)[:10]}
        return super().index(request, extra_context)


class PolicyAdmin(admin.ModelAdmin):
    """Base admin whose permissions come from policies, not Django model permissions.

    Subclasses override ``can_change(user, obj)`` etc. to delegate to their app's policies;
    Django's default ignores ``obj``.
    """

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def can_view(self, user, obj=None) -> bool:
        return can_use_admin(user)

    def can_change(self, user, obj=None) -> bool:
        return can_use_admin(user)

    def can_add(self, user) -> bool:
        return can_use_admin(user)

    def can_delete(self, user, obj=None) -> bool:
        return user.is_superuser

    def has_module_permission(self, request) -> bool:
        return self.can_view(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.can_view(request.user, obj) or self.can_change(request.user, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.can_change(request.user, obj)

    def has_add_permission(self, request) -> bool:
        return self.can_add(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.can_delete(request.user, obj)


class CommentActionForm(ActionForm):
    """The admin action bar with a comment box, for actions that record an opinion."""

    comment = forms.CharField(label=_("意见"), required=False,
                              widget=forms.TextInput(attrs={"size": 40}))


def admin_perform(modeladmin, request, call, success: str) -> bool:
    """Run one service call from an admin page and show its outcome; a refusal is shown
    and audited (``portal.refusals.admin_refusal``). True when the service succeeded."""
    try:
        call()
    except DomainError as exc:
        admin_refusal(modeladmin, request, exc)
        return False
    modeladmin.message_user(request, success, messages.SUCCESS)
    return True


def admin_action_apply(modeladmin, request, queryset, call, done: str) -> None:
    """Apply ``call`` to each selected row; report the successes and every refusal
    (refusals of transitions and permissions are audited)."""
    ok = 0
    for obj in queryset:
        try:
            call(obj)
            ok += 1
        except DomainError as exc:
            admin_refusal(modeladmin, request, exc, about=obj)
    if ok:
        modeladmin.message_user(request, done % {"n": ok}, messages.SUCCESS)

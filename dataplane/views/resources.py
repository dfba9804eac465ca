"""A provider's data pages: uploads, versions and masking rules."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.selectors import items_active
from portal.access import get_visible_or_404
from portal.refusals import perform
from portal.services.audit import client_ip

from .. import policies
from ..forms import MaskingRuleForm, VersionUploadForm
from ..selectors import (
    data_resources_visible,
    masking_rules_of,
    versions_of,
)
from ..services.masking import masking_preview, masking_rule_delete, masking_rule_set
from ..services.versions import version_restore, version_upload


def _resource(request, code: str):
    return get_visible_or_404(request, data_resources_visible(request.user), code=code)


@login_required
@require_POST
def version_upload_view(request, code: str):
    resource = _resource(request, code)
    form = VersionUploadForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        version = perform(request, lambda: version_upload(
            actor=request.user, resource=resource, upload=data["file"], fmt=data["format"],
            encoding=data["encoding"], note=data["note"]), form=form)
        if version:
            return redirect("dataplane:version_detail", code=resource.code, pk=version.pk)
    return render(request, "dataplane/upload.html", {"resource": resource, "form": form,
                                                      "active_tab": "index"}, status=400)


def _version(request, code: str, pk: int):
    resource = _resource(request, code)
    if not policies.can_view_versions(request.user, resource):
        return resource, None
    return resource, get_visible_or_404(request, versions_of(resource), pk=pk)


@login_required
def version_detail(request, code: str, pk: int):
    resource, version = _version(request, code, pk)
    if version is None:
        return render(request, "dataplane/forbidden.html", {
            "message": _("只有提供部门、信息中心和主管部门可以查看数据版本。")}, status=403)
    problems = Paginator(version.report.get("problems", []), 100).get_page(request.GET.get("page"))
    return render(request, "dataplane/version.html", {
        "resource": resource, "version": version, "problems": problems,
        "can_restore": (version.status == version.Status.SUPERSEDED
                        and policies.can_restore_version(request.user, resource)),
        "active_tab": "index",
    })


@login_required
def version_progress(request, code: str, pk: int):
    """Polled by the version page while the upload is being checked."""
    _resource_obj, version = _version(request, code, pk)
    if version is None:
        return JsonResponse({"detail": _("无权查看。")}, status=403)
    return JsonResponse({"status": version.status, "status_display": version.get_status_display(),
                         "progress": version.progress, "stage": version.stage,
                         "finished": version.is_finished})


@login_required
@require_POST
def version_restore_view(request, code: str, pk: int):
    resource, version = _version(request, code, pk)
    if version is not None:
        perform(request, lambda: version_restore(actor=request.user, version=version),
                success=_("已恢复为当前版本。"))
    return redirect("dataplane:resource", code=resource.code)


def _rule_form(item, rule) -> MaskingRuleForm:
    auto_id = f"id_%s_{item.pk}"
    if rule is None:
        return MaskingRuleForm(auto_id=auto_id)
    return MaskingRuleForm(auto_id=auto_id, initial={
        "kind": rule.kind, "applies_to_all": rule.applies_to_all, "note": rule.note,
        **rule.params})


@login_required
def masking(request, code: str):
    """Masking rules of every item, with a before/after preview of the current data."""
    resource = _resource(request, code)
    if not policies.can_edit_masking(request.user, resource):
        return render(request, "dataplane/forbidden.html", {
            "message": _("只有提供部门的数据管理员或数据安全管理员可以设置脱敏规则。")}, status=403)
    items = list(items_active(resource))
    if request.method == "POST":
        item = next((i for i in items if str(i.pk) == request.POST.get("item")), None)
        form = MaskingRuleForm(request.POST)
        if item is None or not form.is_valid():
            messages.error(request, _("脱敏规则填写有误，请检查参数。"))
        elif form.cleaned_data["kind"]:
            data = form.cleaned_data
            perform(request, lambda: masking_rule_set(
                actor=request.user, item=item, kind=data["kind"], params=form.params(),
                applies_to_all=data["applies_to_all"], note=data["note"]),
                success=_("“%(item)s”的脱敏规则已保存。") % {"item": item.name})
        else:
            perform(request, lambda: masking_rule_delete(actor=request.user, item=item),
                    success=_("“%(item)s”的脱敏规则已删除。") % {"item": item.name})
        return redirect("dataplane:masking", code=resource.code)
    rules = masking_rules_of(resource)
    for item in items:
        item.rule = rules.get(item.pk)
        item.form = _rule_form(item, item.rule)
    preview = None
    if request.GET.get("preview"):
        preview = perform(request, lambda: masking_preview(
            actor=request.user, resource=resource, ip_address=client_ip(request)))
    return render(request, "dataplane/masking.html", {
        "resource": resource, "items": items,
        "preview": preview if isinstance(preview, list) else None,
        "previewed": bool(request.GET.get("preview")), "active_tab": "index",
    })

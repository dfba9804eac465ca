"""Share requests: my applications, requests to us, the application form, the request
page with the actions the user may take, and the negotiation thread (S2–S4)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Resource
from portal.access import get_visible_or_404
from portal.refusals import perform
from portal.workflow import workflow_events

from .. import pipeline
from ..access import filing_refusal
from ..forms import ApproveForm, CommentForm, MessageForm, ReasonForm, RequestForm
from ..models import AnswerExtension, DisputeMessage, ShareRequest
from ..policies import (
    can_apply_for_resource,
    can_consent_extension,
    can_post_dispute_message,
    request_actions,
)
from ..selectors import (
    request_detail,
    request_grant,
    requestable_resources,
    requests_made,
    requests_received,
    requests_visible,
)
from ..services.disputes import dispute_message_post, request_escalate
from ..services.extensions import extension_ask, extension_decide
from ..services.requests import (
    request_approve,
    request_create,
    request_refuse,
    request_submit,
    request_update,
    request_withdraw,
)

PAGE_SIZE = 20
S = ShareRequest.Status
STATUS_GROUPS = {
    "open": [S.PREREVIEW, S.PROVIDER_REVIEW, S.SUPPLY, S.ENABLEMENT, S.NEGOTIATING,
             S.COORDINATING],
    "draft": [S.DRAFT, S.RETURNED],
    "done": [S.APPROVED, S.REFUSED, S.CLOSED, S.WITHDRAWN],
}


def _filtered(request, qs):
    group = request.GET.get("status", "")
    if group in STATUS_GROUPS:
        qs = qs.filter(status__in=STATUS_GROUPS[group])
    search = request.GET.get("q", "").strip()
    if search:
        qs = qs.filter(Q(resource__name__icontains=search) | Q(number__icontains=search))
    return qs.order_by("-created_at", "-pk")


def _list(request, qs, template_tab: str, title: str):
    page = Paginator(_filtered(request, qs), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sharing/request_list.html", {
        "page": page, "active_tab": template_tab, "title": title,
        "status_filter": request.GET.get("status", ""), "q": request.GET.get("q", ""),
        "incoming": template_tab == "incoming",
    })


@login_required
def requests_mine(request):
    return _list(request, requests_made(request.user), "mine", _("我的申请"))


@login_required
def requests_incoming(request):
    return _list(request, requests_received(request.user), "incoming", _("收到的申请"))


@login_required
def resource_catalog(request):
    """Resources one may apply for (conditional / not-shared items of other departments)."""
    search = request.GET.get("q", "").strip()
    page = Paginator(requestable_resources(request.user, search), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "sharing/resource_catalog.html", {
        "page": page, "q": search, "active_tab": "catalog",
        "filing_refusal": filing_refusal(request.user.department) if request.user.department
        else _("当前用户未归属任何部门。"),
    })


def _form_data(form: RequestForm) -> dict:
    return {name: form.cleaned_data[name] for name in form.fields if name != "items"}


@login_required
def request_new(request, resource_pk: int):
    resource = get_object_or_404(Resource.objects.select_related("provider"),
                                 pk=resource_pk, status=Resource.Status.REGISTERED)
    refusal = filing_refusal(request.user.department) if request.user.department else ""
    form = RequestForm(request.POST or None, request.FILES or None, resource=resource)
    if request.method == "POST" and form.is_valid():
        created = {}

        def create():
            created["obj"] = request_create(actor=request.user, resource=resource,
                                            items=form.cleaned_data["items"],
                                            data=_form_data(form))

        if perform(request, create, form=form, success=_("申请已保存为草稿，请核对后提交。")):
            return redirect("sharing:request_detail", pk=created["obj"].pk)
    return render(request, "sharing/request_form.html", {
        "form": form, "resource": resource, "filing_refusal": refusal, "active_tab": "catalog",
        "may_apply": can_apply_for_resource(request.user, resource) and not refusal,
    })


@login_required
def request_edit(request, pk: int):
    share_request = get_visible_or_404(request, requests_visible(request.user), pk=pk)
    form = RequestForm(request.POST or None, request.FILES or None, instance=share_request,
                       resource=share_request.resource)
    if "edit" not in request_actions(request.user, share_request):
        return redirect("sharing:request_detail", pk=pk)
    if request.method == "POST" and form.is_valid():
        if perform(request, lambda: request_update(
                actor=request.user, request=share_request, data=_form_data(form),
                items=form.cleaned_data["items"]), form=form, success=_("申请已保存。")):
            return redirect("sharing:request_detail", pk=pk)
    return render(request, "sharing/request_form.html", {
        "form": form, "resource": share_request.resource, "share_request": share_request,
        "active_tab": "mine", "may_apply": True,
    })


@login_required
def request_detail_view(request, pk: int):
    share_request = get_visible_or_404(request, request_detail(request.user), pk=pk)
    actions = request_actions(request.user, share_request)
    dispute = getattr(share_request, "dispute", None)
    extension = AnswerExtension.objects.filter(request=share_request).first()
    extension_rule = pipeline.rule(share_request, "sharing.answer_extension")
    if extension is not None or not extension_rule.enabled:
        actions.discard("extend")
    return render(request, "sharing/request_detail.html", {
        "r": share_request, "actions": actions,
        "extension": extension, "extension_rule": extension_rule,
        "may_consent": extension is not None and can_consent_extension(request.user, extension),
        "events": workflow_events(share_request),
        "grant": request_grant(share_request), "dispute": dispute,
        "approve_form": ApproveForm(request=share_request, auto_id="approve_%s"),
        "refuse_form": ReasonForm(auto_id="refuse_%s"),
        "return_form": ReasonForm(auto_id="return_%s"),
        "escalate_form": ReasonForm(auto_id="escalate_%s"),
        "center_form": CommentForm(auto_id="center_%s"),
        "withdraw_form": CommentForm(auto_id="withdraw_%s"),
        "message_form": MessageForm(auto_id="message_%s"),
        "can_message": dispute is not None and can_post_dispute_message(request.user, dispute),
        "own_department": request.user.department_id,
        "active_tab": "incoming" if share_request.provider_id == request.user.department_id
        else "mine",
    })


def _action(request, pk: int, call, success: str):
    share_request = get_visible_or_404(request, requests_visible(request.user), pk=pk)
    perform(request, lambda: call(share_request), success=success)
    return redirect("sharing:request_detail", pk=pk)


@login_required
@require_POST
def request_submit_view(request, pk: int):
    return _action(request, pk, lambda r: request_submit(actor=request.user, request=r),
                   _("申请已提交。"))


@login_required
@require_POST
def request_approve_view(request, pk: int):
    share_request = get_visible_or_404(request, requests_visible(request.user), pk=pk)
    form = ApproveForm(request.POST, request=share_request)
    if not form.is_valid():
        details = [f"{form.fields[name].label}：{error}" for name, errors in form.errors.items()
                   for error in errors]
        messages.error(request, _("填写有误：") + "；".join(details))
        return redirect("sharing:request_detail", pk=pk)
    data = form.cleaned_data
    perform(request, lambda: request_approve(
        actor=request.user, request=share_request, items=data["items"] or None,
        masked_items=data["masked_items"], valid_until=data["valid_until"],
        comment=data["comment"]), success=_("已同意。"))
    return redirect("sharing:request_detail", pk=pk)


@login_required
@require_POST
def request_extension_view(request, pk: int):
    """The provider asks to extend its answer (where the pack allows it)."""
    try:
        days = int(request.POST.get("days", ""))
    except ValueError:
        days = 0
    reason = request.POST.get("reason", "")
    return _action(request, pk, lambda r: extension_ask(actor=request.user, request=r,
                                                        days=days, reason=reason),
                   _("延期申请已提交。"))


@login_required
@require_POST
def request_extension_decide_view(request, pk: int):
    """Whoever the pack names consents to the extension, or refuses it."""
    share_request = get_visible_or_404(request, requests_visible(request.user), pk=pk)
    extension = get_object_or_404(AnswerExtension, request=share_request)
    approve = request.POST.get("decision") == "approve"
    perform(request, lambda: extension_decide(
        actor=request.user, extension=extension, approve=approve,
        comment=request.POST.get("comment", "")),
        success=_("已同意延长答复期限。") if approve else _("已不同意延期。"))
    return redirect("sharing:request_detail", pk=pk)


@login_required
@require_POST
def request_refuse_view(request, pk: int):
    reason = request.POST.get("reason", "")
    return _action(request, pk, lambda r: request_refuse(actor=request.user, request=r,
                                                         reason=reason), _("已作出不予共享答复。"))


@login_required
@require_POST
def request_escalate_view(request, pk: int):
    reason = request.POST.get("reason", "")
    return _action(request, pk, lambda r: request_escalate(actor=request.user, request=r,
                                                           reason=reason), _("已提请。"))


@login_required
@require_POST
def request_withdraw_view(request, pk: int):
    reason = request.POST.get("comment", "")
    return _action(request, pk, lambda r: request_withdraw(actor=request.user, request=r,
                                                           reason=reason), _("申请已撤回。"))


@login_required
@require_POST
def dispute_message_view(request, pk: int):
    share_request = get_visible_or_404(request, requests_visible(request.user), pk=pk)
    dispute = getattr(share_request, "dispute", None)
    if dispute is None:
        raise Http404
    form = MessageForm(request.POST, request.FILES)
    body = form.data.get("body", "")
    attachment = request.FILES.get("attachment")
    perform(request, lambda: dispute_message_post(
        actor=request.user, dispute=dispute, body=body, attachment=attachment),
        success=_("已发送。"))
    return redirect(reverse("sharing:request_detail", args=[pk]) + "#negotiation")


@login_required
def request_commitment(request, pk: int):
    share_request = get_visible_or_404(request, requests_visible(request.user), pk=pk)
    if not share_request.commitment_document:
        raise Http404
    return FileResponse(share_request.commitment_document.open("rb"), as_attachment=True)


@login_required
def message_attachment(request, pk: int, message_pk: int):
    share_request = get_visible_or_404(request, requests_visible(request.user), pk=pk)
    message = get_object_or_404(DisputeMessage, pk=message_pk, dispute__request=share_request)
    if not message.attachment:
        raise Http404
    return FileResponse(message.attachment.open("rb"), as_attachment=True)

"""Objections and corrections (S8): raised by consumers, answered by providers."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Resource
from portal.access import get_visible_or_404
from portal.refusals import perform
from portal.workflow import workflow_events

from ..forms import AnswerForm, CommentForm, ObjectionForm
from ..models import Objection
from ..policies import (
    can_answer_objection,
    can_follow_up_objection,
    can_raise_objection,
    can_withdraw_objection,
)
from ..selectors import objections_visible
from ..services.objections import (
    objection_answer,
    objection_create,
    objection_follow_up,
    objection_withdraw,
)


@login_required
def objection_list(request):
    show = "received" if request.GET.get("show") == "received" else "raised"
    field = "provider_id" if show == "received" else "reporter_id"
    qs = objections_visible(request.user).filter(**{field: request.user.department_id})
    page = Paginator(qs.order_by("-created_at", "-pk"), 20).get_page(request.GET.get("page"))
    return render(request, "sharing/objection_list.html", {
        "page": page, "show": show, "active_tab": "objections"})


@login_required
def objection_new(request, resource_pk: int):
    resource = get_object_or_404(Resource.objects.select_related("provider"), pk=resource_pk,
                                 status=Resource.Status.REGISTERED)
    form = ObjectionForm(request.POST or None, request.FILES or None, resource=resource)
    if request.method == "POST" and form.is_valid():
        created, data = {}, form.cleaned_data

        def create():
            created["obj"] = objection_create(
                actor=request.user, resource=resource, kind=data["kind"], scope=data["scope"],
                item=data["item"], record_reference=data["record_reference"],
                description=data["description"], attachment=data["attachment"])

        if perform(request, create, form=form,
                   success=_("异议已提交，提供部门将在期限内核实答复。")):
            return redirect("sharing:objection_detail", pk=created["obj"].pk)
    return render(request, "sharing/objection_form.html", {
        "form": form, "resource": resource, "active_tab": "objections",
        "may_object": can_raise_objection(request.user, resource)})


@login_required
def objection_detail(request, pk: int):
    objection = get_visible_or_404(request, objections_visible(request.user), pk=pk)
    return render(request, "sharing/objection_detail.html", {
        "o": objection, "answer_form": AnswerForm(), "comment_form": CommentForm(),
        "can_answer": can_answer_objection(request.user, objection),
        "can_follow_up": can_follow_up_objection(request.user, objection),
        "can_withdraw": can_withdraw_objection(request.user, objection),
        "events": workflow_events(objection), "active_tab": "objections",
    })


def _objection_action(request, pk: int, call, success: str):
    objection = get_visible_or_404(request, objections_visible(request.user), pk=pk)
    perform(request, lambda: call(objection), success=success)
    return redirect("sharing:objection_detail", pk=pk)


@login_required
@require_POST
def objection_answer_view(request, pk: int):
    form = AnswerForm(request.POST)
    corrected = form.is_valid() and form.cleaned_data["corrected"]
    answer = request.POST.get("answer", "")
    return _objection_action(request, pk, lambda o: objection_answer(
        actor=request.user, objection=o, corrected=corrected, answer=answer), _("已答复。"))


@login_required
@require_POST
def objection_follow_up_view(request, pk: int):
    accept = request.POST.get("accept") == "1"
    comment = request.POST.get("comment", "")
    return _objection_action(request, pk, lambda o: objection_follow_up(
        actor=request.user, objection=o, accept=accept, comment=comment), _("已办理。"))


@login_required
@require_POST
def objection_withdraw_view(request, pk: int):
    return _objection_action(request, pk, lambda o: objection_withdraw(actor=request.user,
                                                                       objection=o),
                             _("异议已撤回。"))


@login_required
def objection_attachment(request, pk: int):
    objection: Objection = get_visible_or_404(request, objections_visible(request.user), pk=pk)
    if not objection.attachment:
        raise Http404
    return FileResponse(objection.attachment.open("rb"), as_attachment=True)

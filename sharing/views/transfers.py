"""Third-party transfers (S7): the holder asks, the authority and the provider consent."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import get_visible_or_404
from portal.refusals import perform
from portal.workflow import workflow_events

from ..forms import ConsentForm, TransferForm
from ..policies import can_withdraw_transfer, transfer_side
from ..selectors import grants_held, transfers_visible
from ..services.transfers import transfer_consent, transfer_create, transfer_withdraw


@login_required
def transfer_list(request):
    page = Paginator(transfers_visible(request.user).order_by("-created_at", "-pk"), 20
                     ).get_page(request.GET.get("page"))
    return render(request, "sharing/transfer_list.html", {"page": page,
                                                          "active_tab": "transfers"})


@login_required
def transfer_new(request, grant_pk: int):
    grant = get_visible_or_404(request, grants_held(request.user), pk=grant_pk)
    form = TransferForm(request.POST or None, grant=grant)
    if request.method == "POST" and form.is_valid():
        created = {}
        data = form.cleaned_data

        def create():
            created["obj"] = transfer_create(
                actor=request.user, grant=grant, recipient_name=data["recipient_name"],
                recipient_department=data["recipient_department"], purpose=data["purpose"],
                reason=data["reason"], items=data["items"])

        if perform(request, create, form=form,
                   success=_("转送申请已提交，须经主管部门和提供部门同意。")):
            return redirect("sharing:transfer_detail", pk=created["obj"].pk)
    return render(request, "sharing/transfer_form.html", {"form": form, "grant": grant,
                                                          "active_tab": "transfers"})


@login_required
def transfer_detail(request, pk: int):
    transfer = get_visible_or_404(request, transfers_visible(request.user)
                                  .prefetch_related("items"), pk=pk)
    return render(request, "sharing/transfer_detail.html", {
        "t": transfer, "side": transfer_side(request.user, transfer),
        "can_withdraw": can_withdraw_transfer(request.user, transfer),
        "consent_form": ConsentForm(), "events": workflow_events(transfer),
        "active_tab": "transfers",
    })


@login_required
@require_POST
def transfer_consent_view(request, pk: int):
    transfer = get_visible_or_404(request, transfers_visible(request.user), pk=pk)
    form = ConsentForm(request.POST)
    agree = form.is_valid() and form.cleaned_data["agree"]
    comment = form.data.get("comment", "")
    perform(request, lambda: transfer_consent(actor=request.user, transfer=transfer,
                                              agree=agree, comment=comment),
            success=_("已办理。"))
    return redirect("sharing:transfer_detail", pk=pk)


@login_required
@require_POST
def transfer_withdraw_view(request, pk: int):
    transfer = get_visible_or_404(request, transfers_visible(request.user), pk=pk)
    perform(request, lambda: transfer_withdraw(actor=request.user, transfer=transfer),
            success=_("转送申请已撤回。"))
    return redirect("sharing:transfer_detail", pk=pk)

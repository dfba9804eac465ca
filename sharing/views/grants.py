"""Grants we hold and grants we gave (S5), with revocation."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import get_visible_or_404
from portal.refusals import perform

from ..forms import ReasonForm
from ..policies import can_request_transfer, can_revoke_grant
from ..selectors import grants_given, grants_held, grants_visible
from ..services.grants import grant_revoke


@login_required
def grant_list(request):
    show = "given" if request.GET.get("show") == "given" else "held"
    grants = grants_given(request.user) if show == "given" else grants_held(request.user)
    page = Paginator(grants.order_by("-granted_at", "-pk"), 20).get_page(request.GET.get("page"))
    return render(request, "sharing/grant_list.html", {
        "page": page, "show": show, "active_tab": "grants",
    })


@login_required
def grant_detail(request, pk: int):
    grant = get_visible_or_404(request, grants_visible(request.user)
                               .prefetch_related("items", "masked_items"), pk=pk)
    return render(request, "sharing/grant_detail.html", {
        "grant": grant, "revoke_form": ReasonForm(),
        "can_revoke": can_revoke_grant(request.user, grant), "active_tab": "grants",
        "can_transfer": can_request_transfer(request.user, grant),
        "transfers": grant.transfers.order_by("-created_at")[:20],
    })


@login_required
@require_POST
def grant_revoke_view(request, pk: int):
    grant = get_visible_or_404(request, grants_visible(request.user), pk=pk)
    form = ReasonForm(request.POST)
    reason = form.data.get("reason", "")
    perform(request, lambda: grant_revoke(actor=request.user, grant=grant, reason=reason),
            success=_("授权已撤销，对方即时失去访问权限。"))
    return redirect("sharing:grant_detail", pk=grant.pk)

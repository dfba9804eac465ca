"""Who used the data (S10), monitoring and reports (S13), and system tokens."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import get_visible_or_404

from .. import policies
from ..forms import AccessLogFilterForm, ConclusionForm, SystemTokenForm
from ..selectors import (
    access_log_visible,
    anomalies_visible,
    grants_usable,
    grants_watched,
    system_tokens_visible,
    usage_reports_visible,
)
from ..services.monitoring import anomaly_close, grant_usage
from ..services.tokens import system_token_issue, system_token_revoke
from .common import call_service


@login_required
def access_log(request):
    form = AccessLogFilterForm(request.GET or None)
    entries = form.apply(access_log_visible(request.user)).order_by("-seq")
    return render(request, "dataplane/access_log.html", {
        "form": form, "page": Paginator(entries, 50).get_page(request.GET.get("page")),
        "query": _without_page(request.GET), "active_tab": "log",
    })


def _without_page(data) -> str:
    copy = data.copy()
    copy.pop("page", None)
    return copy.urlencode()


@login_required
def monitoring(request):
    show = "closed" if request.GET.get("show") == "closed" else "open"
    anomalies = anomalies_visible(request.user).filter(status=show).order_by("-created_at")
    grants = list(grants_watched(request.user))
    usage = grant_usage([g.pk for g in grants])
    for grant in grants:
        grant.usage = usage.get(grant.pk)
    return render(request, "dataplane/monitoring.html", {
        "page": Paginator(anomalies, 30).get_page(request.GET.get("page")), "show": show,
        "grants": grants, "reports": usage_reports_visible(request.user)[:24],
        "active_tab": "monitoring",
    })


@login_required
def anomaly_detail(request, pk: int):
    anomaly = get_visible_or_404(request, anomalies_visible(request.user), pk=pk)
    form = ConclusionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if call_service(request, lambda: anomaly_close(
                actor=request.user, anomaly=anomaly, conclusion=form.cleaned_data["conclusion"]),
                form=form, success=_("已记录核查结论。")):
            return redirect("dataplane:anomaly_detail", pk=anomaly.pk)
    return render(request, "dataplane/anomaly.html", {
        "anomaly": anomaly, "form": form,
        "can_close": policies.can_close_anomaly(request.user, anomaly),
        "active_tab": "monitoring",
    })


@login_required
def report_detail(request, pk: int):
    report = get_visible_or_404(request, usage_reports_visible(request.user), pk=pk)
    return render(request, "dataplane/report.html", {"report": report,
                                                     "active_tab": "monitoring"})


@login_required
def tokens(request):
    user = request.user
    can_issue = policies.can_issue_system_token(user, user.department_id)
    form = SystemTokenForm(request.POST or None, grants=grants_usable(user))
    new_key = None
    if request.method == "POST" and can_issue and form.is_valid():
        data = form.cleaned_data
        issued = call_service(request, lambda: system_token_issue(
            actor=user, name=data["name"], expires_at=form.expires_at(), grants=data["grants"],
            allow_without_grant=data["allow_without_grant"],
            rate_per_minute=data["rate_per_minute"], request=request), form=form)
        if issued:
            _token, new_key = issued
            form = SystemTokenForm(grants=grants_usable(user))
    return render(request, "dataplane/tokens.html", {
        "tokens": system_tokens_visible(user), "form": form, "can_issue": can_issue,
        "new_key": new_key, "active_tab": "tokens",
    })


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_visible_or_404(request, system_tokens_visible(request.user), pk=pk)
    call_service(request, lambda: system_token_revoke(actor=request.user, token=token,
                                                      request=request),
                 success=_("系统令牌“%(name)s”已撤销，立即失效。") % {"name": token.name})
    return redirect("dataplane:tokens")


"""Who used the data (S10), anomalies and usage reports (S13)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.access import get_visible_or_404
from portal.refusals import perform

from .. import policies
from ..forms import AccessLogFilterForm, ConclusionForm
from ..selectors import (
    access_log_visible,
    anomalies_visible,
    usage_reports_visible,
)
from ..services.monitoring import anomaly_close


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
def anomaly_detail(request, pk: int):
    anomaly = get_visible_or_404(request, anomalies_visible(request.user), pk=pk)
    form = ConclusionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if perform(request, lambda: anomaly_close(
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

"""The data pages that read through grants (S9, S10, S13): what a department may use,
a resource's data page with the department's access, online query (联机查询) and bulk
download (批量下载), system tokens scoped to grants, and the monitoring of grant usage.

The query form is turned into the same parameters the REST API takes, and both go to
the same services, so the rules and the access log are the same on every face. The
pages share the ``dataplane`` URL namespace with the data plane's own (``urls.py``).
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.selectors import items_active
from dataplane import policies
from dataplane.engine.query import Op
from dataplane.forms import VersionUploadForm
from dataplane.models import AccessLogEntry
from dataplane.selectors import (
    anomalies_visible,
    current_version,
    data_resources_visible,
    masking_rules_of,
    resources_provided,
    resources_unconditional_with_data,
    system_tokens_visible,
    usage_reports_visible,
    versions_of,
)
from dataplane.services.monitoring import grant_usage
from dataplane.services.tokens import system_token_issue, system_token_revoke
from portal.access import get_visible_or_404
from portal.errors import DomainError
from portal.refusals import perform, refusal_audit
from portal.services.audit import client_ip

from ..access import access_decide
from .api import streaming_download
from .forms import QueryForm, SystemTokenForm, filter_fields
from .selectors import grants_usable, grants_watched
from .services import Consumer, download_open, rows_fetch


def web_consumer(request) -> Consumer:
    return Consumer.of(user=request.user, token=None, channel=AccessLogEntry.Channel.WEB,
                       ip_address=client_ip(request))


@login_required
def index(request):
    """What the department provides and what it may use."""
    return render(request, "dataplane/index.html", {
        "provided": resources_provided(request.user),
        "grants": grants_usable(request.user),
        "unconditional": resources_unconditional_with_data(request.user)[:50],
        "today": timezone.localdate(), "active_tab": "index",
    })


@login_required
def resource_detail(request, code: str):
    resource = get_visible_or_404(request, data_resources_visible(request.user), code=code)
    user = request.user
    decision = access_decide(department=user.department, resource=resource)
    items = list(items_active(resource))
    rules = masking_rules_of(resource)
    for item in items:
        item.rule = rules.get(item.pk)
        item.granted = item.pk in decision.item_ids
        item.masked = item.pk in decision.masked_item_ids or bool(
            item.rule and item.rule.applies_to_all and user.department_id != resource.provider_id)
    can_versions = policies.can_view_versions(user, resource)
    return render(request, "dataplane/resource.html", {
        "resource": resource, "items": items, "decision": decision,
        "version": current_version(resource),
        "versions": versions_of(resource)[:20] if can_versions else None,
        "can_upload": policies.can_upload_version(user, resource),
        "can_mask": policies.can_edit_masking(user, resource),
        "upload_form": VersionUploadForm(), "active_tab": "index",
    })


def _query_params(form: QueryForm, keys, data) -> QueryDict:
    """API-style parameters from the page's form (``<item>__<op>=value``, ``fields``)."""
    params = QueryDict(mutable=True)
    for item in keys:
        value = (data.get(f"v_{item.pk}") or "").strip()
        if value:
            op = data.get(f"op_{item.pk}") or Op.EQ.value
            params[item.name if op == Op.EQ.value else f"{item.name}__{op}"] = value
    fields = [f for f in data.getlist("fields") if f]
    if fields:
        params["fields"] = ",".join(fields)
    for name in ("page", "page_size", "purpose"):
        if data.get(name):
            params[name] = data[name]
    return params


@login_required
def query(request, code: str):
    resource = get_visible_or_404(request, data_resources_visible(request.user), code=code)
    items = list(items_active(resource))
    keys = [i for i in items if i.is_key]
    form = QueryForm(request.GET or None)
    filter_fields(form, [(str(i.pk), i.name) for i in keys])
    params = _query_params(form, keys, request.GET)
    result, error, status = None, None, 200
    if request.GET.get("run"):
        try:
            result = rows_fetch(consumer=web_consumer(request), resource=resource, params=params)
        except DomainError as exc:
            refusal_audit(request=request, exc=exc)
            error, status = exc, exc.status
    selected = set(request.GET.getlist("fields"))
    download_query = params.copy()
    download_query.pop("page", None)
    download_query.pop("page_size", None)
    return render(request, "dataplane/query.html", {
        "resource": resource, "items": items, "selected": selected,
        "keys": [(i, form[f"op_{i.pk}"], form[f"v_{i.pk}"]) for i in keys],
        "form": form, "result": result, "error": error,
        "download_query": download_query.urlencode(), "active_tab": "query",
        "page_query": _without_page(request.GET),
    }, status=status)


def _without_page(data: QueryDict) -> str:
    copy = data.copy()
    copy.pop("page", None)
    return copy.urlencode()


@login_required
def download(request, code: str):
    resource = get_visible_or_404(request, data_resources_visible(request.user), code=code)
    try:
        result = download_open(consumer=web_consumer(request), resource=resource,
                               params=request.GET)
    except DomainError as exc:
        refusal_audit(request=request, exc=exc)
        return render(request, "dataplane/forbidden.html", {"message": exc.message},
                      status=exc.status)
    return streaming_download(result)


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
def tokens(request):
    user = request.user
    can_issue = policies.can_issue_system_token(user, user.department_id)
    form = SystemTokenForm(request.POST or None, grants=grants_usable(user))
    new_key = None
    if request.method == "POST" and can_issue and form.is_valid():
        data = form.cleaned_data
        issued = perform(request, lambda: system_token_issue(
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
    perform(request, lambda: system_token_revoke(actor=request.user, token=token,
                                                 request=request),
            success=_("系统令牌“%(name)s”已撤销，立即失效。") % {"name": token.name})
    return redirect("dataplane:tokens")


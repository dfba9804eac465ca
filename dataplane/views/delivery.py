"""Online query (联机查询) and bulk download (批量下载) pages (S9).

The query form is turned into the same parameters the REST API takes, and both go to
the same services, so the rules and the access log are the same on every face.
"""

from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import render

from catalog.selectors import items_active
from portal.access import get_visible_or_404
from portal.errors import DomainError

from ..api.views import streaming_download
from ..engine.query import Op
from ..forms import QueryForm, filter_fields
from ..selectors import data_resources_visible
from ..services.delivery import download_open, rows_fetch
from .common import web_consumer


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
        return render(request, "dataplane/forbidden.html", {"message": exc.message},
                      status=exc.status)
    return streaming_download(result)

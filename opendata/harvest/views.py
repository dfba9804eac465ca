"""Public pages of harvested datasets: the list (search, facet by source) and a page per
dataset that names its origin and links to it."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.access import get_visible_or_404
from portal.params import object_id

from ..views.common import throttled
from .selectors import harvested_public, harvested_search

PAGE_SIZE = 20


@require_GET
@throttled("page")
def harvested_list(request):
    q = request.GET.get("q", "").strip()[:100]
    raw = request.GET.get("source", "")
    source = object_id(raw)
    qs, facets = harvested_search(q=q, source=source)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "opendata/harvested.html",
                  {"page": page, "q": q, "facets": facets, "source": source})


@require_GET
@throttled("page")
def harvested_detail(request, uuid):
    dataset = get_visible_or_404(request, harvested_public(), uuid=uuid)
    return render(request, "opendata/harvested_detail.html",
                  {"dataset": dataset, "withdrawn": False})




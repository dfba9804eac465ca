"""Downloads, the DCAT exports, the Atom feed and robots.txt (O3, O4, O6, O8).

Downloads stream the generated file from storage (flat memory) after the access check;
every download, allowed or refused, is written to the access log. The DCAT exports
stream node by node and answer conditional requests from the catalog's stamp.
"""

from __future__ import annotations

import itertools
from urllib.parse import quote

from django.contrib.syndication.views import Feed
from django.db.models import Min
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from catalog.models import OpenType
from dataplane.storage import storage_open
from portal.errors import NotPermitted, ValidationFailed
from portal.params import int_param

from ..api.auth import request_consumer, token_from_request
from ..caching import catalog_stamp, dataset_etag
from ..datapackage import datapackage
from ..dcat import DCAT_PAGE_SIZE, Urls, catalog_nodes, dataset_nodes, paged_collection
from ..models import Dataset
from ..rdf import jsonld_stream, turtle_stream
from ..selectors import dataset_public_detail, datasets_feed, datasets_public
from ..services.access import Channel, DataHidden, open_file_read, ready_distribution
from ..vocab import FILE_FORMATS, FORMATS
from .common import cache_headers, not_modified, throttled

RDF_TYPES = {"jsonld": "application/ld+json; charset=utf-8",
             "ttl": "text/turtle; charset=utf-8",
             "rdf": "application/rdf+xml; charset=utf-8"}
STREAMED = ("jsonld", "ttl")  # the whole catalog streams in these; one dataset also in RDF/XML
# What a dataset page answers, by the request's Accept header (HTML first for browsers
# and for ``*/*``).
NEGOTIATED = {"text/html": None, "text/turtle": "ttl", "application/ld+json": "jsonld",
              "application/rdf+xml": "rdf"}


def negotiated_rdf(request) -> str | None:
    """The RDF serialization the client prefers to HTML, if any (content negotiation)."""
    if "Accept" not in request.headers:
        return None
    return NEGOTIATED.get(str(request.get_preferred_type(list(NEGOTIATED)) or "text/html"))


def _serialized(nodes, fmt: str):
    if fmt == "jsonld":
        return jsonld_stream(nodes)
    if fmt == "ttl":
        return turtle_stream(nodes)
    from rdflib import Graph  # one dataset: small enough to re-serialize as RDF/XML

    return [Graph().parse(data="".join(turtle_stream(nodes)), format="turtle")
            .serialize(format="xml")]


def _content_disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "ignore").decode() or "data"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def distribution_response(request, dataset: Dataset, fmt: str, *, channel: str, token=None):
    """Stream a dataset's generated file, after the access check, logging the access."""
    if fmt not in FILE_FORMATS:
        raise Http404
    conditional = OpenType.CONDITIONAL in (dataset.open_type, dataset.resource.open_type)
    if not conditional:  # everyone may read it: a current copy needs no new log entry
        dist = ready_distribution(dataset, fmt)
        cached = dist and not_modified(request, dist.checksum, dist.modified_at)
        if cached:
            return cached
    try:
        dist = open_file_read(consumer=request_consumer(request, token=token, channel=channel),
                              dataset=dataset, fmt=fmt)
    except DataHidden as exc:
        if channel == Channel.API:
            raise NotPermitted(str(exc), target=dataset, action="download") from None
        return render(request, "opendata/access_refused.html",
                      {"dataset": dataset, "reason": str(exc)}, status=403)
    response = FileResponse(storage_open(dist.file.name), content_type=FORMATS[fmt].media_type)
    response["Content-Disposition"] = _content_disposition(
        f"{dataset.title}.{FORMATS[fmt].extension}")
    if dist.byte_size is not None:
        response["Content-Length"] = str(dist.byte_size)
    return cache_headers(response, etag=dist.checksum, last_modified=dist.modified_at,
                         max_age=3600, public=not conditional)


@require_GET
@throttled("download")
def download(request, name: str, fmt: str):
    dataset = dataset_public_detail().filter(name=name).first()
    if dataset is None:
        raise Http404
    token = token_from_request(request)
    return distribution_response(request, dataset, fmt,
                                 channel=Channel.API if token else Channel.WEB, token=token)


def _rdf_response(request, chunks, fmt: str, etag: str, last_modified):
    response = StreamingHttpResponse(chunks, content_type=RDF_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    return cache_headers(response, etag=etag, last_modified=last_modified, max_age=300)


@require_GET
@throttled("api")
def catalog_export(request, fmt: str):
    """The open catalog as DCAT-AP (``/catalog.jsonld``, ``/catalog.ttl``), streamed.

    As ckanext-dcat serves it: ``?modified_since=<ISO 8601>`` keeps the datasets changed
    since then; ``?page=N`` gives one page of ``DCAT_PAGE_SIZE`` datasets with a
    ``hydra:PagedCollection`` node (total, first, last, previous and next pages); without
    ``page`` the whole catalog streams in one document.
    """
    if fmt not in RDF_TYPES:
        raise Http404
    raw_since = request.GET.get("modified_since", "")
    since = parse_datetime(raw_since) if raw_since else None
    if raw_since and since is None:
        return HttpResponse(_("modified_since 应为 ISO 8601 时间。"), status=400,
                            content_type="text/plain; charset=utf-8")
    try:
        page = int_param(request.GET, "page", default=0, low=1) if request.GET.get("page") else 0
    except ValidationFailed as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    etag, modified = catalog_stamp()
    etag = f"{etag}-{fmt}-{raw_since}-{page}"
    cached = not_modified(request, etag, modified)
    if cached is not None:
        return cached
    urls = Urls(request=request)
    public = datasets_public().order_by("pk")
    issued = public.order_by().aggregate(first=Min("first_published_at"))["first"]
    if since is not None:
        public = public.filter(modified_at__gte=since)
    head = []
    if page:
        total = public.count()
        public = public[(page - 1) * DCAT_PAGE_SIZE:page * DCAT_PAGE_SIZE]
        head = [paged_collection(request.build_absolute_uri(request.path), request.GET,
                                 page=page, total=total, size=DCAT_PAGE_SIZE)]
    datasets = dataset_public_detail(public).iterator(chunk_size=500)
    nodes = itertools.chain(head, catalog_nodes(urls, datasets, modified, issued))
    chunks = jsonld_stream(nodes) if fmt == "jsonld" else turtle_stream(nodes)
    return _rdf_response(request, chunks, fmt, etag, modified)


@require_GET
@throttled("api")
def dataset_export(request, name: str, fmt: str):
    """One dataset as DCAT-AP (``/open/datasets/<name>.jsonld``, ``.ttl`` or ``.rdf``; the
    dataset page answers the same by content negotiation)."""
    if fmt not in RDF_TYPES:
        raise Http404
    dataset = dataset_public_detail().filter(name=name).first()
    if dataset is None:
        raise Http404
    etag = dataset_etag(dataset, fmt)
    cached = not_modified(request, etag, dataset.modified_at)
    if cached is not None:
        return cached
    nodes = dataset_nodes(Urls(request=request), dataset)
    response = _rdf_response(request, _serialized(nodes, fmt), fmt, etag, dataset.modified_at)
    patch_vary_headers(response, ["Accept"])
    return response


@require_GET
@throttled("api")
def dataset_datapackage(request, name: str):
    """``/open/datasets/<name>/datapackage.json``: the Frictionless Data Package."""
    dataset = dataset_public_detail().filter(name=name).first()
    if dataset is None:
        raise Http404
    etag = dataset_etag(dataset, "datapackage")
    cached = not_modified(request, etag, dataset.modified_at)
    if cached is not None:
        return cached
    response = JsonResponse(datapackage(dataset, Urls(request=request)),
                            json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Access-Control-Allow-Origin"] = "*"
    return cache_headers(response, etag=etag, last_modified=dataset.modified_at, max_age=300)


class DatasetFeed(Feed):
    """An Atom feed of new and updated open datasets (O4)."""

    feed_type = Atom1Feed
    title = gettext_lazy("公共数据开放：新增与更新的数据集")
    subtitle = gettext_lazy("最近发布或更新的开放数据集")

    def __call__(self, request, *args, **kwargs):
        etag, modified = catalog_stamp()
        cached = not_modified(request, f"{etag}-atom", modified)
        if cached is not None:
            return cached
        response = super().__call__(request, *args, **kwargs)
        return cache_headers(response, etag=f"{etag}-atom", last_modified=modified, max_age=300)

    def link(self):
        return reverse("opendata:home")

    def items(self):
        return datasets_feed()

    def item_title(self, item: Dataset) -> str:
        updated = item.first_published_at and item.modified_at and \
            (item.modified_at - item.first_published_at).total_seconds() > 60
        return (_("【更新】%(t)s") if updated else _("【新发布】%(t)s")) % {"t": item.title}

    def item_description(self, item: Dataset) -> str:
        return item.description

    def item_link(self, item: Dataset) -> str:
        return reverse("opendata:dataset", args=[item.name])

    def item_pubdate(self, item: Dataset):
        return item.first_published_at

    def item_updateddate(self, item: Dataset):
        return item.modified_at

    def item_author_name(self, item: Dataset) -> str:
        return item.publisher.name

    def item_categories(self, item: Dataset):
        return [item.get_theme_display(), *(item.keywords or [])]


ROBOTS = """User-agent: *
Allow: /open/
Disallow: /open/datasets/*/download/
Disallow: /open/manage/
Disallow: /open/me/
Disallow: /api/
Disallow: /admin/
Disallow: /accounts/
Crawl-delay: 5

Sitemap: {sitemap}
"""


@require_GET
def robots_txt(request):
    """robots.txt: pages may be crawled; data endpoints and downloads may not (O4)."""
    body = ROBOTS.format(sitemap=request.build_absolute_uri(reverse("opendata:sitemap")))
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    return cache_headers(response, max_age=86400)


@require_GET
@throttled("page")
def sitemap(request):
    """Dataset pages for search engines (the catalog is their way in, not the API)."""
    etag, modified = catalog_stamp()
    cached = not_modified(request, f"{etag}-sitemap", modified)
    if cached is not None:
        return cached
    urls = Urls(request=request)

    def lines():
        yield ('<?xml version="1.0" encoding="UTF-8"?>\n'
               '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
        for name, modified_at in (datasets_public().order_by("pk")
                                  .values_list("name", "modified_at")[:50000].iterator()):
            lastmod = f"<lastmod>{modified_at.date().isoformat()}</lastmod>" if modified_at else ""
            yield (f"<url><loc>{urls.abs(reverse('opendata:dataset', args=[name]))}</loc>"
                   f"{lastmod}</url>\n")
        yield "</urlset>\n"

    response = StreamingHttpResponse(lines(), content_type="application/xml; charset=utf-8")
    return cache_headers(response, etag=f"{etag}-sitemap", last_modified=modified, max_age=3600)


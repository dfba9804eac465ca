"""Reading remote catalogs: CKAN sites and other instances of this portal through the CKAN
Action API (``ckanapi``), DCAT-AP catalogs through ``httpx`` and ``rdflib``.

A reader yields :class:`RemoteRecord` values, one per remote dataset, page by page, and
says which remote ids exist (for withdrawals) when it can know them. A record it cannot
read is yielded with ``error`` set, so the run goes on; an unreachable source raises
:class:`SourceUnavailable`, which fails the job with its reason.

Incremental runs ask only for what changed since the source's watermark: CKAN's
``fq=metadata_modified:[<since> TO *]`` (as ckanext-harvest does), DCAT's
``modified_since`` (as ckanext-dcat serves it). Removals are seen in CKAN's
``package_list`` (one request) and in a full read of a DCAT catalog.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit, urlunsplit

import ckanapi
import httpx
import requests
from django.utils.translation import gettext as _
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.term import Literal as RdfLiteral

from catalog.models import Theme

from ..vocab import EU_AUTHORITY, EU_THEMES

PAGE_ROWS = 1000
TIMEOUT = 30.0
USER_AGENT = "portal-harvester/1.0"

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
RDF_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld",
               "application/rdf+xml": "xml", "application/json": "json-ld"}
ACCEPT = "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.8"
_THEME_BY_EU = {f"{EU_AUTHORITY}data-theme/{code}": theme for theme, code in EU_THEMES.items()}


class SourceUnavailable(Exception):
    """The source could not be read at all (network, HTTP status, not a catalog)."""


@dataclass
class RemoteRecord:
    remote_id: str
    remote_name: str = ""
    title: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    theme: str = ""
    licence: str = ""
    origin_publisher: str = ""
    origin_url: str = ""
    resources: list[dict[str, str]] = field(default_factory=list)
    remote_modified: datetime | None = None
    error: str = ""

    def content_hash(self) -> str:
        data = asdict(self)
        data["remote_modified"] = self.remote_modified.isoformat() if self.remote_modified else ""
        return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False)
                              .encode()).hexdigest()


def _time(value) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).removesuffix("Z"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


class CountingSession(requests.Session):
    """A requests session (what ``ckanapi`` uses) that counts the requests it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def request(self, *args, **kwargs):
        self.count += 1
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(*args, **kwargs)


class CkanReader:
    """A CKAN site (or this portal) through ``ckanapi.RemoteCKAN``, GET only."""

    def __init__(self, url: str, *, fq: str = "", portal: bool = False) -> None:
        self.base = url.rstrip("/")
        self.fq = fq
        self.portal = portal
        self.session = CountingSession()
        self.ckan = ckanapi.RemoteCKAN(self.base, user_agent=USER_AGENT, get_only=True,
                                       session=self.session)
        self.total = 0

    @property
    def requests(self) -> int:
        return self.session.count

    def _call(self, action: str, **params):
        try:
            return self.ckan.call_action(action, params)
        except (requests.RequestException, ckanapi.CKANAPIError) as exc:
            raise SourceUnavailable(_("无法读取 CKAN 接口 %(action)s：%(error)s")
                                    % {"action": action, "error": str(exc)[:500]}) from exc

    def existing(self) -> set[str] | None:
        """The names of every remote dataset (CKAN's ``package_list``, one request)."""
        names = self._call("package_list")
        if not isinstance(names, list):
            raise SourceUnavailable(_("package_list 的返回不是列表。"))
        return {str(n) for n in names}

    def records(self, since: datetime | None) -> Iterator[RemoteRecord]:
        terms = [self.fq] if self.fq else []
        if since is not None:
            stamp = since.astimezone(UTC).replace(tzinfo=None).isoformat()
            terms.append(f"metadata_modified:[{stamp}Z TO *]")
        start = 0
        while True:
            page = self._call("package_search", fq=" AND ".join(terms), sort="id asc",
                              rows=PAGE_ROWS, start=start)
            self.total = int(page.get("count") or 0)
            results = page.get("results") or []
            for package in results:
                yield self._record(package)
            start += len(results)
            if not results or start >= self.total:
                return

    def _record(self, package: dict) -> RemoteRecord:
        remote_id = str(package.get("id") or package.get("name") or "")
        name = str(package.get("name") or "")
        record = RemoteRecord(remote_id=remote_id or name, remote_name=name)
        try:
            if not remote_id or not name:
                raise ValueError(_("缺少 id 或 name。"))
            record.title = str(package.get("title") or "").strip()
            if not record.title:
                raise ValueError(_("缺少数据集名称（title）。"))
            record.description = str(package.get("notes") or "")
            record.keywords = [str(t["name"]) for t in package.get("tags") or []]
            record.licence = str(package.get("license_title") or package.get("license_id") or "")
            organization = package.get("organization") or {}
            record.origin_publisher = str(organization.get("title") or "")
            record.remote_modified = _time(package.get("metadata_modified"))
            record.resources = [{"title": str(r.get("name") or ""),
                                 "format": str(r.get("format") or ""),
                                 "url": str(r.get("url") or "")}
                                for r in package.get("resources") or []]
            extras = {e.get("key"): e.get("value") for e in package.get("extras") or []}
            if self.portal:
                record.origin_url = str(package.get("url") or "")
                record.theme = str(extras.get("theme") or "")
            else:
                record.origin_url = f"{self.base}/dataset/{name}"
                groups = [g.get("name") for g in package.get("groups") or []]
                record.theme = next((g for g in groups if g in Theme.values), "")
            if record.theme not in Theme.values:
                record.theme = ""
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            record.error = str(exc) or type(exc).__name__
        return record


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))


def _text(graph: Graph, subject, predicate) -> str:
    """The Chinese literal if there is one, else any."""
    values = [o for o in graph.objects(subject, predicate) if isinstance(o, RdfLiteral)]
    for value in values:
        if (value.language or "").lower().startswith("zh"):
            return str(value)
    return str(values[0]) if values else ""


class DcatReader:
    """A DCAT-AP catalog document, followed through its hydra pages."""

    MAX_PAGES = 10_000

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.Client(timeout=TIMEOUT, follow_redirects=True,
                                   headers={"Accept": ACCEPT, "User-Agent": USER_AGENT})
        self.requests = 0
        self.total = 0
        self.full = True

    def existing(self) -> set[str] | None:
        """Known only after a full read (see :meth:`records`)."""
        return self._seen if self.full else None

    def _page(self, url: str) -> Graph:
        self.requests += 1
        try:
            response = self.client.get(url)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise SourceUnavailable(_("无法读取 DCAT 目录 %(url)s：%(error)s")
                                    % {"url": url, "error": str(exc)[:500]}) from exc
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        fmt = RDF_FORMATS.get(media) or {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml",
                                         "xml": "xml"}.get(url.rsplit(".", 1)[-1].lower())
        graph = Graph()
        try:
            graph.parse(data=response.content, format=fmt or "turtle", publicID=url)
        except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds
            raise SourceUnavailable(_("DCAT 目录无法解析（%(fmt)s）：%(error)s")
                                    % {"fmt": fmt or media, "error": str(exc)[:300]}) from exc
        return graph

    def records(self, since: datetime | None) -> Iterator[RemoteRecord]:
        self.full = since is None
        self._seen: set[str] = set()
        url = self.url if since is None else _with_query(
            self.url, modified_since=since.astimezone(UTC).isoformat())
        for _n in range(self.MAX_PAGES):
            graph = self._page(url)
            subjects = sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str)
            self.total += len(subjects)
            for subject in subjects:
                record = self._record(graph, subject)
                self._seen.add(record.remote_id)
                yield record
            following = [o for p in (HYDRA.next, HYDRA.nextPage) for o in graph.objects(None, p)]
            if not following:
                return
            url = str(following[0])
        raise SourceUnavailable(_("DCAT 目录分页过多。"))

    def _record(self, graph: Graph, subject) -> RemoteRecord:
        identifier = _text(graph, subject, DCT.identifier) or str(subject)
        record = RemoteRecord(remote_id=identifier, remote_name=str(subject))
        try:
            record.title = _text(graph, subject, DCT.title).strip()
            if not record.title:
                raise ValueError(_("缺少数据集名称（dct:title）。"))
            record.description = _text(graph, subject, DCT.description)
            record.keywords = sorted({str(k) for k in graph.objects(subject, DCAT.keyword)})
            publisher = graph.value(subject, DCT.publisher)
            if publisher is not None:
                record.origin_publisher = _text(graph, publisher, FOAF.name)
            landing = graph.value(subject, DCAT.landingPage)
            record.origin_url = str(landing or subject)
            modified = graph.value(subject, DCT.modified)
            record.remote_modified = _time(str(modified)) if modified is not None else None
            themes = [_THEME_BY_EU.get(str(t)) for t in graph.objects(subject, DCAT.theme)]
            record.theme = next((t for t in themes if t), "")
            licences = set()
            for dist in graph.objects(subject, DCAT.distribution):
                url = graph.value(dist, DCAT.downloadURL) or graph.value(dist, DCAT.accessURL)
                fmt = graph.value(dist, DCT["format"])
                record.resources.append({
                    "title": _text(graph, dist, DCT.title),
                    "format": str(fmt).rsplit("/", 1)[-1] if isinstance(fmt, URIRef)
                    else str(fmt or ""),
                    "url": str(url or "")})
                licences |= {str(x) for x in graph.objects(dist, DCT.license)}
            licences |= {str(x) for x in graph.objects(subject, DCT.license)}
            record.licence = sorted(licences)[0] if licences else ""
            record.resources.sort(key=lambda r: (r["url"], r["format"]))
        except ValueError as exc:
            record.error = str(exc)
        return record


def reader_for(source) -> CkanReader | DcatReader:
    from .models import HarvestSource

    if source.kind == HarvestSource.Kind.DCAT:
        return DcatReader(source.url)
    return CkanReader(source.url, fq=source.fq, portal=source.kind == HarvestSource.Kind.PORTAL)

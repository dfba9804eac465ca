"""A remote open-data site for harvest tests and the harvest benchmark: a real HTTP server
on 127.0.0.1 (a free port) that answers like CKAN's Action API (``package_list``,
``package_search`` with ``fq`` ``metadata_modified`` ranges, ``sort``, ``rows``/``start``)
and serves DCAT-AP catalogs in Turtle, JSON-LD and RDF/XML with hydra paging.

The test changes ``packages`` (a dict of CKAN package dicts by id) between runs; every
request is counted in ``hits``. ``down = True`` makes every answer a 503.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from rdflib import RDF, Graph, Literal, Namespace, URIRef

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
RANGE = re.compile(r"metadata_modified:\[(\S+) TO \*\]")
DCAT_PAGE = 2


def package(n: int, *, modified: str = "2024-05-01T08:00:00", title: str | None = None,
            **extra) -> dict:
    """A CKAN 2.10 package dict as ``package_search`` returns it."""
    data = {
        "id": f"00000000-0000-4000-8000-{n:012d}", "name": f"remote-dataset-{n}",
        "title": f"远程数据集 {n}" if title is None else title,
        "notes": f"第 {n} 个远程数据集的说明。", "metadata_modified": modified,
        "license_id": "cc-by", "license_title": "Creative Commons Attribution",
        "organization": {"name": "remote-org", "title": "远程市数据局"},
        "tags": [{"name": "交通"}, {"name": f"标签{n % 7}"}],
        "groups": [{"name": "transport"}],
        "resources": [{"name": "CSV 文件", "format": "CSV",
                       "url": f"http://remote.example/files/{n}.csv"}],
        "extras": [],
    }
    data.update(extra)
    return data


def _time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.removesuffix("Z"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


class Upstream:
    def __init__(self) -> None:
        self.packages: dict[str, dict] = {}
        self.hits: list[str] = []
        self.down = False
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Upstream:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- CKAN -------------------------------------------------------------------------
    def _search(self, params: dict[str, str]) -> dict:
        found = sorted(self.packages.values(), key=lambda p: p["id"])
        match = RANGE.search(params.get("fq", ""))
        if match:
            since = _time(match.group(1))
            found = [p for p in found if _time(p["metadata_modified"]) >= since]
        start, rows = int(params.get("start", 0)), int(params.get("rows", 10))
        return {"count": len(found), "results": found[start:start + rows]}

    def ckan(self, action: str, params: dict[str, str]) -> tuple[int, dict]:
        if action == "package_list":
            return 200, {"success": True, "result": sorted(p["name"] for p in
                                                           self.packages.values())}
        if action == "package_search":
            return 200, {"success": True, "result": self._search(params)}
        return 400, {"success": False, "error": {"__type": "Bad request - Action name not known"}}

    # --- DCAT -------------------------------------------------------------------------
    def dcat(self, page: int, ext: str = "ttl") -> Graph:
        graph = Graph()
        graph.bind("dcat", DCAT)
        graph.bind("dct", DCT)
        graph.bind("hydra", HYDRA)
        catalog = URIRef(f"{self.url}/catalog")
        graph.add((catalog, RDF.type, DCAT.Catalog))
        items = sorted(self.packages.values(), key=lambda p: p["id"])
        for p in items[(page - 1) * DCAT_PAGE:page * DCAT_PAGE]:
            subject = URIRef(f"{self.url}/dataset/{p['name']}")
            graph.add((catalog, DCAT.dataset, subject))
            graph.add((subject, RDF.type, DCAT.Dataset))
            graph.add((subject, DCT.identifier, Literal(p["id"])))
            if p["title"]:
                graph.add((subject, DCT.title, Literal(p["title"], lang="zh")))
            graph.add((subject, DCT.description, Literal(p["notes"], lang="zh")))
            graph.add((subject, DCT.modified, Literal(p["metadata_modified"])))
            graph.add((subject, DCAT.theme, URIRef(
                "http://publications.europa.eu/resource/authority/data-theme/TRAN")))
            publisher = URIRef(f"{self.url}/org/remote-org")
            graph.add((subject, DCT.publisher, publisher))
            graph.add((publisher, FOAF.name, Literal("远程市数据局", lang="zh")))
            for tag in p["tags"]:
                graph.add((subject, DCAT.keyword, Literal(tag["name"], lang="zh")))
            for r in p["resources"]:
                dist = URIRef(r["url"])
                graph.add((subject, DCAT.distribution, dist))
                graph.add((dist, RDF.type, DCAT.Distribution))
                graph.add((dist, DCAT.downloadURL, dist))
                graph.add((dist, DCT["format"], URIRef(
                    "http://publications.europa.eu/resource/authority/file-type/" + r["format"])))
        pages = max(1, -(-len(items) // DCAT_PAGE))
        if page < pages:
            view = URIRef(f"{self.url}/catalog?page={page}")
            graph.add((view, RDF.type, HYDRA.PartialCollectionView))
            graph.add((view, HYDRA.next, URIRef(f"{self.url}/catalog.{ext}?page={page + 1}")))
        return graph

    def _handler(self):
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802 - http.server's name
                upstream.hits.append(self.path)
                if upstream.down:
                    self._send(503, b"maintenance", "text/plain")
                    return
                parts = urlsplit(self.path)
                params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                match = re.fullmatch(r"/api/(?:3/)?action/(\w+)", parts.path)
                if match:
                    status, body = upstream.ckan(match.group(1), params)
                    self._send(status, json.dumps(body, ensure_ascii=False).encode(),
                               "application/json")
                    return
                match = re.fullmatch(r"/catalog\.(ttl|jsonld|rdf)", parts.path)
                if match:
                    fmt = {"ttl": ("turtle", "text/turtle"),
                           "jsonld": ("json-ld", "application/ld+json"),
                           "rdf": ("xml", "application/rdf+xml")}[match.group(1)]
                    graph = upstream.dcat(int(params.get("page", 1)), match.group(1))
                    self._send(200, graph.serialize(format=fmt[0]).encode(), fmt[1])
                    return
                self._send(404, b"not found", "text/plain")

        return Handler

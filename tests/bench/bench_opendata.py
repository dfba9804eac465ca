"""Benchmark of the open-data portal's search (O4, O8): ``BENCH_DATASETS`` published
datasets, a real web server on 127.0.0.1, concurrent clients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opendata_dev \\
        .venv/bin/python -m pytest tests/bench -o python_files='bench_*.py' -s -k opendata
    .venv/bin/python -m pytest tests/bench -o python_files='bench_*.py' -s -k opendata

``BENCH_DATASETS`` defaults to 20,000 on PostgreSQL and 2,000 on SQLite;
``BENCH_CLIENTS`` (20) concurrent clients send ``BENCH_REQUESTS`` (2,000) requests per
endpoint, for at most ``BENCH_SECONDS`` (60) each. Queries are Chinese words drawn from
the generated titles, half of them with a facet filter. Prints for the search page
(``/open/datasets/?q=…``) and CKAN ``package_search`` (with three facet fields):

* p50/p95 latency of one client alone, and under concurrent load with requests/s and
  the error count;
* the same figures for the *bare SQL query* — the search's own list query plus its count,
  straight on a database connection with the same query mix and concurrency — and the
  ratio portal p95 / bare p95 (target ≤ 3×, zero errors).

Throttling stays on, at a rate no client reaches.
"""

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from catalog.models import Resource, Theme
from opendata.ckan.search import PackageQuery, package_queryset
from opendata.models import Dataset
from opendata.selectors import DatasetQuery, dataset_search
from portal.models import Department, Region
from portal.search import segment

pytestmark = pytest.mark.django_db(transaction=True)

POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
DATASETS = int(os.environ.get("BENCH_DATASETS", "20000" if POSTGRES else "2000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
SOLO = int(os.environ.get("BENCH_SOLO", "200"))

PLACES = ["海口市", "三亚市", "儋州市", "琼海市", "文昌市", "万宁市", "东方市", "五指山市",
          "澄迈县", "定安县", "屯昌县", "临高县", "陵水黎族自治县", "乐东黎族自治县"]
SUBJECTS = ["医疗机构", "公交线路", "中小学校", "药店", "停车场", "旅游景区", "农贸市场",
            "充电桩", "养老机构", "公共图书馆", "体育场馆", "不动产登记", "道路养护",
            "河流水质", "空气质量", "气象观测", "社保经办", "企业年报", "食品经营许可",
            "建设工程", "公租房", "消防设施", "地质灾害隐患点", "幼儿园", "加油站"]
KINDS = ["名录", "基本信息", "统计数据", "分布情况", "许可信息", "监测数据", "年度报告",
         "登记信息", "服务网点", "运行情况"]
THEMES = ["health", "transport", "education", "market_supervision", "ecology", "tourism",
          "social_security", "urban_construction", "real_estate", "economy", "emergency",
          "agriculture", "government_service"]
QUERIES = ["医疗", "医疗机构", "公交", "学校", "停车场", "充电桩", "养老", "图书馆", "不动产",
           "水质", "空气质量", "企业", "食品", "公租房", "幼儿园", "加油站", "景区", "年度报告",
           "监测", "许可", "海口", "三亚", "儋州 医疗", "海口 公交", "名录"]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


# --- data ---------------------------------------------------------------------------------------

def build_catalog(count: int) -> None:
    """``count`` published datasets from as many registered open entries, over 60 departments.

    Rows are written in bulk (the services are exercised by the test suite); the search
    columns are filled exactly as the services fill them.
    """
    rng = random.Random(20260101)
    region, _ = Region.objects.get_or_create(code="460000", defaults={"name": "海南省",
                                                                      "level": "province"})
    from portal.validators import uscc_check_digit

    departments = []
    for n in range(60):
        first17 = f"11460000MB{n:07d}"
        departments.append(Department(
            name=f"海南省第{n + 1}厅局", short_name=f"第{n + 1}厅", region=region,
            uscc=first17 + uscc_check_digit(first17), kind="government"))
    Department.objects.bulk_create(departments)
    departments = list(Department.objects.filter(uscc__startswith="11460000MB"))
    now = timezone.now()
    resources, datasets = [], []
    for i in range(count):
        place, subject, kind = rng.choice(PLACES), rng.choice(SUBJECTS), rng.choice(KINDS)
        title = f"{place}{subject}{kind}"
        department = rng.choice(departments)
        conditional = rng.random() < 0.15
        resources.append(Resource(
            code=f"3-BENCH-{i:06d}", name=title, provider=department, classification="thematic",
            summary=f"{place}{subject}的{kind}。", format=rng.choice(
                ["database", "spreadsheet", "self_describing"]),
            sharing_type="unconditional", update_cycle=rng.choice(
                ["daily", "weekly", "monthly", "quarterly", "yearly"]),
            is_open=True, open_type="conditional" if conditional else "unconditional",
            status="registered", registered_at=now))
    Resource.objects.bulk_create(resources, batch_size=2000)
    resources = Resource.objects.filter(code__startswith="3-BENCH-").select_related("provider")
    theme_labels = dict(Theme.choices)
    for i, resource in enumerate(resources.iterator(chunk_size=2000)):
        theme = THEMES[i % len(THEMES)]
        keywords = rng.sample(SUBJECTS, 2)
        description = (f"{resource.name}，由{resource.provider.name}发布，"
                       f"包括名称、地址、联系电话和更新时间等字段。")
        moment = now - timezone.timedelta(days=rng.randint(0, 900))
        datasets.append(Dataset(
            name=resource.code.lower(), resource=resource, publisher=resource.provider,
            title=resource.name, description=description, keywords=keywords, theme=theme,
            open_type=resource.open_type, update_cycle=resource.update_cycle,
            spatial="海南省", status="published", first_published_at=moment,
            published_at=moment, modified_at=moment, download_count=rng.randint(0, 5000),
            view_count=rng.randint(0, 20000),
            search_text=segment([resource.name, description, " ".join(keywords),
                                 str(theme_labels[theme]), resource.provider.name,
                                 resource.provider.short_name, resource.code.lower()])))
    Dataset.objects.bulk_create(datasets, batch_size=2000)
    from portal.search import search_vectors_rebuild

    search_vectors_rebuild(Dataset)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE opendata_dataset; ANALYZE catalog_resource; "
                           "ANALYZE portal_department")


# --- requests ------------------------------------------------------------------------------------

def workload(n: int) -> list[tuple[str, str]]:
    """(query, theme or "") pairs: the same mix for the portal and the bare query."""
    rng = random.Random(7)
    return [(rng.choice(QUERIES), rng.choice(THEMES) if rng.random() < 0.5 else "")
            for _ in range(n)]


def page_path(q: str, theme: str) -> str:
    params = {"q": q, **({"theme": theme} if theme else {})}
    return "/open/datasets/?" + urllib.parse.urlencode(params)


def ckan_path(q: str, theme: str) -> str:
    params = {"q": q, "rows": 20, "facet.field": json.dumps(["organization", "groups",
                                                             "license_id"])}
    if theme:
        params["fq"] = f"groups:{theme}"
    return "/api/3/action/package_search?" + urllib.parse.urlencode(params)


def page_queryset(q: str, theme: str):
    return dataset_search(DatasetQuery(q=q, theme=[theme] if theme else []))


def ckan_queryset(q: str, theme: str):
    return package_queryset(PackageQuery(q=q, fq=f"groups:{theme}" if theme else ""))[0]


def bare_once(queryset) -> None:
    """The search's own SQL — first page and count — on a plain cursor, no ORM objects."""
    list_sql, list_params = queryset[:20].query.sql_with_params()
    count_sql, count_params = queryset.order_by().values("pk").query.sql_with_params()
    with connections["default"].cursor() as cursor:
        cursor.execute(list_sql, list_params)
        cursor.fetchall()
        cursor.execute(f"SELECT count(*) FROM ({count_sql}) AS c", count_params)
        cursor.fetchall()


def run(label: str, calls: list, clients: int, limit_s: float) -> dict:
    """Call each item of ``calls`` from ``clients`` threads; latency per call in ms."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    queue = list(enumerate(calls))
    deadline = time.time() + limit_s

    def worker():
        while time.time() < deadline:
            with lock:
                if not queue:
                    return
                _i, call = queue.pop()
            start = time.perf_counter()
            try:
                ok = call()
            except Exception:  # noqa: BLE001 - counted, reported
                ok = False
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                times.append(elapsed)
                if not ok:
                    errors[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"label": label, "n": len(times), "p50": pct(times, .5), "p95": pct(times, .95),
            "rps": len(times) / wall if wall else 0.0, "errors": errors[0]}


def http_call(port: int, path: str):
    def call() -> bool:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
            response.read()
            return response.status == 200
    return call


def bare_call(queryset_factory, q: str, theme: str):
    def call() -> bool:
        try:
            bare_once(queryset_factory(q, theme))
        finally:
            connections["default"].close()
        return True
    return call


# --- server -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn on 127.0.0.1: a worker per core, threads for the concurrent clients."""

    def __init__(self, tmp: Path):
        db = connection.settings_dict
        env = {**os.environ, "PORTAL_HTTPS": "0", "PORTAL_STATIC_MANIFEST": "0",
               "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "PORTAL_LOG_LEVEL": "WARNING",
               "CELERY_TASK_ALWAYS_EAGER": "1", "PORTAL_MEDIA_ROOT": str(settings.MEDIA_ROOT),
               "OPENDATA_PAGE_ANON_RATE": "10000000/min", "OPENDATA_API_ANON_RATE": "10000000/min"}
        if connection.vendor == "postgresql":
            env["DATABASE_URL"] = (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@"
                                   f"{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}")
        else:
            import sqlite3

            env.pop("DATABASE_URL", None)
            env["PORTAL_VAR_DIR"] = str(tmp)
            connection.ensure_connection()
            target = sqlite3.connect(tmp / "db.sqlite3")
            connection.connection.backup(target)
            target.close()
        self.port = free_port()
        workers = str(os.cpu_count() or 2)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "-b", f"127.0.0.1:{self.port}",
             "-w", workers, "--threads", "4", "--timeout", "120", "--log-level", "warning"],
            env=env, cwd=settings.BASE_DIR)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


# --- the benchmark --------------------------------------------------------------------------

def line(r: dict, bare: dict | None = None) -> None:
    ratio = f"{r['p95'] / bare['p95']:.2f}×" if bare and bare["p95"] else ""
    print(f"  {r['label']:<34}{r['n']:>6}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['rps']:>9.1f}"
          f"{r['errors']:>7}  {ratio}")


def test_opendata_search_benchmark(tmp_path):
    start = time.perf_counter()
    build_catalog(DATASETS)
    print(f"\n== Open data search benchmark: {DATASETS:,} published datasets on "
          f"{connection.vendor}; built in {time.perf_counter() - start:.0f} s ==")
    print(f"  {'':<34}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>9}{'errors':>7}  p95 / bare")
    solo_mix = workload(SOLO)
    load_mix = workload(REQUESTS)
    server = Server(tmp_path)
    results = []
    try:
        for name, path_of, queryset_of in (("search page", page_path, page_queryset),
                                           ("package_search", ckan_path, ckan_queryset)):
            for q, theme in solo_mix[:10]:  # warm both sides
                http_call(server.port, path_of(q, theme))()
                bare_call(queryset_of, q, theme)()
            bare_solo = run(f"{name}: bare SQL, 1 client",
                            [bare_call(queryset_of, q, t) for q, t in solo_mix], 1, SECONDS)
            solo = run(f"{name}: portal, 1 client",
                       [http_call(server.port, path_of(q, t)) for q, t in solo_mix], 1, SECONDS)
            bare_load = run(f"{name}: bare SQL, {CLIENTS} clients",
                            [bare_call(queryset_of, q, t) for q, t in load_mix], CLIENTS, SECONDS)
            load = run(f"{name}: portal, {CLIENTS} clients",
                       [http_call(server.port, path_of(q, t)) for q, t in load_mix], CLIENTS,
                       SECONDS)
            line(bare_solo)
            line(solo, bare_solo)
            line(bare_load)
            line(load, bare_load)
            results += [solo, load]
    finally:
        server.stop()
    assert all(r["errors"] == 0 for r in results), results

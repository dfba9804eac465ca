"""Benchmark of the data plane (S9): a generated 12-column resource of ``BENCH_ROWS`` rows.

    DATABASE_URL=postgres://…/dataplane_dev BENCH_ROWS=5000000 \\
        .venv/bin/python -m pytest tests/bench -o python_files='bench_*.py' -s -k dataplane
    .venv/bin/python -m pytest tests/bench -o python_files='bench_*.py' -s -k dataplane

``BENCH_ROWS`` defaults to 200,000 (5,000,000 for the real figures). Prints, each beside
the bare engine doing the same work (DuckDB on the same files, no portal):

* ingestion rows/s — upload stored, whole-file type checks, Parquet written, version
  switched (bare: DuckDB ``read_csv`` → Parquet);
* key lookup p50/p95 through the REST API of a real web server (gunicorn, one worker),
  with a system token, access decision and access-log entry per call (bare: a fresh
  DuckDB connection filtering the Parquet file);
* the same key lookups through a portal whose storage is an S3 store (moto's server on
  127.0.0.1) holding the same Parquet file: bytes read from the store per lookup against
  the file size, and p50/p95 beside the local-disk portal (target ≤ 2×);
* CSV download throughput through the API, unmasked and with three masked columns (best
  of ``BENCH_REPEAT``, default 3, each side), and the peak RSS of the web worker (bare:
  DuckDB ``COPY … TO`` CSV of the same select).

Targets: download ≥ 0.5× bare throughput, masking ≤ 2× unmasked time, worker peak RSS
≤ 300 MB whatever the row count.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from catalog.models import DataType, SharingMethod
from dataplane.masking import MaskKind
from dataplane.services.masking import masking_rule_set
from dataplane.services.tokens import system_token_issue
from dataplane.services.versions import version_upload
from portal.models import Role
from sharing.services.grants import grant_create
from tests.factories import DepartmentFactory, UserFactory
from tests.sharing.factories import DataItemFactory, FilingFactory, ResourceFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = int(os.environ.get("BENCH_ROWS", "200000"))
LOOKUPS = int(os.environ.get("BENCH_LOOKUPS", "100"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))  # downloads: the best of this many runs
MASKED = ("身份证号码", "手机号码", "姓名")

# name, type, SQL generating the column from i
COLUMNS = [
    ("身份证号码", DataType.STRING, "'4601' || lpad(((i * 7919) % 100000000000000)::VARCHAR, 14, '0')"),
    ("姓名", DataType.STRING, "'张' || (i % 9973)::VARCHAR"),
    ("手机号码", DataType.STRING, "'138' || lpad((i % 100000000)::VARCHAR, 8, '0')"),
    ("出生日期", DataType.DATE, "strftime(DATE '1950-01-01' + (i % 25000)::INTEGER, '%Y-%m-%d')"),
    ("性别", DataType.STRING, "CASE WHEN i % 2 = 0 THEN '男' ELSE '女' END"),
    ("住址", DataType.STRING, "'海南省海口市美兰区人民大道' || (i % 997)::VARCHAR || '号'"),
    ("年收入", DataType.DECIMAL, "((i % 100000) * 1.5)::VARCHAR"),
    ("登记日期", DataType.DATE, "strftime(DATE '2000-01-01' + (i % 9000)::INTEGER, '%Y/%m/%d')"),
    ("状态码", DataType.INTEGER, "(i % 7)::VARCHAR"),
    ("单位名称", DataType.STRING, "'海南某某有限公司' || (i % 5000)::VARCHAR"),
    ("登记时间", DataType.DATETIME, "strftime(TIMESTAMP '2020-01-01' + to_seconds(i), '%Y-%m-%d %H:%M:%S')"),
    ("是否有效", DataType.BOOLEAN, "CASE WHEN i % 3 = 0 THEN '否' ELSE '是' END"),
]


def line(label: str, value: str, bare: str = "", ratio: str = "") -> None:
    print(f"  {label:<38}{value:>20}  {bare:>20}  {ratio}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int, field: str = "VmHWM") -> float:
    """The process's peak (VmHWM) or current (VmRSS) resident memory."""
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith(f"{field}:"):
            return int(row.split()[1]) / 1024
    return float("nan")


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def server_env(tmp: Path) -> dict:
    """The web process sees the same database and media as this test."""
    env = {**os.environ, "PORTAL_HTTPS": "0", "PORTAL_STATIC_MANIFEST": "0",
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "PORTAL_MEDIA_ROOT": str(settings.MEDIA_ROOT),
           "PORTAL_DATA_WORK_DIR": str(tmp / "web-work"), "CELERY_TASK_ALWAYS_EAGER": "1"}
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
                               f"{db['PORT'] or 5432}/{db['NAME']}")
    else:  # copy the in-memory test database to a file the server can open
        env.pop("DATABASE_URL", None)
        env["PORTAL_VAR_DIR"] = str(tmp)
        connection.ensure_connection()
        target = sqlite3.connect(tmp / "db.sqlite3")
        connection.connection.backup(target)
        target.close()
    return env


class Server:
    def __init__(self, tmp: Path, **env):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "-b", f"127.0.0.1:{self.port}",
             "-w", "1", "--threads", "2", "--timeout", "600", "--log-level", "warning"],
            env={**server_env(tmp), **env}, cwd=settings.BASE_DIR)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        self.worker = worker_pid(self.process.pid)

    def get(self, path: str, key: str, *, sink: bool = False) -> tuple[int, bytes, int]:
        """GET with the token; ``sink`` discards the body (with curl when available, so the
        client costs the shared CPU as little as possible) and returns its size."""
        if sink and shutil.which("curl"):
            out = subprocess.run(
                ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                 "-H", f"Authorization: Token {key}", f"http://127.0.0.1:{self.port}{path}"],
                capture_output=True, text=True, check=True).stdout.split()
            return int(out[0]), b"", int(out[1])
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        conn.request("GET", path, headers={"Authorization": f"Token {key}"})
        response = conn.getresponse()
        data = b""
        size = 0
        while chunk := response.read(1 << 20):
            size += len(chunk)
            if not sink:
                data += chunk
        conn.close()
        return response.status, data, size

    def metric(self, name: str) -> float:
        """One unlabelled sample of the server's ``/metrics``."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("GET", "/metrics")
        body = conn.getresponse().read().decode()
        conn.close()
        return next((float(row.split()[1]) for row in body.splitlines()
                     if row.startswith(name + " ")), 0.0)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


class ObjectStore:
    """moto's S3 server on a free port (the stand-in for MinIO, Ceph or a cloud OSS)."""

    BUCKET = "bench"

    def __init__(self, tmp: Path):
        import boto3

        self.port = free_port()
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p",
             str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp)
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.client = boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id="bench",
                                   aws_secret_access_key="bench", region_name="us-east-1")
        deadline = time.time() + 30
        while True:
            try:
                self.client.create_bucket(Bucket=self.BUCKET)
                break
            except Exception:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)

    @property
    def url(self) -> str:
        return f"s3://bench:bench@{self.BUCKET}?endpoint={self.endpoint}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def generate_csv(path: Path) -> None:
    select = ", ".join(f"{sql} AS \"{name}\"" for name, _t, sql in COLUMNS)
    duckdb.execute(f"COPY (SELECT {select} FROM range(1, {ROWS + 1}) t(i)) "
                   f"TO '{path}' (HEADER, DELIMITER ',')")


def build_resource():
    provider, consumer_dept = DepartmentFactory(), DepartmentFactory()
    resource = ResourceFactory(provider=provider)
    for position, (name, data_type, _sql) in enumerate(COLUMNS):
        DataItemFactory(resource=resource, name=name, data_type=data_type, position=position,
                        length=40 if data_type == DataType.STRING else None,
                        is_key=name == "身份证号码")
    admin = UserFactory(department=provider, roles=[Role.DATA_ADMIN])
    FilingFactory(department=consumer_dept)
    consumer_admin = UserFactory(department=consumer_dept, roles=[Role.DATA_ADMIN])
    return resource, admin, consumer_admin


def grant_and_token(resource, admin, consumer_admin, masked=()):
    items = list(resource.items.all())
    grant = grant_create(
        actor=admin, department=consumer_admin.department, resource=resource, items=items,
        masked_items=[i for i in items if i.name in masked], purpose="work_reference"
        if masked else "administrative_basis", method=SharingMethod.BULK_DOWNLOAD,
        valid_from=timezone.localdate(), valid_until=timezone.localdate() + timedelta(days=30))
    _token, key = system_token_issue(
        actor=consumer_admin, name="基准测试", grants=[grant], rate_per_minute=6000,
        expires_at=timezone.now() + timedelta(days=1))
    return grant, key


def bare_lookup_ms(path: str, values: list[str]) -> list[float]:
    """The same lookup on a warm engine: one database, a cursor per call."""
    base = duckdb.connect(config={"threads": 2, "memory_limit": "512MB"})
    base.execute("SET parquet_metadata_cache = true")
    times = []
    for value in values:
        start = time.perf_counter()
        con = base.cursor()
        con.sql(f"SELECT count(*) FROM read_parquet('{path}') WHERE \"身份证号码\" = $1",
                params=[value]).fetchall()
        con.sql(f"SELECT * FROM read_parquet('{path}') WHERE \"身份证号码\" = $1 LIMIT 20",
                params=[value]).fetchall()
        con.close()
        times.append((time.perf_counter() - start) * 1000)
    return times


def bare_copy_seconds(path: str, select: str) -> float:
    con = duckdb.connect(config={"threads": 2, "memory_limit": "512MB"})
    start = time.perf_counter()
    con.execute(f"COPY (SELECT {select} FROM read_parquet('{path}')) TO '/dev/null' "
                "(FORMAT csv, HEADER)")
    return time.perf_counter() - start


def best_of(portal, bare) -> tuple[float, float, int]:
    """Best of ``REPEAT`` runs of each, alternating so both see the same machine load.

    ``portal`` returns ``(status, body, size)``; ``bare`` times itself and returns seconds.
    Returns (portal seconds, bare seconds, bytes downloaded)."""
    best_portal = best_bare = float("inf")
    size = 0
    for _ in range(REPEAT):
        start = time.perf_counter()
        status, _body, size = portal()
        best_portal = min(best_portal, time.perf_counter() - start)
        assert status == 200 and size > 0
        best_bare = min(best_bare, bare())
    return best_portal, best_bare, size


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def test_dataplane_benchmark(tmp_path):
    print(f"\n== Data plane benchmark: {ROWS:,} rows × {len(COLUMNS)} columns "
          f"on {connection.vendor} ==")
    line("", "portal", "bare engine", "ratio")
    resource, admin, consumer_admin = build_resource()
    source = tmp_path / "upload.csv"
    generate_csv(source)
    size_mb = source.stat().st_size / 1e6

    # Ingestion: store, validate every value, write Parquet, switch the version.
    start = time.perf_counter()
    with source.open("rb") as handle:
        version = version_upload(actor=admin, resource=resource, upload=File(handle, "upload.csv"))
    portal_ingest = time.perf_counter() - start
    version.refresh_from_db()
    assert version.status == "current", version.report
    start = time.perf_counter()
    duckdb.connect(config={"threads": 2, "memory_limit": "512MB"}).execute(
        f"COPY (SELECT * FROM read_csv('{source}', header=true)) "
        f"TO '{tmp_path / 'bare.parquet'}' (FORMAT parquet, COMPRESSION zstd)")
    bare_ingest = time.perf_counter() - start
    line(f"ingestion rows/s ({size_mb:,.0f} MB CSV)", f"{ROWS / portal_ingest:,.0f}",
         f"{ROWS / bare_ingest:,.0f}", f"{bare_ingest / portal_ingest:.2f}×")

    parquet = default_storage.path(version.parquet_file)
    _grant, key = grant_and_token(resource, admin, consumer_admin)
    masked_grant, masked_key = grant_and_token(resource, admin, consumer_admin, MASKED)
    rules = {"身份证号码": MaskKind.ID_NUMBER, "手机号码": MaskKind.MOBILE, "姓名": MaskKind.NAME}
    for item in resource.items.filter(name__in=MASKED):
        masking_rule_set(actor=admin, item=item, kind=rules[item.name])
    con = duckdb.connect()
    values = [r[0] for r in con.sql(
        f"SELECT \"身份证号码\" FROM read_parquet('{parquet}') USING SAMPLE {LOOKUPS} ROWS "
        "(reservoir, 42)").fetchall()]

    server = Server(tmp_path)
    try:
        base = f"/api/v1/sharing/resources/{resource.code}"
        server.get(f"{base}/rows/?page_size=1", key)  # warm up
        warm = rss_mb(server.worker)
        api_ms = []
        for value in values:
            start = time.perf_counter()
            status, data, _n = server.get(f"{base}/rows/?{_q('身份证号码', value)}", key)
            api_ms.append((time.perf_counter() - start) * 1000)
            assert status == 200 and json.loads(data)["count"] >= 1
        bare_ms = bare_lookup_ms(parquet, values)
        line("key lookup p50 (ms)", f"{pct(api_ms, .5):.1f}", f"{pct(bare_ms, .5):.1f}",
             f"{pct(api_ms, .5) / pct(bare_ms, .5):.2f}× the time")
        line("key lookup p95 (ms)", f"{pct(api_ms, .95):.1f}", f"{pct(bare_ms, .95):.1f}",
             f"{pct(api_ms, .95) / pct(bare_ms, .95):.2f}× the time")

        lookup_breakdown(resource, key, values, api_ms)

        after_lookups = rss_mb(server.worker)
        results = {}
        for label, token, masked in (("unmasked", key, False), ("3 masked", masked_key, True)):
            elapsed, bare, size = best_of(
                lambda t=token: server.get(f"{base}/download/?format=csv", t, sink=True),
                lambda m=masked: bare_copy_seconds(parquet, _bare_select(m)))
            results[label] = elapsed
            line(f"CSV download {label} (rows/s)", f"{ROWS / elapsed:,.0f}", f"{ROWS / bare:,.0f}",
                 f"{bare / elapsed:.2f}× throughput")
            line(f"CSV download {label} (MB/s)", f"{size / 1e6 / elapsed:,.1f}", "", "")
        line("masking cost (masked / unmasked time)",
             f"{results['3 masked'] / results['unmasked']:.2f}×", "", "target ≤ 2×")
        line("web worker RSS after first request (MB)", f"{warm:,.0f}", "", "")
        line("web worker peak RSS after lookups (MB)", f"{after_lookups:,.0f}", "", "")
        line("web worker peak RSS after downloads (MB)", f"{rss_mb(server.worker):,.0f}", "",
             "target ≤ 300")
    finally:
        server.stop()
    assert masked_grant.masked_items.count() == 3
    lookups_in_object_store(tmp_path, version, parquet, f"{base}/rows/", key, values, api_ms)


def lookups_in_object_store(tmp_path, version, parquet: str, rows_path: str, key: str,
                            values: list[str], local_ms: list[float]) -> None:
    """The same key lookups through a portal whose storage is an S3 store holding the same
    Parquet file: bytes read from the store per lookup, and the time beside local disk."""
    store = ObjectStore(tmp_path)
    try:
        store.client.upload_file(parquet, store.BUCKET, version.parquet_file)
        server = Server(tmp_path, PORTAL_STORAGE_URL=store.url)
        try:
            server.get(f"{rows_path}?page_size=1", key)  # footer and handle, once per process
            before = server.metric("portal_store_read_bytes_total")
            s3_ms = []
            for value in values:
                start = time.perf_counter()
                status, data, _n = server.get(f"{rows_path}?{_q('身份证号码', value)}", key)
                s3_ms.append((time.perf_counter() - start) * 1000)
                assert status == 200 and json.loads(data)["count"] >= 1
            read = (server.metric("portal_store_read_bytes_total") - before) / len(values)
        finally:
            server.stop()
    finally:
        store.stop()
    size = Path(parquet).stat().st_size
    line("S3 store: bytes read per key lookup", f"{read / 1e3:,.0f} kB",
         f"of {size / 1e6:,.1f} MB", f"{read / size:.2%} of the file")
    line("S3 store: key lookup p50 (ms)", f"{pct(s3_ms, .5):.1f}", f"{pct(local_ms, .5):.1f}",
         f"{pct(s3_ms, .5) / pct(local_ms, .5):.2f}× local disk (target ≤ 2×)")
    line("S3 store: key lookup p95 (ms)", f"{pct(s3_ms, .95):.1f}", f"{pct(local_ms, .95):.1f}",
         f"{pct(s3_ms, .95) / pct(local_ms, .95):.2f}× local disk")


def lookup_breakdown(resource, key: str, values: list[str], api_ms: list[float]) -> None:
    """Where a key lookup's time goes: each step of the online query, run in this process
    as the API view runs it (median over the same lookups), beside the whole request."""
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from dataplane.conf import engine_config
    from dataplane.engine.duck import engine_cursor
    from dataplane.models import AccessLogEntry
    from portal.api.authentication import ApiTokenAuthentication
    from sharing.delivery import services as delivery

    request = RequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {key}")
    steps: dict[str, list[float]] = {}
    queries: dict[str, int] = {}

    def step(name, fn, *args, **kwargs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            out = fn(*args, **kwargs)
            steps.setdefault(name, []).append((time.perf_counter() - start) * 1000)
        queries[name] = len(ctx.captured_queries)
        return out

    def engine(query, version):
        con = engine_cursor(engine_config())
        try:
            delivery._count(con, query, version)
            sql, args = query.rows_sql(limit=20)
            return con.sql(sql, params=args or None).fetchall()
        finally:
            con.close()

    action = AccessLogEntry.Action.QUERY
    for value in values:
        user, token = step("token authentication", ApiTokenAuthentication().authenticate,
                           request)
        consumer = delivery.Consumer.of(user=user, token=token, ip_address="127.0.0.1",
                                        channel=AccessLogEntry.Channel.API)
        params = {"身份证号码": value}
        found = step("delivery: access decision, version, items, rules",
                     delivery.delivery_open, consumer=consumer, resource=resource,
                     action=action, parameters=params)
        query, parameters = step("plan: fields and filters", delivery._plan, found, params,
                                 action)
        rows = step("engine: count and first page (DuckDB)", engine, query, found.version)
        step("access-log entry (hash chain)", delivery._log, consumer, resource, action,
             allowed=True, decision=found.decision, version=found.version,
             parameters=parameters, items=[c.name for c in query.columns], rows=len(rows))
    print("  key lookup breakdown (median per lookup; SQL queries per step):")
    total = 0.0
    for name, times in steps.items():
        total += pct(times, .5)
        print(f"    {name:<50}{pct(times, .5):7.1f} ms  {queries[name]:3d} SQL")
    print(f"    {'the rest: HTTP, middleware, throttle, serialisation':<50}"
          f"{pct(api_ms, .5) - total:7.1f} ms  (whole request p50 {pct(api_ms, .5):.1f} ms)")


def _q(name: str, value: str) -> str:
    from urllib.parse import urlencode

    return urlencode({name: value})


def _bare_select(masked: bool) -> str:
    """The same projection the portal runs (masking rules as the same SQL)."""
    from dataplane.conf import masking_secret
    from dataplane.masking import MaskedColumn, MaskRule, select_list

    rules = {"身份证号码": MaskKind.ID_NUMBER, "手机号码": MaskKind.MOBILE, "姓名": MaskKind.NAME}
    columns = [MaskedColumn(name, name, MaskRule(rules[name]) if masked and name in rules
                            else None) for name, _t, _s in COLUMNS]
    return select_list(columns, secret=masking_secret())


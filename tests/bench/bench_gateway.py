"""Benchmark of the interface gateway (S9 服务接口), PostgreSQL + Redis.

    DATABASE_URL=postgres://… REDIS_URL=redis://… make bench PYTEST_ARGS="-k gateway"

A real upstream (``tests.upstream``, uvicorn + uvloop, its own process), the portal as in
production (gunicorn with uvicorn workers, ``portal.asgi``) and a closed-loop load
generator (``tests.bench.loadgen``, its own process), all on 127.0.0.1:

* throughput: an upstream answering in 200 ms, ``BENCH_GW_CLIENTS`` (200) concurrent
  clients, ``BENCH_GW_CALLS`` (10,000) calls, directly and through the gateway (every
  call authenticated, decided, masked and written to the hash-chained access log);
* added latency: the same against an upstream answering at once, ``BENCH_GW_FAST_CLIENTS``
  (10) clients, p95 through the gateway minus p95 direct;
* memory: the web worker's resident memory while the gateway streams 50 MB answers.

Targets (printed with the figures): throughput ≥ 0.8× direct, added p95 ≤ 10 ms, zero
errors, memory flat.
"""

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from catalog.models import SharingMethod
from dataplane.models import AccessLogEntry, MaskingRule, SystemTokenScope
from dataplane.services.accesslog import accesslog_verify
from dataplane.services.tokens import system_token_issue
from portal.models import Role
from portal.secrets import secret_encrypt
from sharing.models import DataService, ServiceOperation
from sharing.services.grants import grant_create
from tests.factories import DepartmentFactory, UserFactory
from tests.sharing.factories import DataItemFactory, FilingFactory, ResourceFactory
from tests.upstream import free_port

from .bench_dataplane import rss_mb, server_env

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = int(os.environ.get("BENCH_GW_CLIENTS", "200"))
CALLS = int(os.environ.get("BENCH_GW_CALLS", "10000"))
FAST_CLIENTS = int(os.environ.get("BENCH_GW_FAST_CLIENTS", "10"))
FAST_CALLS = int(os.environ.get("BENCH_GW_FAST_CALLS", "3000"))
WORKERS = int(os.environ.get("BENCH_GW_WORKERS", "2"))
# Mask 身份证号码 on the throughput and latency services too (each call then runs one
# DuckDB masking query; see docs/sharing.md for what that costs).
MASKED = os.environ.get("BENCH_GW_MASKED", "0") == "1"
# "1": a call answers after its log entry is committed (the default); "0": once queued.
LOG_COMMIT = os.environ.get("BENCH_GW_LOG_COMMIT", "1")
BIG_RECORDS = int(os.environ.get("BENCH_GW_BIG_RECORDS", "400000"))  # ≈ 50 MB of JSON
FIELDS = {"xm": "姓名", "sfzh": "身份证号码", "sjhm": "手机号码", "nsr": "年收入", "zz": "住址"}


def wait_port(port: int, timeout: float = 60) -> None:
    import socket

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


def service_for(provider, consumer_admin, base_url: str, *, masked: bool):
    resource = ResourceFactory(provider=provider, format="service_interface")
    for position, name in enumerate(FIELDS.values()):
        DataItemFactory(resource=resource, name=name, position=position,
                        is_key=name == "身份证号码")
    items = {i.name: i for i in resource.items.all()}
    MaskingRule.objects.create(item=items["身份证号码"], kind="id_number")
    service = DataService.objects.create(
        resource=resource, base_url=base_url, credential_place="header",
        credential_name="X-Api-Key", credential_secret=secret_encrypt("bench-key"),
        timeout_ms=10_000, max_answer_bytes=200 * 1024 * 1024,
        status=DataService.Status.ENABLED)
    ServiceOperation.objects.create(
        service=service, name="query", label="查询", path="/persons",
        params=[{"name": "sfzh", "in": "query", "item": items["身份证号码"].pk}],
        records_path="data.list", field_map={f: items[n].pk for f, n in FIELDS.items()})
    admin = UserFactory(department=provider, roles=[Role.DATA_ADMIN])
    grant = grant_create(
        actor=admin, department=consumer_admin.department, resource=resource,
        items=list(items.values()), masked_items=[items["身份证号码"]] if masked else [],
        purpose="administrative_basis", method=SharingMethod.SYSTEM,
        valid_from=timezone.localdate(), valid_until=timezone.localdate() + timedelta(days=5))
    return resource, grant


def load(url: str, clients: int, calls: int, headers: list[str]) -> dict:
    cmd = [sys.executable, "-m", "tests.bench.loadgen", url, "--concurrency", str(clients),
           "--requests", str(calls), "--max-seconds", "600"]
    for header in headers:
        cmd += ["--header", header]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=settings.BASE_DIR,
                         timeout=900, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _profile(master_pid: int) -> list[subprocess.Popen]:
    """With ``BENCH_GW_PROFILE=<dir>``, record each web worker with py-spy (collapsed stacks
    per worker) for ``BENCH_GW_PROFILE_SECONDS`` during the throughput run."""
    folder = os.environ.get("BENCH_GW_PROFILE")
    if not folder:
        return []
    seconds = os.environ.get("BENCH_GW_PROFILE_SECONDS", "8")
    workers = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--pid", pid, "--duration", seconds,
                              "--format", "raw", "--output",
                              f"{folder}/gateway-worker-{pid}.txt", "--nonblocking"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for pid in workers]


def row(label: str, direct: str, gateway: str, note: str = "") -> None:
    print(f"  {label:<34}{direct:>18}{gateway:>18}  {note}")


def test_gateway_benchmark(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the gateway benchmark runs on PostgreSQL (set DATABASE_URL)")
    if not getattr(settings, "REDIS_URL", ""):
        pytest.skip("the gateway benchmark needs Redis (set REDIS_URL)")
    up_port, web_port = free_port(), free_port()
    upstream = subprocess.Popen([sys.executable, "-m", "tests.upstream", "--port", str(up_port),
                                 "--records", "3"], cwd=settings.BASE_DIR)
    web = None
    try:
        wait_port(up_port)
        provider, consumer = DepartmentFactory(), DepartmentFactory()
        FilingFactory(department=consumer)
        consumer_admin = UserFactory(department=consumer, roles=[Role.DATA_ADMIN])
        base = f"http://127.0.0.1:{up_port}"
        slow, slow_grant = service_for(provider, consumer_admin, f"{base}/delay/200", masked=MASKED)
        fast, fast_grant = service_for(provider, consumer_admin, f"{base}/normal", masked=MASKED)
        big, big_grant = service_for(provider, consumer_admin, f"{base}/big/{BIG_RECORDS}",
                                     masked=True)
        _token, key = system_token_issue(
            actor=consumer_admin, name="基准测试", grants=[slow_grant, fast_grant, big_grant],
            rate_per_minute=6000, expires_at=timezone.now() + timedelta(days=1))
        # The load is far above a token's highest allowed rate (6000/min): lift it here so
        # the runs measure the gateway, not its limiter.
        SystemTokenScope.objects.filter(token=_token).update(rate_per_minute=10_000_000)
        env = {**server_env(tmp_path), "PORTAL_GATEWAY_GRANT_RATE": "1000000",
               "PORTAL_GATEWAY_LOG_COMMIT_BEFORE_ANSWER": LOG_COMMIT,
               "REDIS_URL": settings.REDIS_URL}
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.asgi:application", "-k",
             "uvicorn_worker.UvicornWorker", "-w", str(WORKERS), "-b", f"127.0.0.1:{web_port}",
             "--log-level", "warning", "--backlog", "4096", "--timeout", "600"],
            env=env, cwd=settings.BASE_DIR)
        wait_port(web_port)
        gw = f"http://127.0.0.1:{web_port}/api/v1/services"
        auth = [f"Authorization: Token {key}"]
        upstream_key = ["X-Api-Key: bench-key"]
        # Warm up: plans cached, connections pooled in every worker.
        load(f"{gw}/{slow.code}/query/?sfzh=460100199001010001", 50, 400, auth)
        load(f"{gw}/{fast.code}/query/", 20, 400, auth)
        log_before = AccessLogEntry.objects.count()

        direct = load(f"{base}/delay/200/persons?sfzh=460100199001010001", CLIENTS, CALLS,
                      upstream_key)
        profilers = _profile(web.pid)
        through = load(f"{gw}/{slow.code}/query/?sfzh=460100199001010001", CLIENTS, CALLS, auth)
        for profiler in profilers:
            profiler.wait(timeout=120)
        fast_direct = load(f"{base}/normal/persons", FAST_CLIENTS, FAST_CALLS, upstream_key)
        fast_through = load(f"{gw}/{fast.code}/query/", FAST_CLIENTS, FAST_CALLS, auth)

        workers = [int(p) for p in Path(f"/proc/{web.pid}/task/{web.pid}/children")
                   .read_text().split()]
        before = {p: rss_mb(p, "VmRSS") for p in workers}
        sizes = []
        for _ in range(3):
            with httpx.stream("GET", f"{gw}/{big.code}/query/", timeout=600,
                              headers={"Authorization": f"Token {key}"}) as response:
                assert response.status_code == 200
                sizes.append(sum(len(c) for c in response.iter_raw()))
        after = {p: rss_mb(p, "VmRSS") for p in workers}
        peak = {p: rss_mb(p, "VmHWM") for p in workers}
    finally:
        for proc in (web, upstream):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
    # After the web process stopped (and drained its queue of log entries, if any).
    logged = AccessLogEntry.objects.count() - log_before
    chain = accesslog_verify()

    ratio = through["rps"] / direct["rps"]
    added = fast_through["p95"] - fast_direct["p95"]
    print(f"\n== Gateway benchmark on {connection.vendor}: {WORKERS} uvicorn workers, "
          f"{CLIENTS} clients × {CALLS:,} calls, upstream 200 ms, "
          f"{'one item masked' if MASKED else 'no item masked'}, "
          f"{'answer after the log commit' if LOG_COMMIT == '1' else 'log entry queued'} ==")
    row("", "direct", "gateway", "")
    row("calls / errors", f"{direct['calls']} / {direct['errors']}",
        f"{through['calls']} / {through['errors']}", "target: 0 errors")
    row("throughput (calls/s)", f"{direct['rps']:.0f}", f"{through['rps']:.0f}",
        f"ratio {ratio:.2f}× (target ≥ 0.8×)")
    row("latency p50 / p95 (ms)", f"{direct['p50']:.0f} / {direct['p95']:.0f}",
        f"{through['p50']:.0f} / {through['p95']:.0f}")
    row(f"fast upstream p50/p95, {FAST_CLIENTS} clients",
        f"{fast_direct['p50']:.1f} / {fast_direct['p95']:.1f}",
        f"{fast_through['p50']:.1f} / {fast_through['p95']:.1f}",
        f"added p95 {added:.1f} ms (target ≤ 10 ms)")
    row("fast upstream errors", str(fast_direct["errors"]), str(fast_through["errors"]))
    row("answer statuses", json.dumps(direct["statuses"]), json.dumps(through["statuses"]))
    print(f"  50 MB answers streamed: {[round(s / 1e6, 1) for s in sizes]} MB; worker RSS "
          f"before {sorted(round(v) for v in before.values())} MB, after "
          f"{sorted(round(v) for v in after.values())} MB, peak "
          f"{sorted(round(v) for v in peak.values())} MB")
    print(f"  access log: {logged:,} entries written during the runs; chain verified: "
          f"{chain.ok} ({chain.checked:,} entries)")
    assert direct["errors"] == 0 and through["errors"] == 0 and fast_through["errors"] == 0
    assert chain.ok


def test_gateway_log_path():
    """The access-log path alone: one commit per entry (``accesslog_append``) against the
    gateway's group commit (``logwriter.log_append``) with 10 and 200 concurrent calls."""
    if connection.vendor != "postgresql":
        pytest.skip("the gateway benchmark runs on PostgreSQL (set DATABASE_URL)")
    import asyncio
    import statistics

    from dataplane.services.accesslog import accesslog_append
    from sharing.gateway.logwriter import log_append

    provider, consumer = DepartmentFactory(), DepartmentFactory()
    user = UserFactory(department=consumer, roles=[Role.DATA_ADMIN])
    resource = ResourceFactory(provider=provider, format="service_interface")
    fields = dict(user=user, department=consumer, resource=resource,
                  action=AccessLogEntry.Action.SERVICE, channel=AccessLogEntry.Channel.API,
                  allowed=True, parameters={"operation": "query"}, rows_returned=1,
                  upstream_status=200, latency_ms=1)
    n = int(os.environ.get("BENCH_GW_LOG_ENTRIES", "2000"))
    single = []
    for _ in range(min(n, 300)):
        started = time.perf_counter()
        accesslog_append(**fields)
        single.append((time.perf_counter() - started) * 1000)

    async def grouped(concurrency: int) -> tuple[list[float], float]:
        waits: list[float] = []
        remaining = [n]

        async def client():
            while remaining[0] > 0:
                remaining[0] -= 1
                started = time.perf_counter()
                await log_append(**fields)
                waits.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        await asyncio.gather(*[client() for _ in range(concurrency)])
        return waits, time.perf_counter() - started

    def pct(values: list[float], q: float) -> float:
        values = sorted(values)
        return values[min(len(values) - 1, int(q * len(values)))]

    print(f"\n== Access-log path on {connection.vendor} ==")
    print(f"  one commit per entry: {len(single)} entries, p50 {statistics.median(single):.1f} ms,"
          f" p95 {pct(single, 0.95):.1f} ms")
    for concurrency in (1, 10, 200):
        waits, seconds = asyncio.run(grouped(concurrency))
        print(f"  group commit, {concurrency:>3} concurrent: {len(waits)} entries in {seconds:.2f} s "
              f"({len(waits) / seconds:.0f}/s), wait p50 {statistics.median(waits):.1f} ms, "
              f"p95 {pct(waits, 0.95):.1f} ms")
    assert accesslog_verify().ok

"""S9: SIGKILL of a real Celery worker in the middle of an ingestion. Another worker takes
the upload over within the lease (not after Redis' visibility timeout), finishes it
once — one current version, one notification, one email — and the time from the kill to
the version being current is printed.

The worker processes are real ``celery worker`` subprocesses on the test's own
redis-server and the test's PostgreSQL database; the lease is shortened to 10 s and the
recovery sweep to every 5 s so the test runs in well under a minute (production: 120 s
and 60 s, see docs/dataplane.md).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from django.core.files import File
from django.db import connection

from dataplane.models import DataVersion
from dataplane.services.versions import version_upload
from portal.models import Notification, WorkflowEvent
from tests.dataplane.conftest import ITEMS, provider, provider_admin, resource  # noqa: F401
from tests.integration.conftest import needs_postgres, needs_redis

pytestmark = [pytest.mark.integration, needs_postgres, needs_redis,
              pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
ROWS = int(os.environ.get("PORTAL_TEST_KILL_ROWS", "1500000"))
STALE_SECONDS = int(os.environ.get("PORTAL_TEST_KILL_STALE_SECONDS", "10"))
SWEEP_SECONDS = int(os.environ.get("PORTAL_TEST_KILL_SWEEP_SECONDS", "5"))


def big_csv(path: Path, rows: int) -> None:
    header = ", ".join(f'{expr} AS "{name}"' for expr, (name, *_rest) in zip([
        "'姓名' || (i % 9973)", "lpad(CAST(460100199001010000 + i AS VARCHAR), 18, '0')",
        "CAST(13800000000 + i % 99999999 AS VARCHAR)", "DATE '1970-01-01' + CAST(i % 15000 AS INTEGER)",
        "CAST(i % 100000 AS DECIMAL(12, 2)) + 0.5", "'海南省海口市美兰区人民大道' || (i % 500) || '号'",
    ], ITEMS, strict=True))
    duckdb.sql(f"COPY (SELECT {header} FROM range({rows}) t(i)) TO '{path}' (HEADER)")


def worker_env(tmp_path: Path, redis_url: str, settings) -> dict[str, str]:
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
                     f"/{db['NAME']}",
        REDIS_URL=redis_url, CELERY_TASK_ALWAYS_EAGER="0", PORTAL_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PORTAL_VAR_DIR=str(tmp_path / "var"), PORTAL_DATA_WORK_DIR=str(tmp_path / "work"),
        PORTAL_INGEST_STALE_SECONDS=str(STALE_SECONDS),
        PORTAL_INGEST_RECOVER_SECONDS=str(SWEEP_SECONDS),
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def start_worker(env: dict, log: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=prefork",
         "--concurrency=1", "--loglevel=INFO", "--without-gossip", "--without-mingle",
         *extra], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def poll(read, ready, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = read()
        if ready(value):
            return value
        connection.close()
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{log.read_text()[-3000:]}")


def test_s9_sigkill_mid_ingestion_recovers_within_the_lease_and_finishes_once(
        portal_on_redis, provider_admin, resource, settings, tmp_path):  # noqa: F811
    env = worker_env(tmp_path, portal_on_redis.url(0), settings)
    source = tmp_path / "big.csv"
    big_csv(source, ROWS)
    first_log, second_log = tmp_path / "worker1.log", tmp_path / "worker2.log"
    first = start_worker(env, first_log)
    second = None
    try:
        with source.open("rb") as handle:
            version = version_upload(actor=provider_admin, resource=resource,
                                     upload=File(handle, "big.csv"))
        current = lambda: DataVersion.objects.get(pk=version.pk)  # noqa: E731
        poll(current, lambda v: v.status == "processing" and v.progress >= 20, 120,
             "the first worker to be converting", first_log)
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its pool child, no goodbye
        killed_at = time.monotonic()
        first.wait(timeout=10)
        assert current().status == "processing"  # what the issue saw: stuck

        second = start_worker(env, second_log, "--beat",
                              f"--schedule={tmp_path / 'beat-schedule'}")
        poll(current, lambda v: v.attempts == 2, 120, "the takeover", second_log)
        taken_over = time.monotonic() - killed_at
        done = poll(current, lambda v: v.status not in ("pending", "processing"), 300,
                    "the version to finish", second_log)
        recovered = time.monotonic() - killed_at
        note = poll(lambda: Notification.objects.get(key=f"dataversion:{version.pk}:done"),
                    lambda n: n.email_status == "sent", 60, "the email", second_log)
    finally:
        stop(first)
        if second is not None:
            stop(second)

    print(f"\nworker SIGKILL at {ROWS} rows: taken over after {taken_over:.1f} s, "
          f"version current {recovered:.1f} s after the kill "
          f"(lease {STALE_SECONDS} s, sweep every {SWEEP_SECONDS} s)")
    assert done.status == "current" and done.row_count == ROWS, done.report
    assert DataVersion.objects.filter(resource=resource, status="current").count() == 1
    assert Notification.objects.filter(key__startswith=f"dataversion:{version.pk}:").count() == 1
    assert note.email_attempts == 1 and "Message-ID" in second_log.read_text()
    actions = list(WorkflowEvent.objects.filter(target_id=str(version.pk),
                                                target_type__model="dataversion")
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["start", "restart", "activate"]
    assert not list((tmp_path / "work").glob(f"version-{version.pk}-*"))  # scratch cleaned
    # Recovered by the lease sweep, not by Redis' visibility timeout (1800 s).
    assert f"Data versions [{version.pk}] were left unfinished" in second_log.read_text()

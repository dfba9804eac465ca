"""Liveness and readiness for load balancers and orchestrators.

``/healthz`` answers 200 while the process can serve a request at all; it touches nothing.
``/readyz`` runs the readiness checks and answers ``{"status", "checks": {name: {...}}}``:
200 when every check is ``ok`` or ``degraded`` (the node serves, with a fallback in use —
e.g. the cache on local memory while Redis is away, work waiting in the outbox while the
broker is away), 503 when one ``fail``\\ s (no database, migrations not applied).

Both are answered by ``HealthCheckMiddleware`` at the top of the middleware stack, before
host validation, the HTTPS redirect, sessions and sign-in, so a probe over plain HTTP to
the node's address gets a straight answer. Details name the kind of failure, never hosts
or credentials; the full error goes to the log.

A check is a function returning a ``Check``; add one with ``@readiness_check("name")``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.core.cache import caches
from django.db import connections
from django.http import JsonResponse

from .conf import portal_setting

logger = logging.getLogger(__name__)

OK, DEGRADED, FAIL = "ok", "degraded", "fail"
_RANK = {OK: 0, DEGRADED: 1, FAIL: 2}


@dataclass
class Check:
    status: str
    detail: str = ""
    data: dict = field(default_factory=dict)


CHECKS: list[tuple[str, Callable[[], Check]]] = []


def readiness_check(name: str):
    """Register ``fn() -> Check`` as a readiness check named ``name``."""
    def register(fn: Callable[[], Check]) -> Callable[[], Check]:
        CHECKS.append((name, fn))
        return fn
    return register


def _failure(exc: Exception) -> str:
    return type(exc).__name__


@readiness_check("database")
def database() -> Check:
    """The primary must answer; a replica that does not only degrades (reads fall back)."""
    down = []
    for alias in ["default", *portal_setting("REPLICA_ALIASES")]:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as exc:  # noqa: BLE001 - any failure is the answer
            logger.warning("Readiness: database %s unreachable: %s", alias, exc)
            if alias == "default":
                return Check(FAIL, f"primary unreachable ({_failure(exc)})")
            down.append(alias)
    if down:
        return Check(DEGRADED, "replicas unreachable, reading from the primary",
                     {"unreachable": down})
    return Check(OK)


_migrations_ok_until = 0.0


@readiness_check("migrations")
def migrations() -> Check:
    """Every migration is applied (checked at most once a minute once it holds)."""
    global _migrations_ok_until
    if _migrations_ok_until > time.monotonic():
        return Check(OK)
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections["default"])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        return Check(FAIL, "migrations not applied",
                     {"pending": [f"{m.app_label}.{m.name}" for m, _backwards in plan][:20]})
    _migrations_ok_until = time.monotonic() + 60
    return Check(OK)


@readiness_check("cache")
def cache_check() -> Check:
    from portal.cache import ResilientRedisCache

    cache = caches["default"]
    if not isinstance(cache, ResilientRedisCache):
        return Check(OK, "local memory")
    try:
        cache.ping()
    except Exception as exc:  # noqa: BLE001
        logger.warning("Readiness: cache unreachable: %s", exc)
        return Check(DEGRADED, "Redis unreachable: caching and throttling fall back to "
                               "local memory per process")
    if cache.degraded:
        return Check(DEGRADED, "Redis back; leaving the local-memory fallback shortly")
    return Check(OK)


@readiness_check("broker")
def broker_check() -> Check:
    from portal.celery import app

    if app.conf.task_always_eager:
        return Check(OK, "tasks run in the web process")
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as exc:  # noqa: BLE001
        logger.warning("Readiness: broker unreachable: %s", exc)
        return Check(DEGRADED, "broker unreachable: queued work waits in the outbox")
    return Check(OK)


@readiness_check("store")
def store_check() -> Check:
    """The file store answers: the S3 bucket (``PORTAL_STORAGE_URL``) or the media folder.
    Without it no document can be read and no data version queried."""
    from django.core.files.storage import default_storage

    try:
        default_storage.exists("readyz-probe")  # a HEAD request on S3, a stat on disk
    except Exception as exc:  # noqa: BLE001
        logger.warning("Readiness: file store unreachable: %s", exc)
        return Check(FAIL, f"file store unreachable ({_failure(exc)})")
    return Check(OK)


@readiness_check("outbox")
def outbox_check() -> Check:
    """Work and emails waiting; degraded when the oldest has waited over ten minutes."""
    from django.db.models import Min
    from django.utils import timezone

    from portal.models import OutboxTask
    from portal.services.outbox import outbox_backlog

    tasks = OutboxTask.objects.aggregate(oldest=Min("created_at"))
    task_age = int((timezone.now() - tasks["oldest"]).total_seconds()) if tasks["oldest"] else 0
    emails = outbox_backlog()
    data = {"tasks": OutboxTask.objects.count(), "tasks_oldest_seconds": task_age,
            "emails": emails["due"], "emails_oldest_seconds": emails["oldest_seconds"]}
    if max(task_age, emails["oldest_seconds"]) > 600:
        return Check(DEGRADED, "outbox not draining", data)
    return Check(OK, "", data)


def readiness() -> tuple[str, dict[str, dict]]:
    results: dict[str, dict] = {}
    overall = OK
    for name, fn in CHECKS:
        try:
            result = fn()
        except Exception as exc:  # noqa: BLE001 - a broken check is a failed check
            logger.exception("Readiness check %s raised", name)
            result = Check(FAIL, f"check raised {_failure(exc)}")
        results[name] = {k: v for k, v in asdict(result).items() if v or k == "status"}
        if _RANK[result.status] > _RANK[overall]:
            overall = result.status
    return overall, results


def healthz(request) -> JsonResponse:
    return JsonResponse({"status": OK})


def readyz(request) -> JsonResponse:
    status, checks = readiness()
    response = JsonResponse({"status": status, "checks": checks},
                            status=503 if status == FAIL else 200)
    response["Cache-Control"] = "no-store"
    return response


PATHS = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    """Answer the probes before anything else in the stack runs (see the module doc)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = PATHS.get(request.path_info.rstrip("/") or "/")
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)


"""Prometheus metrics (``/metrics``).

Requests, latencies per route (``django_http_requests_latency_seconds_by_view_method``)
and database and cache calls come from django-prometheus's middleware and backends. The
portal adds:

* ``portal_celery_queue_depth{queue}`` — messages waiting in each Celery queue, read from
  the broker at scrape time (so every web node reports the same, true figure);
* ``portal_ingested_rows_total`` / ``portal_ingested_bytes_total`` /
  ``portal_ingested_versions_total`` and ``portal_ingestion_backlog{status}`` — data
  versions processed, read from the database, whichever worker did the work
  (``rate(portal_ingested_rows_total[5m])`` is the ingestion throughput; the data plane
  registers this collector, ``dataplane/metrics.py``);
* ``portal_data_access_total{action,channel,outcome}`` — online queries (the gateway),
  downloads and previews, counted where each is written to the access log.

With several gunicorn workers set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory
shared by the workers of one node: the counters of all workers are then summed.

The endpoint answers a request with ``Authorization: Bearer <PORTAL_METRICS_TOKEN>``, or
any request from a loopback address when no token is configured.
"""

import hmac
import ipaddress
import logging
import os

from django.db import transaction
from django.http import HttpResponse, HttpResponseNotFound
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from .conf import portal_setting

logger = logging.getLogger(__name__)

DATA_ACCESS = Counter("portal_data_access", "Online queries, downloads and previews of shared "
                      "data, by outcome", ["action", "channel", "outcome"])


def data_access_count(*, action: str, channel: str, allowed: bool) -> None:
    """Count one access-log entry once its transaction commits."""
    labels = {"action": action, "channel": channel, "outcome": "allowed" if allowed else "denied"}
    transaction.on_commit(lambda: DATA_ACCESS.labels(**labels).inc())


class QueueDepthCollector:
    """Messages waiting in the broker, per queue the workers consume."""

    def collect(self):
        from portal.celery import app

        family = GaugeMetricFamily("portal_celery_queue_depth",
                                   "Messages waiting in the Celery queue", labels=["queue"])
        names = {app.conf.task_default_queue} | {q.name for q in app.conf.task_queues or ()}
        try:
            with app.connection_for_read() as conn:
                channel = conn.default_channel
                for name in sorted(names):
                    depth = channel.queue_declare(queue=name, passive=True).message_count
                    family.add_metric([name], depth)
        except Exception:  # an unreachable broker must not break the scrape
            logger.warning("metrics: the broker is unreachable", exc_info=True)
            return
        yield family


_COLLECTORS: list = [QueueDepthCollector()]


def metrics_collector_register(collector) -> None:
    """Add an app's collector to every scrape (called from its ``AppConfig.ready``)."""
    _COLLECTORS.append(collector)



def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Forward(REGISTRY))
    for collector in _COLLECTORS:
        registry.register(collector)
    return registry


class _Forward:
    """The process's default registry as one collector of a per-scrape registry."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()


def _allowed(request) -> bool:
    token = portal_setting("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def metrics_view(request):
    if not _allowed(request):
        return HttpResponseNotFound()
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)

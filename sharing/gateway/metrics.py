"""Prometheus metrics of gateway calls served by the lean ASGI entry.

Those calls bypass Django's middleware, so django-prometheus's middleware never sees
them; ``call_observe`` counts each in the same django-prometheus families (view
``gateway:call``: requests, latency, responses by status) — dashboards of the portal's
requests include the gateway — and in the gateway's own
``portal_gateway_calls_total{resource,status}`` and
``portal_gateway_call_seconds{resource}`` (per service).
"""

from django_prometheus.middleware import Metrics
from prometheus_client import Counter, Histogram

VIEW = "gateway:call"

CALLS = Counter("portal_gateway_calls", "Gateway calls by service (resource code) and status",
                ["resource", "status"])
SECONDS = Histogram("portal_gateway_call_seconds", "Gateway call duration by service",
                    ["resource"], buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))


def call_observe(*, method: str, resource: str, status: int, seconds: float) -> None:
    metrics = Metrics.get_instance()
    metrics.requests_total.inc()
    metrics.responses_total.inc()
    metrics.requests_latency_before.observe(seconds)
    metrics.requests_by_method.labels(method).inc()
    metrics.requests_by_transport.labels("http").inc()
    metrics.requests_by_view_transport_method.labels(VIEW, "http", method).inc()
    metrics.requests_latency_by_view_method.labels(view=VIEW, method=method).observe(seconds)
    metrics.responses_by_status.labels(str(status)).inc()
    metrics.responses_by_status_view_method.labels(str(status), VIEW, method).inc()
    CALLS.labels(resource, str(status)).inc()
    SECONDS.labels(resource).observe(seconds)

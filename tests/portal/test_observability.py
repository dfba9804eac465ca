"""Metrics and logs for operating several nodes: Prometheus metrics on ``/metrics``,
JSON-line logs carrying the request id."""

import io
import json
import logging
import re

import pytest
from django.test import Client

from catalog.models import Resource
from dataplane.services.accesslog import accesslog_append
from tests.catalog.factories import make_resource

pytestmark = pytest.mark.django_db


def scrape(client: Client, **extra) -> str:
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", **extra)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def sample(body: str, name: str, **labels) -> float:
    """The value of one sample of the exposition text (0 when absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in body.splitlines():
        match = re.match(r"^([a-zA-Z_:]+)(?:\{(.*)\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        have = ",".join(sorted(p for p in (match.group(2) or "").split(",") if p))
        if have == want:
            return float(match.group(3))
    return 0.0


def test_metrics_count_requests_per_route_and_ingestion(client):
    client.get("/open/")
    client.get("/open/")
    body = scrape(client)
    assert sample(body, "django_http_requests_latency_seconds_by_view_method_count",
                  view="opendata:home", method="GET") >= 2
    assert sample(body, "django_http_requests_latency_seconds_by_view_method_bucket",
                  view="opendata:home", method="GET", le="+Inf") >= 2
    assert "portal_ingested_rows_total" in body
    assert sample(body, "portal_ingestion_backlog", status="pending") == 0


def test_metrics_are_closed_to_others_and_open_with_the_token(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    settings.PORTAL = {**settings.PORTAL, "METRICS_TOKEN": "s3cret-metrics-token"}
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9",
                      HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    ok = client.get("/metrics", REMOTE_ADDR="203.0.113.9",
                    HTTP_AUTHORIZATION="Bearer s3cret-metrics-token")
    assert ok.status_code == 200 and b"django_http_requests_total" in ok.content


def test_gateway_queries_and_refusals_are_counted_once_committed(
        client, department, make_user, django_capture_on_commit_callbacks):
    user = make_user(department=department)
    resource = make_resource(department, status=Resource.Status.REGISTERED)
    labels = {"action": "query", "channel": "api"}
    before = scrape(client)
    with django_capture_on_commit_callbacks(execute=True):
        for allowed in (True, True, False):
            accesslog_append(user=user, department=department, resource=resource,
                             action="query", channel="api", allowed=allowed)
    after = scrape(client)
    for outcome, added in (("allowed", 2), ("denied", 1)):
        assert sample(after, "portal_data_access_total", **labels, outcome=outcome) == \
            sample(before, "portal_data_access_total", **labels, outcome=outcome) + added


def test_log_lines_are_json_with_the_request_id(client):
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        response = client.get("/open/no-such-page/", HTTP_X_REQUEST_ID="edge-4f1c2a9b")
        generated = client.get("/open/also-missing/")
    finally:
        handler.setStream(previous)
    lines = [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
    assert response["X-Request-ID"] == "edge-4f1c2a9b"
    mine = [line for line in lines if line.get("request_id") == "edge-4f1c2a9b"]
    assert mine and mine[0]["level"] == "WARNING" and mine[0]["logger"] == "django.request"
    assert "/open/no-such-page/" in mine[0]["message"]
    new_id = generated["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", new_id)
    assert any(line.get("request_id") == new_id for line in lines)

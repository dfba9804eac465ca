"""Gateway calls against a real upstream HTTP server (S5, S9, S10): the decision, the
projection to granted items, masking, parameter forwarding, error mapping, streaming and
the access log."""

import json

import pytest

from dataplane.models import AccessLogEntry
from dataplane.services.accesslog import accesslog_verify
from sharing.models import DataService
from tests.upstream import STATE

from .conftest import make_service


def entries():
    return list(AccessLogEntry.objects.filter(action=AccessLogEntry.Action.SERVICE)
                .order_by("seq"))


def test_s9_call_returns_granted_items_masked_and_forwards_only_declared(
        resource, service, token, call):
    response = call(resource.code, key=token, sfzh="460100199001011234", leak="1",
                    purpose="")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    assert body["columns"] == ["姓名", "身份证号码", "年收入"]
    assert body["masked"] == ["身份证号码"]
    assert body["results"] == [{"姓名": "张三", "身份证号码": "460100********1234",
                                "年收入": 52000.5}]
    # Only the declared parameter went upstream, with the decrypted credential.
    assert STATE["last_query"] == {"sfzh": "460100199001011234"}
    assert STATE["last_headers"]["x-api-key"] == "s3cr3t-upstream-key"
    (entry,) = entries()
    assert entry.allowed and entry.channel == "api" and entry.rows_returned == 1
    assert entry.upstream_status == 200 and entry.latency_ms is not None
    assert entry.parameters == {"operation": "query", "sfzh": "460100199001011234"}
    assert entry.items == ["姓名", "身份证号码", "年收入"] and entry.masked_items == ["身份证号码"]
    assert entry.grant_id is not None and entry.purpose
    assert accesslog_verify().ok


def test_s9_filter_on_ungranted_item_is_refused_and_logged(resource, service, token, call):
    """手机号码 is not granted; 年收入 is, but the operation's nsr filter is allowed."""
    service.operations.update(params=[{"name": "sjhm", "in": "query",
                                       "item": resource.items.get(name="手机号码").pk}])
    response = call(resource.code, key=token, sjhm="13812345678")
    assert response.status_code == 403
    assert "手机号码" in response.json()["detail"]
    assert STATE["last_query"] == {}  # nothing reached the upstream
    (entry,) = entries()
    assert not entry.allowed and "手机号码" in entry.reason


def test_p2_token_required_and_unknown_services_are_404(resource, service, token, call, upstream):
    assert call(resource.code).status_code == 401
    bad = call(resource.code, key="not-a-token")
    assert bad.status_code == 401 and bad.json()["detail"] == "令牌无效。"
    assert call(resource.code, operation="nope", key=token).status_code == 404
    assert call("3-NO-SUCH", key=token).status_code == 404
    DataService.objects.filter(pk=service.pk).update(status=DataService.Status.SUBMITTED)
    assert call(resource.code, key=token).status_code == 404
    assert entries() == []


@pytest.mark.parametrize("mode,status,code", [
    ("slow", 504, "upstream_timeout"),
    ("failing", 502, "upstream_error"),
    ("nonjson", 502, "upstream_not_json"),
    ("oversize", 502, "upstream_oversize"),
    ("chunked", 502, "upstream_oversize"),
])
def test_s9_upstream_faults_map_to_gateway_errors(resource, token, call, upstream, mode, status,
                                                 code):
    # Only the slow mode relies on the timeout; the others get room on a loaded machine.
    make_service(resource, upstream.url(mode), timeout_ms=500 if mode == "slow" else 10_000,
                 max_answer_bytes=64 * 1024)
    response = call(resource.code, key=token)
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code and body["detail"]
    # The upstream's own error body (which holds raw records) never passes through.
    assert "460100199001011234" not in response.content.decode()
    assert "数据库异常" not in response.content.decode()
    (entry,) = entries()
    assert entry.allowed and entry.rows_returned == 0 and entry.reason == body["detail"]
    assert entry.upstream_status == (None if mode == "slow" else (500 if mode == "failing"
                                                                    else 200))


def test_s9_unreachable_upstream_is_502(resource, token, call):
    from tests.upstream import free_port

    make_service(resource, f"http://127.0.0.1:{free_port()}/normal")
    response = call(resource.code, key=token)
    assert response.status_code == 502 and response.json()["code"] == "upstream_unreachable"


def test_s9_large_answers_stream_in_batches(resource, token, asgi_call, call, upstream,
                                           settings):
    """Above BUFFER_BYTES the answer is parsed and masked as it arrives (production's
    ASGI entry); the WSGI face answers the same body."""
    settings.SHARING_GATEWAY = {**settings.SHARING_GATEWAY, "BUFFER_BYTES": 16 * 1024,
                                "STREAM_BATCH": 500}
    service = make_service(resource, upstream.url("big/5000"), max_answer_bytes=10 * 1024**2)
    response = asgi_call(resource.code, key=token)
    assert response.status_code == 200 and "content-length" not in response.headers
    body = response.json()
    assert body["count"] == len(body["results"]) == 5000
    assert json.loads(b"".join(call(resource.code, key=token).streaming_content)) == body
    assert body["results"][7] == {"姓名": "姓名0000007", "身份证号码": "460100********0007",
                                  "年收入": 50007.0}
    entry = entries()[0]
    assert entry.rows_returned == 5000 and entry.upstream_status == 200
    # A stream that outgrows the limit ends without its closing bracket, logged.
    service.max_answer_bytes = 100 * 1024
    service.save()
    response = asgi_call(resource.code, key=token)
    with pytest.raises(ValueError):
        json.loads(response.content)
    last = entries()[-1]
    assert "上限" in last.reason and last.rows_returned < 5000
    assert accesslog_verify().ok


def test_s13_asgi_calls_carry_a_request_id_and_are_counted_in_metrics(
        resource, token, asgi_call, upstream, caplog):
    """Calls served by the lean ASGI entry bypass Django's middleware: they still answer
    with a request id (taken from X-Request-ID), log with it, and count in the
    django-prometheus families and the gateway's own per-service metrics."""
    import logging

    from prometheus_client import REGISTRY

    from portal.logs import RequestIdFilter

    def sample(name, **labels):
        return REGISTRY.get_sample_value(name, labels) or 0

    make_service(resource, upstream.url("failing"))
    before = (sample("portal_gateway_calls_total", resource=resource.code, status="502"),
              sample("django_http_responses_total_by_status_view_method_total",
                     status="502", view="gateway:call", method="GET"),
              sample("portal_gateway_call_seconds_count", resource=resource.code))
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="sharing.gateway.calls"):
        response = asgi_call(resource.code, key=token, headers={"X-Request-ID": "trace-0001abc"})
    assert response.status_code == 502
    assert response.headers["x-request-id"] == "trace-0001abc"
    (record,) = [r for r in caplog.records if r.name == "sharing.gateway.calls"]
    assert record.request_id == "trace-0001abc" and resource.code in record.getMessage()
    after = (sample("portal_gateway_calls_total", resource=resource.code, status="502"),
             sample("django_http_responses_total_by_status_view_method_total",
                    status="502", view="gateway:call", method="GET"),
             sample("portal_gateway_call_seconds_count", resource=resource.code))
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1]
    # Without a usable id one is made.
    fresh = asgi_call(resource.code, key=token, headers={"X-Request-ID": "bad id!"})
    assert len(fresh.headers["x-request-id"]) == 32

"""Error answers in Chinese (pages) and JSON (API), liveness and readiness probes, and
password messages in Chinese (P5: no English message on a Chinese page)."""

import re

import pytest
from django.test import Client
from django.urls import path

from portal import health
from portal.models import Role

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("api/v1/boom/", _boom), path("boom/", _boom)]
from portal.urls import handler400, handler403, handler404, handler500  # noqa: E402,F401
from portal.urls import urlpatterns as _portal  # noqa: E402

urlpatterns += _portal


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = __name__


def test_500_page_is_chinese_and_self_contained(failing_urls):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器内部错误" in page and "Server Error" not in page
    assert "<link" not in page and "<script" not in page  # renders with nothing else up


def test_api_500_is_json(failing_urls):
    response = Client(raise_request_exception=False).get("/api/v1/boom/")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "服务器内部错误，已记录，请稍后重试。",
                               "code": "server_error"}


def test_404_is_a_chinese_page_or_json(client):
    page = client.get("/no/such/page/")
    assert page.status_code == 404 and "页面不存在" in page.content.decode()
    assert "Not Found" not in page.content.decode()
    api = client.get("/api/v1/no-such-route/")
    assert api.status_code == 404 and api.json()["code"] == "not_found"
    ckan = client.get("/api/3/nothing-here")
    assert ckan.status_code == 404 and ckan.json()["success"] is False
    unknown_action = client.get("/api/action/nothing-here")  # CKAN answers 400 here
    assert unknown_action.status_code == 400 and unknown_action.json()["success"] is False


def test_p5_a_form_sent_without_its_csrf_token_gets_a_chinese_page():
    """A page left open past its session and then submitted: a Chinese explanation, not
    Django's English "CSRF verification failed" page."""
    browser = Client(enforce_csrf_checks=True)
    page = browser.post("/accounts/login/", {"username": "x", "password": "y"})
    assert page.status_code == 403
    text = page.content.decode()
    assert "页面已过期" in text and "CSRF" not in text


def test_oversized_json_body_is_a_413_json_answer(client, make_user, department):
    client.force_login(make_user(department=department, roles=[Role.CLERK]))
    body = b'{"name": "' + b"x" * (11 * 1024 * 1024) + b'"}'
    for url in ("/api/v1/opendata/requests/", "/api/v1/catalog/resources/"):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 413, url
        assert response.json()["code"] == "too_large" and "MB" in response.json()["detail"]


def test_healthz_answers_without_touching_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_reports_each_check(client):
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert set(body["checks"]) >= {"database", "migrations", "cache", "broker", "store", "outbox"}
    assert all(c["status"] == "ok" for c in body["checks"].values())


def test_probes_pass_host_check_and_https_redirect(settings):
    """A load balancer probes the node's address over plain HTTP."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["portal.example.gov.cn"]
    client = Client(HTTP_HOST="10.20.30.40:8001")
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/open/").status_code == 400  # everything else keeps both rules


def test_readyz_is_503_when_a_check_fails_and_200_when_degraded(client, monkeypatch):
    checks = list(health.CHECKS)
    monkeypatch.setattr(health, "CHECKS", [
        *checks, ("extra", lambda: health.Check(health.DEGRADED, "fallback in use"))])
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["status"] == "degraded"
    assert response.json()["checks"]["extra"] == {"status": "degraded",
                                                  "detail": "fallback in use"}

    def broken():
        raise RuntimeError("secret host db.internal:5432")

    monkeypatch.setattr(health, "CHECKS", [*checks, ("extra", broken)])
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["status"] == "fail"
    assert "db.internal" not in response.content.decode()  # details name the kind only


def test_p5_signup_password_messages_are_chinese(client):
    response = client.post("/open/signup/", {
        "username": "zhangsan1", "email": "z@example.com", "password1": "abc",
        "password2": "abc", "agree": "on"})
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    assert "密码太短，至少需要 12 个字符。" in text
    assert "This password" not in text and "too short" not in text
    response = client.post("/open/signup/", {
        "username": "lisi12345", "email": "l@example.com", "password1": "20240101202401",
        "password2": "20240101202401", "agree": "on"})
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    assert "密码不能全是数字。" in text and "numeric" not in text


@pytest.mark.parametrize("body", ["false", "-4.8e16", "[1, 2]", '"text"', "null"])
def test_a_json_body_that_is_not_an_object_is_a_400(client, make_user, department, body):
    """A workflow action reading ``request.data.get`` gets an object or never runs."""
    client.force_login(make_user(department=department, roles=[Role.CLERK]))
    response = client.post("/api/v1/opendata/requests/", body, content_type="application/json")
    assert response.status_code == 400 and "JSON 对象" in response.json()["detail"]


def test_every_operation_documents_its_error_answers(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for route, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404", "429"} <= codes, (method, route)
            if method != "get" or route.startswith("/api/3/"):
                assert "409" in codes, (method, route)
    assert schema["components"]["schemas"]["Error"]["properties"]["detail"]["type"] == "string"

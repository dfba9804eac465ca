"""The gateway's rules: the grant matrix (S5, S6), one masking definition for both paths
(S9 item 4), rate limits and the circuit breaker, plan-cache invalidation, credentials at
rest (P2)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dataplane.models import AccessLogEntry, MaskingRule
from dataplane.services.accesslog import accesslog_verify
from dataplane.services.tokens import system_token_issue
from portal.secrets import secret_decrypt, secret_encrypt, secret_rotate
from sharing.gateway import limits, plans
from sharing.models import DataService, Filing
from sharing.services.grants import grant_revoke
from tests.sharing.factories import grant_for
from tests.upstream import STATE

from .conftest import RECORDS, item, make_service


def _token(actor, grants, rate=1000):
    return system_token_issue(actor=actor, name="系统", grants=grants, rate_per_minute=rate,
                              expires_at=timezone.now() + timedelta(days=5))[1]


@pytest.mark.parametrize("state", ["active", "revoked", "expired", "pending", "unfiled"])
@pytest.mark.parametrize("masked", [False, True])
def test_s5_grant_state_items_masking_matrix(resource, service, consumer_admin, provider_admin,
                                             call, state, masked):
    MaskingRule.objects.create(item=item(resource, "手机号码"), kind="mobile")
    today = timezone.localdate()
    start = today + timedelta(days=3) if state == "pending" else today
    grant = grant_for(consumer_admin.department, resource, actor=provider_admin,
                      items=[item(resource, n) for n in ("姓名", "手机号码")],
                      masked=[item(resource, "手机号码")] if masked else [],
                      start=start, days=10)
    key = _token(consumer_admin, [grant])
    if state == "expired":   # ended yesterday; the nightly sweep has not run yet
        type(grant).objects.filter(pk=grant.pk).update(valid_from=today - timedelta(days=30),
                                                       valid_until=today - timedelta(days=1))
    if state == "revoked":
        grant_revoke(actor=provider_admin, grant=grant, reason="停止使用")
    if state == "unfiled":
        Filing.objects.filter(department=consumer_admin.department).update(
            status=Filing.Status.REVOKED)
    response = call(resource.code, key=key)
    if state != "active":
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        expected = {"revoked": "撤销", "expired": "到期", "pending": "生效", "unfiled": "未备案"}
        assert expected[state] in response.json()["detail"]
        assert STATE["last_query"] == {}
        entry = AccessLogEntry.objects.get(action="service")
        assert not entry.allowed and entry.rows_returned == 0
        return
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [set(r) for r in rows] == [{"姓名", "手机号码"}] * 2   # only granted items
    phones = [r["手机号码"] for r in rows]
    assert phones == (["138****5678", "139****5432"] if masked else ["13812345678", "13998765432"])


def test_s9_same_masking_definition_on_both_paths(resource, service, consumer_admin,
                                                 provider_admin, call, client, upload_rows):
    """The same values through the data plane (Parquet) and the gateway (JSON) mask alike."""
    kinds = {"姓名": ("name", {}), "身份证号码": ("hash", {"length": 24}),
             "手机号码": ("mobile", {}), "出生日期": ("date_generalize", {"granularity": "year"}),
             "年收入": ("number_generalize", {"step": 1000}), "住址": ("address", {})}
    for name, (kind, params) in kinds.items():
        MaskingRule.objects.create(item=item(resource, name), kind=kind, params=params)
    upload_rows(RECORDS)
    everything = list(resource.items.all())
    grant = grant_for(consumer_admin.department, resource, actor=provider_admin,
                      items=everything, masked=everything)
    key = _token(consumer_admin, [grant])
    plane = client.get(f"/api/v1/sharing/resources/{resource.code}/rows/",
                       HTTP_AUTHORIZATION=f"Token {key}")
    assert plane.status_code == 200, plane.content
    gateway = call(resource.code, key=key)
    assert gateway.status_code == 200
    plane_rows = plane.json()["results"]
    gateway_rows = gateway.json()["results"]
    assert len(plane_rows) == len(gateway_rows) == 2
    for a, b in zip(plane_rows, gateway_rows, strict=True):
        assert {k: a[k] for k in kinds} == {k: b[k] for k in kinds}
    assert gateway_rows[0]["手机号码"] == "138****5678" and gateway_rows[0]["出生日期"] == "1990"
    assert gateway_rows[0]["年收入"] == "52000~53000" and len(gateway_rows[0]["身份证号码"]) == 24


def test_s9_token_and_grant_rate_limits_answer_429(resource, service, consumer_admin, granted,
                                                  call, settings):
    key = _token(consumer_admin, [granted], rate=2)
    assert [call(resource.code, key=key).status_code for _ in range(3)] == [200, 200, 429]
    throttled = call(resource.code, key=key)
    assert throttled.status_code == 429
    assert 1 <= int(throttled["Retry-After"]) <= 60 and "秒后重试" in throttled.json()["detail"]
    # The grant's own limit counts the attempts through all its tokens (4 so far).
    settings.SHARING_GATEWAY = {**settings.SHARING_GATEWAY, "GRANT_RATE_PER_MINUTE": 6}
    plans.plans_forget()
    other = _token(consumer_admin, [granted], rate=100)
    statuses = [call(resource.code, key=other).status_code for _ in range(4)]
    assert statuses == [200, 200, 429, 429]


def test_s9_circuit_breaker_opens_answers_503_and_probes(resource, token, call, upstream,
                                                        settings):
    settings.SHARING_GATEWAY = {**settings.SHARING_GATEWAY, "BREAKER_FAILURES": 3,
                                "BREAKER_OPEN_SECONDS": 0.5}
    make_service(resource, upstream.url("switch"))
    STATE["switch"] = "fail"
    assert [call(resource.code, key=token).status_code for _ in range(3)] == [502] * 3
    hits = STATE["hits"]
    refused = call(resource.code, key=token)
    assert refused.status_code == 503 and "暂时不可用" in refused.json()["detail"]
    assert STATE["hits"] == hits          # answered at once, the upstream was not called
    STATE["switch"] = "ok"
    import time

    time.sleep(0.6)
    assert call(resource.code, key=token).status_code == 200   # the probe closes it
    assert call(resource.code, key=token).status_code == 200
    log = list(AccessLogEntry.objects.filter(action="service").order_by("seq"))
    assert len(log) == 6 and "暂时不可用" in log[3].reason
    assert accesslog_verify().ok


def test_s5_revocation_reaches_cached_plans_at_once(resource, service, token, granted, call,
                                                    provider_admin, settings,
                                                    django_capture_on_commit_callbacks):
    settings.SHARING_GATEWAY = {**settings.SHARING_GATEWAY, "PLAN_TTL_SECONDS": 300}
    assert call(resource.code, key=token).status_code == 200
    assert call(resource.code, key=token).status_code == 200   # from the cache
    with django_capture_on_commit_callbacks(execute=True):
        grant_revoke(actor=provider_admin, grant=granted, reason="停止使用")
    assert call(resource.code, key=token).status_code == 403


def test_p2_credentials_encrypted_at_rest_and_rotated(settings):
    from cryptography.fernet import Fernet, InvalidToken

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PORTAL = {**settings.PORTAL, "SECRET_KEYS": [old]}
    stored = secret_encrypt("app-secret-1")
    assert "app-secret-1" not in stored
    settings.PORTAL = {**settings.PORTAL, "SECRET_KEYS": [new, old]}
    assert secret_decrypt(stored) == "app-secret-1"           # old key still opens it
    rotated = secret_rotate(stored)
    settings.PORTAL = {**settings.PORTAL, "SECRET_KEYS": [new]}
    assert secret_decrypt(rotated) == "app-secret-1"
    with pytest.raises(InvalidToken):
        secret_decrypt(stored)


def test_s9_breaker_state_is_per_service(resource, service, token, call, settings):
    settings.SHARING_GATEWAY = {**settings.SHARING_GATEWAY, "BREAKER_FAILURES": 1}
    from asgiref.sync import async_to_sync

    other = DataService(pk=service.pk + 1000)
    async_to_sync(limits.breaker_record)(other.pk, ok=False)
    assert call(resource.code, key=token).status_code == 200

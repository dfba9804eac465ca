"""System tokens (系统对接, S9 item 7): per-department tokens scoped to grants, with expiry,
revocation (401 at once) and throttling per token."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from catalog.models import Resource, SharingType
from dataplane.models import AccessLogEntry
from dataplane.services.tokens import system_token_issue, system_token_revoke
from portal.errors import NotPermitted, ValidationFailed
from portal.models import ApiToken, Role
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle_buckets():
    cache.clear()
    yield
    cache.clear()


def issue(actor, grants=(), **kwargs):
    kwargs.setdefault("expires_at", timezone.now() + timedelta(days=30))
    return system_token_issue(actor=actor, name="不动产登记系统", grants=grants, **kwargs)


def rows(api, resource, key):
    return api(token=key).get(f"/api/v1/sharing/resources/{resource.code}/rows/")


def test_system_token_reads_through_its_grant_and_is_logged(loaded, granted, consumer_admin,
                                                           api, resource):
    token, key = issue(consumer_admin, [granted])
    assert token.kind == ApiToken.Kind.SYSTEM and token.department == consumer_admin.department
    assert token.key_hash != key and len(key) > 30  # only the hash is kept
    response = rows(api, resource, key)
    assert response.status_code == 200 and response.json()["columns"] == ["姓名", "身份证号码",
                                                                          "年收入"]
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert (entry.token, entry.grant, entry.department) == (token, granted,
                                                            consumer_admin.department)
    download = api(token=key).get(f"/api/v1/sharing/resources/{resource.code}/download/",
                                  {"format": "json"})
    assert download.status_code == 200


def test_revoked_token_is_401_s9(loaded, granted, consumer_admin, api, resource):
    """Revoked (or expired) tokens are refused with 401 on the data routes."""
    token, key = issue(consumer_admin, [granted])
    assert rows(api, resource, key).status_code == 200
    system_token_revoke(actor=consumer_admin, token=token)
    response = rows(api, resource, key)
    assert response.status_code == 401 and "撤销" in response.json()["detail"]
    download = api(token=key).get(f"/api/v1/sharing/resources/{resource.code}/download/")
    assert download.status_code == 401


def test_expired_token_is_401(loaded, granted, consumer_admin, api, resource):
    token, key = issue(consumer_admin, [granted])
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = rows(api, resource, key)
    assert response.status_code == 401 and "过期" in response.json()["detail"]


def test_scope_limits_what_a_token_reads(loaded, granted, consumer_admin, api, resource):
    _token, key = issue(consumer_admin, [])  # a token without the grant
    response = rows(api, resource, key)
    assert response.status_code == 403 and "使用范围" in response.json()["detail"]
    Resource.objects.filter(pk=resource.pk).update(sharing_type=SharingType.UNCONDITIONAL)
    assert rows(api, resource, key).status_code == 403  # no access without a grant either
    _token, open_key = issue(consumer_admin, [], allow_without_grant=True)
    assert rows(api, resource, open_key).status_code == 200


def test_throttling_per_token(loaded, granted, consumer_admin, api, resource):
    _slow, slow_key = issue(consumer_admin, [granted], rate_per_minute=2)
    _other, other_key = issue(consumer_admin, [granted])
    assert [rows(api, resource, slow_key).status_code for _ in range(3)] == [200, 200, 429]
    assert rows(api, resource, other_key).status_code == 200


ISSUE_MATRIX = [(Role.DATA_ADMIN, True), (Role.SECURITY_OFFICER, True), (Role.CLERK, False),
                (Role.HEAD, False)]


@pytest.mark.parametrize(("role", "allowed"), ISSUE_MATRIX)
def test_who_may_issue_matrix(role, allowed, make_user, department):
    user = make_user(department=department, roles=[role])
    if allowed:
        assert issue(user)[0].department == department
    else:
        with pytest.raises(NotPermitted):
            issue(user)


REVOKE_MATRIX = [("same_admin", True), ("same_security", True), ("same_clerk", False),
                 ("other_admin", False), ("center", True)]


@pytest.mark.parametrize(("who", "allowed"), REVOKE_MATRIX)
def test_who_may_revoke_matrix(who, allowed, make_user, department):
    token, _key = issue(make_user(department=department, roles=[Role.DATA_ADMIN]))
    actor = {
        "same_admin": lambda: make_user(department=department, roles=[Role.DATA_ADMIN]),
        "same_security": lambda: make_user(department=department, roles=[Role.SECURITY_OFFICER]),
        "same_clerk": lambda: make_user(department=department, roles=[Role.CLERK]),
        "other_admin": lambda: make_user(department=DepartmentFactory(), roles=[Role.DATA_ADMIN]),
        "center": lambda: make_user(roles=[Role.CENTER_REVIEWER]),
    }[who]()
    if allowed:
        assert system_token_revoke(actor=actor, token=token).revoked_at is not None
    else:
        with pytest.raises(NotPermitted):
            system_token_revoke(actor=actor, token=token)


def test_issue_validation(granted, consumer_admin, make_user, provider):
    with pytest.raises(ValidationFailed) as caught:
        issue(consumer_admin, expires_at=timezone.now() + timedelta(days=400))
    assert "expires_at" in caught.value.fields
    provider_user = make_user(department=provider, roles=[Role.DATA_ADMIN])
    with pytest.raises(ValidationFailed) as caught:
        issue(provider_user, [granted])  # the grant is held by another department
    assert "grants" in caught.value.fields


def test_tokens_page_shows_the_key_once_and_revokes(granted, consumer_admin, web):
    client = web(consumer_admin)
    page = client.post("/data/tokens/", {"name": "审批系统", "expires_in_days": "90",
                                         "grants": [granted.pk], "rate_per_minute": "60"})
    key = page.context["new_key"]
    assert key and key in page.content.decode()
    token = ApiToken.objects.get(kind=ApiToken.Kind.SYSTEM)
    assert list(token.dataplane_scope.grants.all()) == [granted]
    assert key not in client.get("/data/tokens/").content.decode()
    client.post(f"/data/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None

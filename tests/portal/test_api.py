"""The REST API base: token auth, /me/, /departments/, schema, error mapping."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from portal.models import Role
from portal.services.tokens import token_create, token_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_token_auth_me_and_revocation(api, make_user, department):
    user = make_user(department=department, roles=[Role.CLERK])
    token, key = token_create(actor=user, name="脚本")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = api.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["department"]["id"] == department.pk and me.json()["roles"] == ["clerk"]
    token_revoke(actor=user, token=token)
    response = api.get("/api/v1/me/")
    assert response.status_code == 401 and "撤销" in response.json()["detail"]


def test_expired_and_unknown_tokens_are_401(api, make_user):
    user = make_user()
    _token, key = token_create(actor=user, name="x", expires_at=timezone.now() - timedelta(seconds=1))
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    assert api.get("/api/v1/me/").status_code == 401
    api.credentials()
    assert api.get("/api/v1/me/").status_code in (401, 403)


def test_token_key_is_stored_hashed(make_user):
    token, key = token_create(actor=make_user(), name="x")
    assert key not in (token.key_hash, token.prefix) and token.key_hash == token.hash_key(key)


def test_departments_list_filters_by_short_name_and_region(api, make_user, department):
    api.force_authenticate(make_user(department=department, roles=[Role.CLERK]))
    body = api.get("/api/v1/departments/", {"search": department.short_name}).json()
    assert body["count"] == 1 and body["results"][0]["uscc"] == department.uscc
    assert set(body) == {"count", "next", "previous", "results"}
    assert api.get("/api/v1/departments/", {"page_size": 500}).status_code == 200
    assert api.get("/api/v1/departments/", {"page_size": 1000}).status_code == 400
    assert api.get(f"/api/v1/departments/{department.pk + 999}/").status_code == 404


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/me/" in paths and "/api/v1/departments/" in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and "cdn" not in docs.content.decode().lower()


def test_p3_inbox_api_lists_only_own_open_items(api, make_user, department):
    from portal.services.inbox import inbox_add, inbox_close

    me = make_user(department=department, roles=[Role.CLERK])
    other = make_user(department=department, roles=[Role.CLERK])
    inbox_add(users=[me, other], key="k:1", title="审核目录")
    inbox_add(users=[me], key="k:2", title="答复申请")
    inbox_close(key="k:2", user=me)
    api.force_authenticate(me)
    assert [i["title"] for i in api.get("/api/v1/inbox/").json()["results"]] == ["审核目录"]
    assert [i["title"] for i in api.get("/api/v1/inbox/", {"done": "true"}).json()["results"]] == ["答复申请"]
    [mine] = api.get("/api/v1/inbox/").json()["results"]
    api.force_authenticate(other)
    assert api.get(f"/api/v1/inbox/{mine['id']}/").status_code == 404
    assert api.get("/api/v1/notifications/").json()["count"] == 1

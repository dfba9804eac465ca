"""O4 data API and the open-data REST routes (API.md), throttling, and the schema."""

import pytest
from django.core.cache import cache
from django.core.management import call_command

from catalog.models import OpenType
from opendata.models import Dataset
from opendata.throttling import Rate, rate_parse, throttle_hit
from portal.services.tokens import token_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_o4_dataset_list_is_public_and_searchable(publish, open_resource, client):
    a = publish()
    publish(resource=open_resource(name="公交线路站点", summary="公交线路与站点位置。",
                                   theme="transport"))
    body = client.get("/api/v1/opendata/datasets/").json()
    assert body["count"] == 2 and {"count", "next", "previous", "results"} <= set(body)
    body = client.get("/api/v1/opendata/datasets/", {"search": "不动产"}).json()
    assert [d["name"] for d in body["results"]] == [a.name]
    body = client.get("/api/v1/opendata/datasets/", {"theme": "transport"}).json()
    assert body["count"] == 1
    detail = client.get(f"/api/v1/opendata/datasets/{a.pk}/").json()
    assert detail["rows_url"].endswith(f"/api/v1/opendata/datasets/{a.pk}/rows/")
    assert {d["format"] for d in detail["distributions"]} == {"csv", "xlsx", "json", "api"}
    assert [c["name"] for c in detail["columns"]][:2] == ["name", "id_number"]


def test_o4_rows_filter_sort_paginate(publish, client):
    dataset = publish()
    url = f"/api/v1/opendata/datasets/{dataset.pk}/rows/"
    body = client.get(url, {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert client.get(body["next"]).json()["results"][0]["district"] == "秀英区"
    body = client.get(url, {"area__gte": "80", "sort": "-area"}).json()
    assert [r["area"] for r in body["results"]] == [120.5, 88.0]
    body = client.get(url, {"district": "龙华区", "fields": "district,area"}).json()
    assert body["results"] == [{"district": "龙华区", "area": 88.0}]
    body = client.get(url, {"registered_on__lt": "2024-04-01"}).json()
    assert body["count"] == 1
    body = client.get(url, {"q": "秀英"}).json()
    assert body["count"] == 1


def test_o4_rows_bad_input_is_400_naming_the_parameter(publish, client):
    dataset = publish()
    url = f"/api/v1/opendata/datasets/{dataset.pk}/rows/"
    response = client.get(url, {"area__gte": "many"})
    assert response.status_code == 400 and "area" in response.json()
    response = client.get(url, {"nonexistent": "1"})
    assert response.status_code == 400 and "nonexistent" in response.json()
    response = client.get(url, {"sort": "nope"})
    assert response.status_code == 400 and "sort" in response.json()
    response = client.get(url, {"page": "x"})
    assert response.status_code == 400


def test_o4_rows_filters_on_masked_values_only(publish, client):
    """A filter cannot probe raw values of a masked column."""
    dataset = publish()
    url = f"/api/v1/opendata/datasets/{dataset.pk}/rows/"
    assert client.get(url, {"id_number": "460100199001011234"}).json()["count"] == 0
    assert client.get(url, {"id_number__startswith": "4601001990"}).json()["count"] == 0


def test_o4_unpublished_dataset_is_404_in_the_api(open_resource, data_admin, client):
    from opendata.services.datasets import dataset_create

    dataset = dataset_create(actor=data_admin, resource=open_resource())
    assert client.get(f"/api/v1/opendata/datasets/{dataset.pk}/").status_code == 404
    assert client.get(f"/api/v1/opendata/datasets/{dataset.pk}/rows/").status_code == 404


def test_o2_workflow_actions_through_the_api(open_resource, upload, data_admin, center, client):
    from opendata.services.datasets import dataset_create

    resource = open_resource()
    upload(resource)
    dataset = dataset_create(actor=data_admin, resource=resource)
    _t, admin_key = token_create(actor=data_admin, name="system")
    _t, center_key = token_create(actor=center, name="center")
    base = f"/api/v1/opendata/datasets/{dataset.pk}"
    response = client.post(f"{base}/approve/", HTTP_AUTHORIZATION=f"Token {admin_key}")
    assert response.status_code in (403, 409)
    response = client.post(f"{base}/propose/", HTTP_AUTHORIZATION=f"Token {admin_key}")
    assert response.status_code == 200
    response = client.post(f"{base}/propose/", HTTP_AUTHORIZATION=f"Token {admin_key}")
    assert response.status_code == 409
    response = client.post(f"{base}/approve/", {"comment": "同意"},
                           HTTP_AUTHORIZATION=f"Token {center_key}",
                           content_type="application/json")
    assert response.status_code == 200
    assert Dataset.objects.get(pk=dataset.pk).status == Dataset.Status.PUBLISHED
    response = client.post(f"{base}/withdraw/", {"reason": ""},
                           HTTP_AUTHORIZATION=f"Token {admin_key}",
                           content_type="application/json")
    assert response.status_code == 400 and "reason" in response.json()


def test_hn31_data_request_api(client, center, department):
    response = client.post("/api/v1/opendata/requests/", {
        "title": "充电桩位置", "description": "希望开放公共充电桩位置和功率。",
        "contact_name": "赵六", "contact_email": "z@example.com"},
        content_type="application/json")
    assert response.status_code == 201
    body = client.get("/api/v1/opendata/requests/").json()
    assert body["results"][0]["title"] == "充电桩位置"
    assert "contact_email" not in body["results"][0]
    _t, key = token_create(actor=center, name="c")
    pk = body["results"][0]["id"]
    response = client.post(f"/api/v1/opendata/requests/{pk}/route/",
                           {"department": department.pk}, HTTP_AUTHORIZATION=f"Token {key}",
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "routed"


def test_o5_application_api(publish, public_user, client):
    dataset = publish(open_type=OpenType.CONDITIONAL)
    _t, key = token_create(actor=public_user, name="p")
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    response = client.post("/api/v1/opendata/applications/", {
        "dataset": dataset.pk, "purpose_kind": "research", "purpose": "城市研究",
        "contact_phone": "13800000000"}, content_type="application/json", **auth)
    assert response.status_code == 201
    assert client.get("/api/v1/opendata/applications/", **auth).json()["count"] == 1
    assert client.get("/api/v1/opendata/applications/").status_code in (401, 403)


def test_o7_product_api(publish, public_user, client):
    dataset = publish()
    client.force_login(public_user)
    response = client.post("/api/v1/opendata/products/", {
        "name": "不动产查询小程序", "kind": "mini_program", "summary": "查询", "developer": "某公司",
        "uses": [{"dataset": dataset.pk, "source": "api", "acquired_on": "2026-01-05"}]},
        content_type="application/json")
    assert response.status_code == 201, response.content
    assert client.get("/api/v1/opendata/products/").json()["count"] == 0  # not yet listed


# --- abuse resistance ----------------------------------------------------------------------

def test_throttle_counts_per_window():
    rate = Rate(3, 60)
    assert [throttle_hit("k", rate, now=120.0) for _ in range(3)] == [None, None, None]
    assert throttle_hit("k", rate, now=130.0) == 50
    assert throttle_hit("k", rate, now=180.0) is None  # next window
    assert rate_parse("120/min") == Rate(120, 60)


def test_api_is_throttled_per_ip(publish, client, settings):
    settings.OPENDATA = {**settings.OPENDATA, "THROTTLE_RATES": {"api_anon": "3/min"}}
    dataset = publish()
    url = f"/api/v1/opendata/datasets/{dataset.pk}/rows/"
    codes = [client.get(url).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get(url)
    assert response.has_header("Retry-After")
    other_ip = client.get(url, REMOTE_ADDR="10.1.2.3")
    assert other_ip.status_code == 200
    ckan = client.get("/api/3/action/package_list")
    assert ckan.status_code == 429 and ckan.json()["error"]["__type"] == "Throttled"


def test_api_is_throttled_per_token(publish, client, public_user, settings):
    settings.OPENDATA = {**settings.OPENDATA, "THROTTLE_RATES": {
        "api_anon": "1/min", "api_token": "2/min"}}
    dataset = publish()
    _t, key = token_create(actor=public_user, name="p")
    url = f"/api/v1/opendata/datasets/{dataset.pk}/rows/"
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert [client.get(url, **auth).status_code for _ in range(3)] == [200, 200, 429]


def test_downloads_and_pages_are_throttled(publish, client, settings):
    settings.OPENDATA = {**settings.OPENDATA, "THROTTLE_RATES": {
        "download_anon": "1/min", "page_anon": "2/min"}}
    dataset = publish()
    url = f"/open/datasets/{dataset.name}/download/csv/"
    assert [client.get(url).status_code for _ in range(2)] == [200, 429]
    assert [client.get("/open/datasets/").status_code for _ in range(3)] == [200, 200, 429]


def test_data_request_form_is_throttled_and_traps_bots(client, settings):
    from opendata.models import DataRequest

    settings.OPENDATA = {**settings.OPENDATA, "THROTTLE_RATES": {"form_anon": "2/hour"}}
    data = {"title": "停车场", "description": "停车场位置与车位数", "contact_name": "张",
            "contact_email": "a@example.com"}
    assert client.post("/open/requests/new/", {**data, "website": "http://spam"}
                       ).status_code == 302
    assert not DataRequest.objects.exists()
    assert client.post("/open/requests/new/", data).status_code == 302
    assert DataRequest.objects.count() == 1
    assert client.post("/open/requests/new/", data).status_code == 429


def test_openapi_schema_has_open_data_routes_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for route in ("/api/v1/opendata/datasets/{id}/rows/", "/api/3/action/package_search",
                  "/api/3/action/datastore_search", "/api/v1/opendata/requests/{id}/answer/"):
        assert route in text

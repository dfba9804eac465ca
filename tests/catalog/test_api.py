"""The catalog REST API (API.md): filters, code lookup, nested items, errors, 404 vs 403."""

import pytest
from rest_framework.test import APIClient

from catalog.models import Resource
from tests.catalog.factories import entry_data, item, make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def as_user(user):
        client = APIClient()
        client.force_authenticate(user)
        return client
    return as_user


def payload(**overrides):
    data = entry_data(**overrides)
    data.pop("project")
    data["items"] = [item("姓名"), item("身份证号码", length=18, is_key=True), item("不动产坐落")]
    return data


def test_c1_create_entry_with_items_through_the_api(api, clerk):
    response = api(clerk).post("/api/v1/catalog/resources/", payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and [i["name"] for i in body["items"]] == ["姓名", "身份证号码", "不动产坐落"]
    assert body["items"][1]["is_key"] is True


def test_c2_api_errors_name_field_and_item(api, clerk):
    data = payload(sharing_type="conditional")
    data["items"][2]["length"] = None
    data["items"][2]["data_type"] = "decimal"
    response = api(clerk).post("/api/v1/catalog/resources/", data, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "legal_basis" in body and "sharing_conditions" in body
    assert "length" in body["items"][2]
    assert not Resource.objects.exists()


def test_user_without_department_cannot_create(api, center):
    assert api(center).post("/api/v1/catalog/resources/", payload(), format="json").status_code == 403


def test_c9_list_filters_and_chinese_search(api, clerk, department, other_department):
    make_resource(department, name="不动产登记信息")
    make_resource(other_department, name="营业执照信息", summary="企业登记", items=("企业名称",),
                  sharing_type="unconditional")
    make_resource(other_department, name="别人的草稿", status=Resource.Status.DRAFT)
    client = api(clerk)
    names = [r["name"] for r in client.get("/api/v1/catalog/resources/").json()["results"]]
    assert sorted(names) == ["不动产登记信息", "营业执照信息"]
    found = client.get("/api/v1/catalog/resources/", {"search": "不动产"}).json()
    assert [r["name"] for r in found["results"]] == ["不动产登记信息"]
    by_dept = client.get("/api/v1/catalog/resources/", {"department": other_department.pk}).json()
    assert [r["name"] for r in by_dept["results"]] == ["营业执照信息"]
    assert client.get("/api/v1/catalog/resources/", {"status": "draft"}).json()["count"] == 0


def test_resources_are_addressed_by_id_or_code(api, clerk, department):
    resource = make_resource(department)
    client = api(clerk)
    assert client.get(f"/api/v1/catalog/resources/{resource.code}/").json()["id"] == resource.pk
    items = client.get(f"/api/v1/catalog/resources/{resource.pk}/items/").json()
    assert [i["name"] for i in items] == ["姓名", "身份证号码", "不动产坐落"]


def test_hidden_drafts_are_404_and_forbidden_actions_403(api, other_clerk, other_admin, department):
    draft = make_resource(department, status=Resource.Status.DRAFT)
    registered = make_resource(department, name="已注册")
    assert api(other_clerk).get(f"/api/v1/catalog/resources/{draft.pk}/").status_code == 404
    assert api(other_clerk).get(f"/api/v1/catalog/resources/{draft.pk}/items/").status_code == 404
    assert api(other_admin).post(f"/api/v1/catalog/resources/{registered.pk}/retire/",
                                 {"reason": "x"}, format="json").status_code == 403
    assert api(other_clerk).get("/api/v1/catalog/resources/nonexistent-code/").status_code == 404


def test_c6_revision_through_the_api_keeps_item_ids(api, clerk, data_admin, center, department):
    registered = make_resource(department)
    revision = api(clerk).post(f"/api/v1/catalog/resources/{registered.pk}/revise/").json()
    items = revision["items"]
    items[0]["description"] = "户籍登记姓名"
    data = {"items": items[:2] + [item("建筑面积", "decimal", 12)]}
    response = api(clerk).patch(f"/api/v1/catalog/resources/{revision['id']}/", data, format="json")
    assert response.status_code == 200, response.content
    assert api(data_admin).post(f"/api/v1/catalog/resources/{revision['id']}/submit/").status_code == 200
    approved = api(center).post(f"/api/v1/catalog/resources/{revision['id']}/approve/", {"comment": "同意"},
                                format="json").json()
    assert approved["id"] == registered.pk and approved["code"] == registered.code
    active = {i["name"]: i for i in approved["items"] if not i["retired"]}
    original = {i.name: i.pk for i in registered.items.all()}
    assert active["姓名"]["id"] == original["姓名"] and active["姓名"]["description"] == "户籍登记姓名"
    assert "不动产坐落" not in active and "建筑面积" in active


def test_illegal_action_is_409(api, center, department):
    draft = make_resource(department, status=Resource.Status.DRAFT)
    response = api(center).post(f"/api/v1/catalog/resources/{draft.pk}/approve/", {}, format="json")
    assert response.status_code == 409 and "草稿" in response.json()["detail"]


def test_items_endpoint_lists_only_visible_items(api, other_clerk, department):
    make_resource(department, status=Resource.Status.DRAFT, items=("秘密项",))
    registered = make_resource(department, items=("公开项",))
    names = [i["name"] for i in api(other_clerk).get("/api/v1/catalog/items/").json()["results"]]
    assert names == ["公开项"]
    assert api(other_clerk).get("/api/v1/catalog/items/", {"resource": registered.pk}).json()["count"] == 1


def test_unauthenticated_requests_are_refused():
    assert APIClient().get("/api/v1/catalog/resources/").status_code in (401, 403)

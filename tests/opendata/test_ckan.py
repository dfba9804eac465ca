"""O8: the CKAN Action API v3 subset answers in CKAN's envelope with CKAN's field names."""

import json

import pytest

from catalog.models import OpenType
from portal.services.tokens import token_create

pytestmark = pytest.mark.django_db

PACKAGE_KEYS = {"id", "name", "title", "notes", "resources", "organization", "tags",
                "license_id", "license_title", "metadata_created", "metadata_modified",
                "num_resources", "num_tags", "owner_org", "groups", "extras", "state",
                "type", "private", "isopen", "url", "maintainer", "maintainer_email"}
RESOURCE_KEYS = {"id", "package_id", "name", "description", "format", "url", "mimetype",
                 "size", "hash", "created", "last_modified", "position", "state",
                 "datastore_active"}


def ckan(client, action, **params):
    response = client.get(f"/api/3/action/{action}", params)
    body = response.json()
    assert set(body) >= {"help", "success"}
    assert body["help"].endswith(f"help_show?name={action}") or action not in body["help"]
    return response.status_code, body


@pytest.fixture
def catalog(publish, open_resource):
    a = publish(keywords="不动产，登记")
    b = publish(open_type=OpenType.CONDITIONAL,
                resource=open_resource(open_type=OpenType.CONDITIONAL, name="医疗机构执业许可信息", theme="health",
                                       summary="医疗机构名称、执业地点。"))
    return a, b


def test_o8_package_list(catalog, client):
    status, body = ckan(client, "package_list")
    assert status == 200 and body["success"] is True
    assert sorted(body["result"]) == sorted(d.name for d in catalog)
    _s, limited = ckan(client, "package_list", limit=1, offset=1)
    assert len(limited["result"]) == 1


def test_o8_package_show_has_ckan_fields(catalog, client, department):
    dataset = catalog[0]
    status, body = ckan(client, "package_show", id=dataset.name)
    result = body["result"]
    assert status == 200 and PACKAGE_KEYS <= set(result)
    assert result["name"] == dataset.name and result["title"] == dataset.title
    assert result["notes"] == dataset.description
    assert [t["name"] for t in result["tags"]] == ["不动产", "登记"]
    assert result["organization"]["title"] == department.name
    assert result["organization"]["name"] == department.uscc.lower()
    assert result["num_resources"] == 4
    assert {r["format"] for r in result["resources"]} == {"CSV", "XLSX", "JSON", "API"}
    assert all(RESOURCE_KEYS <= set(r) for r in result["resources"])
    assert result["isopen"] is True
    by_id = ckan(client, "package_show", id=result["id"])[1]
    assert by_id["result"]["name"] == dataset.name


def test_o8_package_show_errors_like_ckan(catalog, client):
    status, body = ckan(client, "package_show", id="no-such-dataset")
    assert status == 404 and body["success"] is False
    assert body["error"]["__type"] == "Not Found Error"
    status, body = ckan(client, "package_show")
    assert status == 409 and body["error"]["__type"] == "Validation Error"
    assert "id" in body["error"]


def test_o8_package_search_q_fq_rows_start_and_facets(catalog, client, department):
    a, b = catalog
    _s, body = ckan(client, "package_search", q="不动产")
    assert body["result"]["count"] == 1 and body["result"]["results"][0]["name"] == a.name
    _s, body = ckan(client, "package_search", fq=f"organization:{department.uscc.lower()}",
                    rows=1, start=0)
    assert body["result"]["count"] == 2 and len(body["result"]["results"]) == 1
    _s, second = ckan(client, "package_search", fq=f"organization:{department.uscc.lower()}",
                      rows=1, start=1)
    assert second["result"]["results"][0]["name"] != body["result"]["results"][0]["name"]
    _s, body = ckan(client, "package_search", fq="tags:登记")
    assert [r["name"] for r in body["result"]["results"]] == [a.name]
    _s, body = ckan(client, "package_search", fq="groups:health")
    assert [r["name"] for r in body["result"]["results"]] == [b.name]
    _s, body = ckan(client, "package_search", q="*:*", fq="-groups:health")
    assert [r["name"] for r in body["result"]["results"]] == [a.name]
    _s, body = ckan(client, "package_search", **{
        "facet.field": json.dumps(["organization", "groups", "tags", "res_format",
                                   "license_id"]), "rows": 0})
    facets = body["result"]["facets"]
    assert body["result"]["results"] == []
    assert facets["organization"] == {department.uscc.lower(): 2}
    assert facets["groups"] == {"real_estate": 1, "health": 1}
    assert facets["tags"] == {"不动产": 1, "登记": 1}
    assert facets["res_format"] == {"CSV": 2, "XLSX": 2, "JSON": 2, "API": 2}
    items = body["result"]["search_facets"]["groups"]["items"]
    assert {"name", "display_name", "count"} <= set(items[0])


def test_o8_package_search_sort_and_bad_input(catalog, client):
    _s, body = ckan(client, "package_search", sort="name asc")
    names = [r["name"] for r in body["result"]["results"]]
    assert names == sorted(names)
    status, body = ckan(client, "package_search", fq="nonsense:1")
    assert status == 409 and body["error"]["__type"] == "Search Query Error"
    status, body = ckan(client, "package_search", rows="many")
    assert status == 400 and body["error"]["__type"] == "Validation Error"
    status, body = ckan(client, "package_search", **{"facet.field": "not json"})
    assert status == 409


def test_o8_package_search_by_post_json(catalog, client):
    response = client.post("/api/3/action/package_search",
                           data=json.dumps({"q": "医疗", "rows": 5}),
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["result"]["count"] == 1


def test_o8_organization_list_and_show(catalog, client, department):
    _s, body = ckan(client, "organization_list")
    assert body["result"] == [department.uscc.lower()]
    _s, body = ckan(client, "organization_list", all_fields="true")
    assert body["result"][0]["package_count"] == 2 and body["result"][0]["title"]
    _s, body = ckan(client, "organization_show", id=department.uscc.lower(),
                    include_datasets="true")
    assert body["result"]["name"] == department.uscc.lower()
    assert len(body["result"]["packages"]) == 2
    status, body = ckan(client, "organization_show", id="nobody")
    assert status == 404 and body["error"]["__type"] == "Not Found Error"


def test_o8_datastore_search(catalog, client):
    dataset = catalog[0]
    resource_id = str(dataset.distributions.get(format="csv").uuid)
    _s, body = ckan(client, "datastore_search", resource_id=resource_id, limit=2)
    result = body["result"]
    assert result["total"] == 3 and len(result["records"]) == 2
    assert result["fields"][0] == {"id": "_id", "type": "int"}
    assert {f["id"] for f in result["fields"]} >= {"district", "area"}
    assert result["records"][0]["_id"] == 1
    _s, body = ckan(client, "datastore_search", resource_id=resource_id,
                    filters=json.dumps({"district": "龙华区"}))
    assert [r["district"] for r in body["result"]["records"]] == ["龙华区"]
    _s, body = ckan(client, "datastore_search", resource_id=resource_id, q="秀英", offset=0)
    assert body["result"]["total"] == 1
    _s, body = ckan(client, "datastore_search", resource_id=resource_id, sort="area desc",
                    fields="district,area")
    assert [r["area"] for r in body["result"]["records"]] == [120.5, 88.0, 64.2]
    assert set(body["result"]["records"][0]) == {"_id", "district", "area"}
    status, body = ckan(client, "datastore_search", resource_id=resource_id,
                        filters=json.dumps({"nope": 1}))
    assert status == 409 and body["error"]["__type"] == "Validation Error"


def test_o8_datastore_search_conditional_needs_approved_token(catalog, client, public_user,
                                                             data_admin):
    from opendata.services import engagement as es

    dataset = catalog[1]
    resource_id = str(dataset.distributions.get(format="api").uuid)
    status, body = ckan(client, "datastore_search", resource_id=resource_id)
    assert status == 404
    application = es.application_submit(actor=public_user, dataset=dataset,
                                        purpose_kind="research", purpose="研究",
                                        contact_phone="13800000000")
    es.application_approve(actor=data_admin, application=application)
    _token, key = token_create(actor=public_user, name="ckan")
    response = client.get("/api/3/action/datastore_search", {"resource_id": resource_id},
                          HTTP_AUTHORIZATION=key)
    assert response.status_code == 200 and response.json()["result"]["total"] == 3


def test_o8_unknown_action_and_help(client):
    response = client.get("/api/3/action/package_create")
    assert response.status_code == 400
    assert response.json()["error"]["__type"] == "Bad request - Action name not known"
    _s, body = ckan(client, "help_show", name="package_search")
    assert "package_search" in body["result"]
    _s, body = ckan(client, "status_show")
    assert body["result"]["ckan_version"].startswith("2.")


def test_o8_ckan_results_are_cacheable(catalog, client):
    first = client.get("/api/3/action/package_list")
    assert first.has_header("ETag")
    assert client.get("/api/3/action/package_list",
                      HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

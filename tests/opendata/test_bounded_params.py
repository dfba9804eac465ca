"""Huge or malformed numbers are refused with 400 on every public numeric parameter — the
CKAN actions (O8), the data API (O4) and the public pages — and never reach a query."""

import pytest

from portal.params import MAX_INT

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


@pytest.mark.parametrize("action, name", [
    ("package_list", "offset"), ("package_list", "limit"),
    ("package_search", "start"), ("package_search", "rows"),
    ("package_search", "facet.limit"), ("package_search", "facet.mincount"),
    ("organization_list", "offset"), ("organization_list", "limit"),
])
@pytest.mark.parametrize("value", [HUGE, "-2", "1.5", "abc"])
def test_o8_ckan_numeric_parameters_are_bounded(publish, client, action, name, value):
    publish()
    response = client.get(f"/api/3/action/{action}", {name: value})
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and body["error"]["__type"] == "Validation Error"
    assert name in body["error"][name][0]


def test_o8_ckan_bounds_hold_in_a_json_body_and_in_range_values_pass(publish, client):
    publish()
    response = client.post("/api/3/action/package_search", {"rows": 10**30, "start": 0},
                           content_type="application/json")
    assert response.status_code == 400 and "rows" in response.json()["error"]
    assert client.get("/api/3/action/package_list", {"offset": str(MAX_INT)}).json()[
        "result"] == []
    assert client.get("/api/3/action/package_search", {"facet.limit": "-1"}).status_code == 200


def test_o8_datastore_search_offset_and_limit_are_bounded(publish, client):
    dataset = publish()
    resource_id = str(dataset.distributions.get(format="csv").uuid)
    for name in ("offset", "limit"):
        response = client.get("/api/3/action/datastore_search",
                              {"resource_id": resource_id, name: HUGE})
        assert response.status_code == 400 and name in response.json()["error"]
    response = client.get("/api/3/action/datastore_search",
                          {"resource_id": resource_id, "offset": str(MAX_INT)})
    assert response.status_code == 200 and response.json()["result"]["records"] == []


@pytest.mark.parametrize("params", [
    {"page": HUGE}, {"page": "0"}, {"page": "x"}, {"page_size": HUGE}, {"page_size": "0"},
    {"page_size": "501"},
])
def test_o4_rows_api_numeric_parameters_are_bounded(publish, client, params):
    dataset = publish()
    response = client.get(f"/api/v1/opendata/datasets/{dataset.pk}/rows/", params)
    assert response.status_code == 400
    [name] = params
    assert name in response.json()[name][0]


def test_o4_rows_api_far_page_is_empty_not_an_error(publish, client):
    dataset = publish()
    body = client.get(f"/api/v1/opendata/datasets/{dataset.pk}/rows/",
                      {"page": str(MAX_INT), "page_size": "500"}).json()
    assert body["count"] == 3 and body["results"] == [] and body["next"] is None


@pytest.mark.parametrize("url", ["/open/datasets/", "/open/requests/", "/open/products/"])
def test_public_pages_take_any_page_number(publish, client, url):
    """Pages clamp a page number to the pages there are (Django's paginator) instead of
    failing; a huge one shows the last page."""
    publish()
    for value in (HUGE, "-1", "abc", "1e9"):
        assert client.get(url, {"page": value}).status_code == 200

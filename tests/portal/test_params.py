"""Bounded numeric parameters: one parser; every API list refuses what it cannot serve
with a 400 that names the parameter, never a 500 (API.md: never a 500 on bad input)."""

import pytest
from django.http import QueryDict

from portal.models import Role
from portal.params import MAX_INT, ParameterInvalid, int_param

HUGE = "99999999999999999999"


@pytest.mark.parametrize("raw, expected", [
    (None, 7), ("", 7), ("  ", 7), ("3", 3), (" 42 ", 42), ("+5", 5), (5, 5), (["1", "9"], 9),
    (str(MAX_INT), MAX_INT),
])
def test_accepted_values(raw, expected):
    assert int_param({} if raw is None else {"n": raw}, "n", default=7) == expected


@pytest.mark.parametrize("raw", [
    HUGE, str(MAX_INT + 1), "-1", "1.5", "1e3", "abc", "0x10", "١٢", "１２", True, 2.0,
    "9" * 5000, "1,000",
])
def test_refused_values_name_the_parameter(raw):
    with pytest.raises(ParameterInvalid) as caught:
        int_param({"offset": raw}, "offset", default=0)
    assert caught.value.status == 400
    assert list(caught.value.fields) == ["offset"] and "offset" in caught.value.fields["offset"][0]


def test_bounds_are_inclusive_and_query_dict_last_value_counts():
    params = QueryDict("size=1&size=500")
    assert int_param(params, "size", default=20, low=1, high=500) == 500
    with pytest.raises(ParameterInvalid):
        int_param(QueryDict("size=0"), "size", default=20, low=1, high=500)


@pytest.mark.django_db
@pytest.mark.parametrize("params", [
    {"page": HUGE}, {"page": "0"}, {"page": "-3"}, {"page": "x"}, {"page_size": HUGE},
    {"page_size": "0"}, {"page_size": "501"}, {"page_size": "ten"},
])
def test_api_pagination_refuses_out_of_range_with_400(make_user, department, params):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(make_user(department=department, roles=[Role.CLERK]))
    response = api.get("/api/v1/departments/", params)
    assert response.status_code == 400
    [name] = params
    assert response.json()[name][0].startswith(f"参数“{name}”")


@pytest.mark.django_db
def test_api_pagination_page_past_the_end_is_404_in_chinese(make_user, department):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(make_user(department=department, roles=[Role.CLERK]))
    assert api.get("/api/v1/departments/", {"page": "last"}).status_code == 200
    response = api.get("/api/v1/departments/", {"page": str(MAX_INT)})
    assert response.status_code == 404 and response.json()["detail"] == "没有这一页。"


def test_schema_declares_the_bounds(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/departments/"]["get"]
                  ["parameters"]}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 500}
    assert parameters["page"]["maximum"] == MAX_INT

"""Request parameters the database cannot take (a NUL character, digits that are not
ASCII) are refused with a 4xx, never a 5xx, on pages, the REST API and the CKAN API."""

import pytest
from rest_framework.test import APIClient

from portal.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(make_user, department):
    client = APIClient()
    client.force_authenticate(make_user(department=department, roles=[Role.DATA_ADMIN]))
    return client


@pytest.mark.parametrize("path", [
    "/api/3/action/organization_show?id=a%00b",
    "/api/action/package_search?q=%00",
    "/api/v1/opendata/datasets/?tag=x%00y",
    "/api/v1/catalog/resources/?search=%00",
    "/open/datasets/?q=%00",
])
def test_a_nul_character_in_a_query_is_a_400(api, path):
    response = api.get(path)
    assert response.status_code == 400, (path, response.status_code)
    assert "控制字符" in response.content.decode()


def test_a_nul_character_in_a_form_field_name_or_value_is_a_400(api):
    response = api.post("/api/action/organization_show", "a%00=1&id=x%00",
                        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json()["success"] is False


@pytest.mark.parametrize("path", [
    "/api/v1/catalog/resources/%C2%B2/",
    "/api/v1/departments/null/responsibilities/",
    "/api/v1/departments/%C2%B2/responsibilities/",
    "/api/3/action/organization_show?id=%C2%B2",
])
def test_ids_that_are_not_ascii_digits_miss_with_a_404(api, path):
    assert api.get(path).status_code == 404, path

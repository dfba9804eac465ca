"""C6 workflow as a matrix: role × status × action → allowed, refused (403), hidden (404) or
illegal in this state (409), through the REST API and therefore the services."""

import itertools

import pytest
from rest_framework.test import APIClient

from catalog.models import TRANSITIONS, Resource
from portal.models import Role
from tests.catalog.factories import make_resource

S = Resource.Status
STATUSES = [S.DRAFT, S.SUBMITTED, S.RETURNED, S.REGISTERED, S.RETIRED]
ACTIONS = ["submit", "withdraw", "approve", "return", "retire"]
ROLES = ["clerk", "data_admin", "center", "authority", "other_admin"]
MAY = {
    "submit": {"data_admin"}, "withdraw": {"data_admin"}, "approve": {"center"},
    "return": {"center"}, "retire": {"data_admin", "center"},
}


def expected(role: str, status: str, action: str) -> int:
    # C9: drafts and other unregistered states: own department and the center only.
    visible = status == S.REGISTERED or role in ("clerk", "data_admin", "center")
    if not visible:
        return 404
    if role not in MAY[action]:
        return 403
    if TRANSITIONS.find(status, action) is None:
        return 409
    return 200


@pytest.fixture
def actors(make_user, department, other_department):
    return {
        "clerk": make_user(department=department, roles=[Role.CLERK]),
        "data_admin": make_user(department=department, roles=[Role.DATA_ADMIN]),
        "center": make_user(roles=[Role.CENTER_REVIEWER]),
        "authority": make_user(roles=[Role.AUTHORITY]),
        "other_admin": make_user(department=other_department, roles=[Role.DATA_ADMIN]),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("status,action", list(itertools.product(STATUSES, ACTIONS)))
def test_c6_workflow_matrix(actors, department, status, action):
    for role in ROLES:
        resource = make_resource(department, status=status)
        client = APIClient()
        client.force_authenticate(actors[role])
        response = client.post(f"/api/v1/catalog/resources/{resource.pk}/{action}/",
                               {"comment": "意见", "reason": "职能调整，停止采集"}, format="json")
        want = expected(role, status, action)
        assert response.status_code == want, (role, status, action, response.content)
        resource.refresh_from_db()
        if want == 200:
            assert resource.status == TRANSITIONS.find(status, action).target
        else:
            assert resource.status == status

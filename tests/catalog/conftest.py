import pytest

from portal.models import Role


@pytest.fixture
def clerk(make_user, department):
    return make_user(username="clerk", department=department, roles=[Role.CLERK])


@pytest.fixture
def data_admin(make_user, department):
    return make_user(username="data_admin", department=department, roles=[Role.DATA_ADMIN])


@pytest.fixture
def head(make_user, department):
    return make_user(username="head", department=department, roles=[Role.HEAD])


@pytest.fixture
def center(make_user, region):
    return make_user(username="center", roles=[Role.CENTER_REVIEWER])


@pytest.fixture
def authority(make_user):
    return make_user(username="authority", roles=[Role.AUTHORITY])


@pytest.fixture
def other_clerk(make_user, other_department):
    return make_user(username="other_clerk", department=other_department, roles=[Role.CLERK])


@pytest.fixture
def other_admin(make_user, other_department):
    return make_user(username="other_admin", department=other_department, roles=[Role.DATA_ADMIN])

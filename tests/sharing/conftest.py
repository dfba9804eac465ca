from types import SimpleNamespace

import pytest

from portal.models import Role
from tests.sharing.factories import FilingFactory, resource_with_items


@pytest.fixture
def filed(department):
    """``department`` with an acknowledged first-access filing."""
    FilingFactory(department=department)
    return department


@pytest.fixture
def conditional_resource(other_department):
    return resource_with_items(provider=other_department)


@pytest.fixture
def people(make_user, filed, other_department):
    """Users around one request: the applicant (``filed``) and the provider
    (``other_department``), the platform roles and an outsider department."""
    from tests.factories import DepartmentFactory

    outsider = DepartmentFactory()
    FilingFactory(department=outsider)
    return SimpleNamespace(
        applicant_clerk=make_user(department=filed, roles=[Role.CLERK]),
        applicant_admin=make_user(department=filed, roles=[Role.DATA_ADMIN]),
        applicant_head=make_user(department=filed, roles=[Role.HEAD]),
        provider_clerk=make_user(department=other_department, roles=[Role.CLERK]),
        provider_admin=make_user(department=other_department, roles=[Role.DATA_ADMIN]),
        provider_head=make_user(department=other_department, roles=[Role.HEAD]),
        center=make_user(roles=[Role.CENTER_REVIEWER]),
        authority=make_user(roles=[Role.AUTHORITY]),
        secrecy=make_user(roles=[Role.SECRECY_REVIEWER]),
        legal=make_user(roles=[Role.LEGAL_REVIEWER]),
        establishment=make_user(roles=[Role.ESTABLISHMENT_REVIEWER]),
        outsider_admin=make_user(department=outsider, roles=[Role.DATA_ADMIN]),
        outsider=outsider,
    )

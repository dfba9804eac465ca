import pytest

from tests.sharing.factories import FilingFactory, resource_with_items


@pytest.fixture
def filed(department):
    """``department`` with an acknowledged first-access filing."""
    FilingFactory(department=department)
    return department


@pytest.fixture
def conditional_resource(other_department):
    return resource_with_items(provider=other_department)

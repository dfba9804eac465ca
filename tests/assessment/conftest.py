"""Fixtures of the assessment tests: a province with two departments, a lower city, the
authority, and a plan for 2025."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessment.services.plans import plan_create
from portal.models import Department, Region, Role
from tests.factories import DepartmentFactory, RegionFactory


@pytest.fixture
def city(region):
    return RegionFactory(code="460100", name="海口市", level=Region.Level.CITY, parent=region)


@pytest.fixture
def authority_department(region):
    return DepartmentFactory(region=region, name="省大数据局", kind=Department.Kind.AUTHORITY)


@pytest.fixture
def city_department(city):
    return DepartmentFactory(region=city, name="海口市公安局")


@pytest.fixture
def city_authority_department(city):
    return DepartmentFactory(region=city, name="海口市大数据局", kind=Department.Kind.AUTHORITY)


@pytest.fixture
def authority(make_user, authority_department):
    return make_user(username="authority", department=authority_department,
                     roles=[Role.AUTHORITY])


@pytest.fixture
def city_authority(make_user, city_authority_department):
    return make_user(username="city_authority", department=city_authority_department,
                     roles=[Role.AUTHORITY])


@pytest.fixture
def head_a(make_user, department):
    return make_user(username="head_a", department=department, roles=[Role.HEAD])


@pytest.fixture
def admin_a(make_user, department):
    return make_user(username="admin_a", department=department, roles=[Role.DATA_ADMIN])


@pytest.fixture
def clerk_a(make_user, department):
    return make_user(username="clerk_a", department=department, roles=[Role.CLERK])


@pytest.fixture
def admin_b(make_user, other_department):
    return make_user(username="admin_b", department=other_department, roles=[Role.DATA_ADMIN])


@pytest.fixture
def plan(authority, department, other_department, city):
    """The 2025 plan, with its self-assessment still open whatever today is."""
    today = timezone.localdate()
    return plan_create(actor=authority, region=department.region, year=2025,
                       self_assessment_due=today + timedelta(days=30),
                       review_due=today + timedelta(days=60),
                       publish_due=today + timedelta(days=90))


@pytest.fixture
def unit_a(plan, department):
    return plan.units.get(department=department)


@pytest.fixture
def unit_b(plan, other_department):
    return plan.units.get(department=other_department)

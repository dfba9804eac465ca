"""Permission matrices of the assessment (role × object state × action)."""

import pytest

from assessment import policies
from assessment.models import Plan
from portal.models import Role
from tests.assessment.helpers import activated, manual_score

pytestmark = pytest.mark.django_db

DEPARTMENT_ROLES = [Role.CLERK, Role.DATA_ADMIN, Role.SECURITY_OFFICER, Role.HEAD]


@pytest.mark.parametrize(("role", "self_assess", "submit", "object_"), [
    (Role.CLERK, True, False, False),
    (Role.DATA_ADMIN, True, True, True),
    (Role.SECURITY_OFFICER, False, False, False),
    (Role.HEAD, True, True, True),
])
def test_a3_unit_member_roles(make_user, plan, authority, unit_a, unit_b, department, role,
                              self_assess, submit, object_):
    activated(plan, authority)
    user = make_user(department=department, roles=[role])
    score = manual_score(plan, unit_a)
    assert policies.can_self_assess(user, unit_a) is self_assess
    assert policies.can_submit_self_assessment(user, unit_a) is submit
    assert policies.can_object_to_score(user, score) is object_
    # never for another unit
    assert not policies.can_self_assess(user, unit_b)
    assert not policies.can_object_to_score(user, manual_score(plan, unit_b))
    assert not policies.can_review_score(user, score)


@pytest.mark.parametrize("status", list(Plan.Status))
def test_a1_authority_manages_its_region_in_every_state(plan, authority, city_authority, status):
    plan.status = status
    assert policies.can_manage_plan(authority, plan)
    assert not policies.can_manage_plan(city_authority, plan)


def test_a1_upper_authority_manages_lower_regions(authority, city, city_department):
    assert policies.manages_region(authority, city.pk)
    assert policies.can_issue_notice(authority, city_department)


def test_a1_platform_roles_without_authority_manage_nothing(make_user, plan):
    for role in [Role.CENTER_REVIEWER, Role.SECRECY_REVIEWER, Role.LEGAL_REVIEWER]:
        user = make_user(roles=[role])
        assert not policies.can_manage_plan(user, plan)
        assert policies.managed_region_ids(user) == set()


def test_a1_superuser_and_departmentless_authority_manage_everything(make_user, plan):
    assert policies.can_manage_plan(make_user(is_superuser=True), plan)
    assert policies.can_manage_plan(make_user(roles=[Role.AUTHORITY]), plan)


@pytest.mark.parametrize(("role", "edit", "submit"), [
    (Role.CLERK, True, False), (Role.DATA_ADMIN, True, True),
    (Role.SECURITY_OFFICER, False, False), (Role.HEAD, True, True),
])
def test_a6_annual_report_roles(make_user, department, other_department, role, edit, submit):
    from assessment.models import AnnualReport

    report = AnnualReport(department=department, year=2025)
    own = make_user(department=department, roles=[role])
    other = make_user(department=other_department, roles=[role])
    assert policies.can_edit_annual_report(own, report) is edit
    assert policies.can_submit_annual_report(own, report) is submit
    assert not policies.can_edit_annual_report(other, report)


@pytest.mark.parametrize("role", DEPARTMENT_ROLES)
def test_a7_complaint_roles(make_user, department, role):
    user = make_user(department=department, roles=[role])
    assert policies.can_file_complaint(user) is (role in (Role.DATA_ADMIN, Role.HEAD))

"""P1: organisation — USCC check digits, departments, roles."""

import pytest
from django.core.exceptions import ValidationError

from portal.errors import ValidationFailed
from portal.models import Role
from portal.policies import has_department_role
from portal.services.organisation import user_roles_set
from portal.validators import uscc_check_digit, validate_uscc
from tests.factories import DepartmentFactory


@pytest.mark.parametrize("code", [
    "91350100M000100Y43",  # GB 32100 worked example
    "91110000600037341L",
    "91440300708461136T",
])
def test_p1_valid_uscc_accepted(code):
    validate_uscc(code)


def test_p1_uscc_check_digit_zero_case():
    # 31 - (sum % 31) == 31 maps to '0', not out of range.
    first17 = next(
        f"11460000MB{n:07d}" for n in range(10_000) if uscc_check_digit(f"11460000MB{n:07d}") == "0"
    )
    validate_uscc(first17 + "0")


@pytest.mark.parametrize("code, message", [
    ("91350100M000100Y4", "18 位"),
    ("91350100M000100Y44", "末位应为 3"),
    ("91350100M0001O0Y43", "不允许的字符"),  # letter O is not in the charset
    ("91350100I000100Y43", "不允许的字符"),
])
def test_p1_invalid_uscc_refused_with_chinese_message(code, message):
    with pytest.raises(ValidationError) as err:
        validate_uscc(code)
    assert message in " ".join(str(m) % (e.params or {}) for e in err.value.error_list for m in [e.message])


@pytest.mark.django_db
def test_p1_department_model_validates_uscc(region):
    dept = DepartmentFactory.build(region=region, uscc="91350100M000100Y44")
    with pytest.raises(ValidationError) as err:
        dept.full_clean()
    assert "uscc" in err.value.message_dict


@pytest.mark.django_db
def test_p1_department_role_needs_a_department(make_user):
    user = make_user()
    with pytest.raises(ValidationFailed) as err:
        user_roles_set(user=user, roles=[Role.CLERK])
    assert "roles" in err.value.fields
    assert user_roles_set(user=user, roles=[Role.AUTHORITY]) == {"authority"}


@pytest.mark.django_db
def test_p1_roles_replace_and_cache_refresh(make_user, department):
    user = make_user(department=department, roles=[Role.CLERK, Role.DATA_ADMIN])
    assert user.role_set() == {"clerk", "data_admin"}
    user_roles_set(user=user, roles=[Role.HEAD])
    assert user.role_set() == {"head"}
    assert user.history.exists()


ROLE_MATRIX = [Role.CLERK, Role.DATA_ADMIN, Role.SECURITY_OFFICER, Role.HEAD]


@pytest.mark.django_db
@pytest.mark.parametrize("held", ROLE_MATRIX)
@pytest.mark.parametrize("asked", ROLE_MATRIX)
@pytest.mark.parametrize("same_department", [True, False])
def test_p1_department_role_permission_matrix(make_user, department, other_department, held, asked,
                                              same_department):
    """A department role acts only inside the holder's own department, and only that role."""
    user = make_user(department=department, roles=[held])
    target = department if same_department else other_department
    assert has_department_role(user, target, asked) is (same_department and held == asked)

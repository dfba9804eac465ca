"""Organisation operations (P1): users' departments and roles."""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction

from portal.errors import ValidationFailed
from portal.models import Department, Role, RoleAssignment, User
from portal.models.accounts import DEPARTMENT_ROLES


def department_group(department: Department) -> Group:
    """The auth group that stands for a whole department in object permissions.

    Object-level grants (django-guardian) are given to this group; a policy asks the
    group's permissions directly, so users need not be members.
    """
    group, _ = Group.objects.get_or_create(name=f"department:{department.pk}")
    return group


def roles_validate(*, department_id: int | None, roles: Iterable[str]) -> None:
    """Department roles act inside the user's department, so they need one."""
    if {Role(r) for r in roles} & DEPARTMENT_ROLES and department_id is None:
        raise ValidationFailed(
            "部门角色只能授予已归属某一部门的用户，请先设置“所属部门”。",
            fields={"roles": ["请先为用户设置所属部门。"]},
        )


@transaction.atomic
def user_roles_set(*, user: User, roles: Iterable[str]) -> set[str]:
    """Replace the user's roles. Department roles need the user to belong to a department."""
    wanted = {Role(r) for r in roles}
    roles_validate(department_id=user.department_id, roles=wanted)
    RoleAssignment.objects.filter(user=user).exclude(role__in=wanted).delete()
    have = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    for role in wanted - have:  # one by one, so role history records each grant
        RoleAssignment.objects.create(user=user, role=role)
    user._role_cache = None
    return {str(r) for r in wanted}

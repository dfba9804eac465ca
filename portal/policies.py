"""Who may do what, for the platform core. One function per question."""

from portal.models import Department, Role, User
from portal.models.accounts import PLATFORM_ROLES


def is_center(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.CENTER_REVIEWER))


def is_authority(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.AUTHORITY))


def is_government_user(user: User) -> bool:
    """Department members and platform staff; the public has neither."""
    return user.is_authenticated and (
        user.department_id is not None or user.is_superuser or user.has_role(*PLATFORM_ROLES)
    )


def has_department_role(user: User, department: Department | int | None, *roles: str) -> bool:
    """Whether ``user`` holds one of ``roles`` inside ``department``."""
    if not user.is_authenticated or department is None:
        return False
    department_id = department if isinstance(department, int) else department.pk
    return user.department_id == department_id and user.has_role(*roles)


def can_use_admin(user: User) -> bool:
    """The Django admin is the center's and the authority's workplace (P6)."""
    return user.is_active and (
        user.is_superuser or user.has_role(Role.CENTER_REVIEWER, Role.AUTHORITY)
    )


def can_edit_rule_packs(user: User) -> bool:
    """The center and the authority copy and edit rule packs (and assign them to regions)."""
    return is_center(user) or is_authority(user)

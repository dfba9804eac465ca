"""Who may do what in sharing. One function per question; services, pages, the admin,
the API and tasks all ask these."""

from portal.models import Role, User
from portal.policies import has_department_role, is_authority, is_center

from .models import Filing, Grant

# Department roles that act for the department in sharing.
ACTING_ROLES = (Role.DATA_ADMIN, Role.HEAD)
MEMBER_ROLES = (Role.CLERK, Role.DATA_ADMIN, Role.SECURITY_OFFICER, Role.HEAD)


# -- filing (S6) ------------------------------------------------------------------------

def can_edit_filing(user: User, filing: Filing | None) -> bool:
    """Clerks, data administrators and heads prepare their department's filing."""
    department = filing.department_id if filing is not None else user.department_id
    if not has_department_role(user, department, Role.CLERK, Role.DATA_ADMIN, Role.HEAD):
        return False
    return filing is None or filing.is_editable


def can_submit_filing(user: User, filing: Filing) -> bool:
    """The head or the data administrator submits the signed commitment."""
    return filing.is_editable and has_department_role(user, filing.department_id, *ACTING_ROLES)


def can_review_filing(user: User, filing: Filing) -> bool:
    return is_center(user)


# -- grants (S5) ------------------------------------------------------------------------

def can_view_grant(user: User, grant: Grant) -> bool:
    if is_center(user) or is_authority(user):
        return True
    return user.is_authenticated and user.department_id in (grant.department_id,
                                                            grant.provider_id)


def can_grant_resource(user: User, resource) -> bool:
    """The provider's data administrator or head, or the authority (coordination, S4)."""
    return is_authority(user) or has_department_role(user, resource.provider_id, *ACTING_ROLES)


def can_revoke_grant(user: User, grant: Grant) -> bool:
    if grant.revoked_at is not None:
        return False
    return is_authority(user) or has_department_role(user, grant.provider_id, *ACTING_ROLES)

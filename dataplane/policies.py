"""Who may do what in the data plane. One function per question.

Reading the data itself is not a role question: it is ``sharing.access.access_decide``
(may department D read items of R now), asked by the delivery services.
"""

from catalog.models import Resource
from portal.models import ApiToken, Role, User
from portal.policies import has_department_role, is_authority, is_center

from .models import Anomaly

# Department roles that oversee data use (who used our data, what we used).
OVERSIGHT_ROLES = (Role.DATA_ADMIN, Role.SECURITY_OFFICER, Role.HEAD)
# Department roles that manage masking rules and system tokens.
SECURITY_ROLES = (Role.DATA_ADMIN, Role.SECURITY_OFFICER)


def sees_all_usage(user: User) -> bool:
    return is_center(user) or is_authority(user)


def can_upload_version(user: User, resource: Resource) -> bool:
    """The provider's data administrator uploads data of a registered resource (S9)."""
    return (resource.status == Resource.Status.REGISTERED
            and has_department_role(user, resource.provider_id, Role.DATA_ADMIN))


def can_view_versions(user: User, resource: Resource) -> bool:
    """Version history and validation reports: the provider's staff, the center, the authority."""
    return sees_all_usage(user) or (
        user.is_authenticated and user.department_id == resource.provider_id)


def can_restore_version(user: User, resource: Resource) -> bool:
    return can_upload_version(user, resource)


def can_edit_masking(user: User, resource: Resource) -> bool:
    return has_department_role(user, resource.provider_id, *SECURITY_ROLES)


def can_close_anomaly(user: User, anomaly: Anomaly) -> bool:
    return anomaly.status == Anomaly.Status.OPEN and (
        is_center(user) or has_department_role(user, anomaly.provider_id, *SECURITY_ROLES))


def can_issue_system_token(user: User, department_id: int | None) -> bool:
    return has_department_role(user, department_id, *SECURITY_ROLES)


def can_revoke_system_token(user: User, token: ApiToken) -> bool:
    if token.kind != ApiToken.Kind.SYSTEM or token.revoked_at is not None:
        return False
    return is_center(user) or has_department_role(user, token.department_id, *SECURITY_ROLES)

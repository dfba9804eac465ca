"""Who may do what with data services (one function per question)."""

from catalog.models import Resource
from portal.models import Role, User
from portal.policies import has_department_role, is_center

from ..models import DataService


def can_manage_service(user: User, resource: Resource) -> bool:
    """The provider's data administrator registers and edits the resource's service."""
    return (resource.status == Resource.Status.REGISTERED
            and has_department_role(user, resource.provider_id, Role.DATA_ADMIN))


def can_review_service(user: User, service: DataService) -> bool:
    """The information center reviews, enables and suspends services."""
    return is_center(user)

"""The grants a department reads through or oversees on the data pages, already
filtered to what the user may see (S9, S10, S13)."""

from django.db.models import QuerySet
from django.utils import timezone

from catalog.models import Resource
from dataplane.policies import OVERSIGHT_ROLES, sees_all_usage
from portal.models import User
from portal.policies import has_department_role

from ..models import Grant, valid_grants_q


def grants_usable(user: User) -> QuerySet[Grant]:
    """Live grants the user's department holds, for resources that have data."""
    if not user.department_id:
        return Grant.objects.none()
    return (Grant.objects.filter(valid_grants_q(timezone.localdate()),
                                 department_id=user.department_id,
                                 resource__status=Resource.Status.REGISTERED)
            .select_related("resource", "provider", "resource__data_state__current_version")
            .order_by("resource__code", "-granted_at"))


def grants_watched(user: User) -> QuerySet[Grant]:
    """Live grants whose usage the user oversees: all for the center and the authority,
    otherwise those the department gave (newest 100)."""
    live = (Grant.objects.filter(valid_grants_q(timezone.localdate()))
            .select_related("resource", "department").order_by("-granted_at"))
    if sees_all_usage(user):
        return live[:100]
    department = user.department_id
    if department and has_department_role(user, department, *OVERSIGHT_ROLES):
        return live.filter(provider_id=department)[:100]
    return Grant.objects.none()

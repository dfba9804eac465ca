"""Every query of the sharing pages, API and tasks, already filtered to what the user may
see. Departments see what they are a party to; the center and the authority see all."""

from django.db.models import Q, QuerySet

from portal.models import User
from portal.policies import is_authority, is_center

from .models import Filing, Grant


def _sees_everything(user: User) -> bool:
    return is_center(user) or is_authority(user)


def filing_for(department_id: int | None) -> Filing | None:
    if department_id is None:
        return None
    return Filing.objects.filter(department_id=department_id).first()


def grants_visible(user: User) -> QuerySet[Grant]:
    qs = Grant.objects.select_related("department", "provider", "resource")
    if _sees_everything(user):
        return qs
    if not user.is_authenticated or user.department_id is None:
        return qs.none()
    return qs.filter(Q(department_id=user.department_id) | Q(provider_id=user.department_id))


def grants_held(user: User) -> QuerySet[Grant]:
    return grants_visible(user).filter(department_id=user.department_id)


def grants_given(user: User) -> QuerySet[Grant]:
    return grants_visible(user).filter(provider_id=user.department_id)

"""Every catalog query a page, the API or a task needs, filtered to what the user may see."""

from django.db.models import Q, QuerySet

from portal.policies import is_authority, is_center, is_government_user

from .models import Resource


def resources_registered() -> QuerySet[Resource]:
    """The platform-wide catalog (C9): registered entries, with their provider."""
    return Resource.objects.filter(status=Resource.Status.REGISTERED).select_related(
        "provider", "provider__region"
    )


def resources_visible(user) -> QuerySet[Resource]:
    """Entries ``user`` may see: registered ones for every government user, plus every
    state of their own department's entries; the center and the authority see all."""
    if not getattr(user, "is_authenticated", False) or not is_government_user(user):
        return Resource.objects.none()
    qs = Resource.objects.select_related("provider", "provider__region")
    if is_center(user) or is_authority(user):
        return qs
    own = Q(provider_id=user.department_id) if user.department_id else Q(pk__in=[])
    return qs.filter(Q(status=Resource.Status.REGISTERED) | own)

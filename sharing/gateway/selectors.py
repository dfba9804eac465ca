"""Queries of the gateway's pages, API and tasks, filtered to what the user may see."""

from django.db.models import QuerySet

from catalog.models import Resource
from portal.models import Role, User
from portal.policies import is_authority, is_center

from ..models import DataService, ServiceHealthCheck


def services_enabled() -> QuerySet[DataService]:
    return (DataService.objects.filter(status=DataService.Status.ENABLED,
                                       resource__status=Resource.Status.REGISTERED)
            .select_related("resource", "resource__provider").order_by("resource__code"))


def services_visible(user: User) -> QuerySet[DataService]:
    """Every service for the center and the authority; the own department's for its staff;
    enabled ones for every other government user."""
    qs = DataService.objects.select_related("resource", "resource__provider")
    if is_center(user) or is_authority(user):
        return qs
    if user.department_id and user.has_role(Role.DATA_ADMIN, Role.SECURITY_OFFICER, Role.HEAD):
        from django.db.models import Q

        return qs.filter(Q(resource__provider_id=user.department_id)
                         | Q(pk__in=services_enabled().values("pk")))
    return services_enabled()


def services_of_provider(department_id: int) -> QuerySet[DataService]:
    return (DataService.objects.filter(resource__provider_id=department_id)
            .select_related("resource").order_by("resource__code"))


def health_history(service: DataService, limit: int = 50):
    return ServiceHealthCheck.objects.filter(service=service)[:limit]

"""Queries of the gateway's pages, API and tasks, filtered to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.utils import timezone

from catalog.models import Resource
from dataplane.models import SystemTokenScope
from portal.models import ApiToken, Role, User
from portal.policies import has_department_role, is_authority, is_center

from ..models import DataService, Grant, ServiceHealthCheck, ServiceOperation
from ..models.grants import valid_grants_q


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
        return qs.filter(Q(resource__provider_id=user.department_id)
                         | Q(pk__in=services_enabled().values("pk")))
    return services_enabled()


def services_of_provider(department_id: int) -> QuerySet[DataService]:
    return (DataService.objects.filter(resource__provider_id=department_id)
            .select_related("resource").order_by("resource__code"))


def resources_without_service(user: User) -> QuerySet[Resource]:
    """Registered entries of the user's department (its data administrators) that have no
    data service yet — interface-format entries first."""
    if not user.department_id or not has_department_role(user, user.department_id,
                                                         Role.DATA_ADMIN):
        return Resource.objects.none()
    return (Resource.objects.filter(provider_id=user.department_id,
                                    status=Resource.Status.REGISTERED, data_service__isnull=True)
            .order_by("-format", "code"))


def services_to_review(user: User) -> QuerySet[DataService]:
    if not is_center(user):
        return DataService.objects.none()
    return (DataService.objects.filter(status=DataService.Status.SUBMITTED)
            .select_related("resource", "resource__provider").order_by("updated_at"))


def service_grants(service: DataService) -> QuerySet[Grant]:
    """The grants valid today on the service's resource (the "try it" page previews them)."""
    return (Grant.objects.filter(valid_grants_q(timezone.localdate()), resource=service.resource)
            .select_related("department").prefetch_related("items", "masked_items")
            .order_by("department__name", "pk"))


@dataclass
class CallableService:
    """An enabled service a department may call with a grant, and how."""

    service: DataService
    grant: Grant
    operations: list[ServiceOperation]
    tokens: list[ApiToken]
    curls: list[str]


def curl_line(*, base_url: str, service: DataService, operation: ServiceOperation,
              purpose: str) -> str:
    """A copyable call with the token in ``$PORTAL_TOKEN`` (the key is shown only once,
    when it is issued, so the line names the variable instead)."""
    query = {p["name"]: f"<{p['name']}>" for p in operation.params or []
             if p.get("in", "query") == "query"}
    query["purpose"] = purpose
    path = f"api/v1/services/{service.resource.code}/{operation.name}/"
    for p in operation.params or []:
        if p.get("in") == "path":
            query.pop(p["name"], None)
    url = base_url.rstrip("/") + "/" + path + "?" + urlencode(query, safe="<>")
    return f'curl -H "Authorization: Token $PORTAL_TOKEN" "{url}"'


def services_callable(user: User, *, base_url: str) -> list[CallableService]:
    """For the user's department: the enabled services of resources it holds a valid grant
    on, each with its operations, the department's system tokens in scope of the grant,
    and a ``curl`` line per operation."""
    if not user.department_id:
        return []
    grants = (Grant.objects.filter(valid_grants_q(timezone.localdate()),
                                   department_id=user.department_id,
                                   resource__data_service__status=DataService.Status.ENABLED)
              .select_related("resource", "resource__data_service", "resource__provider")
              .order_by("resource__code", "pk"))
    scopes = (SystemTokenScope.objects.filter(
        token__department_id=user.department_id, token__kind=ApiToken.Kind.SYSTEM,
        token__revoked_at__isnull=True).select_related("token")
        .prefetch_related("grants"))
    now = timezone.now()
    tokens_by_grant: dict[int, list[ApiToken]] = {}
    for scope in scopes:
        if scope.token.expires_at is not None and scope.token.expires_at <= now:
            continue
        for grant in scope.grants.all():
            tokens_by_grant.setdefault(grant.pk, []).append(scope.token)
    out = []
    for grant in grants:
        service = grant.resource.data_service
        operations = list(service.operations.all())
        out.append(CallableService(
            service=service, grant=grant, operations=operations,
            tokens=tokens_by_grant.get(grant.pk, []),
            curls=[curl_line(base_url=base_url, service=service, operation=op,
                             purpose=grant.purpose) for op in operations]))
    return out


def enabled_resource_ids(resource_ids) -> set[int]:
    """Which of these catalog entries have an enabled data service (one query)."""
    return set(services_enabled().filter(resource_id__in=list(resource_ids))
               .values_list("resource_id", flat=True))


def health_history(service: DataService, limit: int = 50):
    return ServiceHealthCheck.objects.filter(service=service)[:limit]


def service_call_stats(service: DataService, *, days: int = 30) -> list[dict]:
    """Calls, failures and mean latency of the service per grant over the last ``days``
    (the access log, S13), with the same aggregates as the monitoring page."""
    from dataplane.models import AccessLogEntry
    from dataplane.services.monitoring import service_call_figures

    since = timezone.now() - timedelta(days=days)
    rows = (AccessLogEntry.objects.filter(resource_id=service.resource_id, at__gte=since,
                                          action=AccessLogEntry.Action.SERVICE)
            .values("grant_id", "department__name").order_by("department__name", "grant_id")
            .annotate(**service_call_figures(since)))
    return [r for r in rows if r["calls"]]

"""Every query of the data-plane pages, API and tasks, already filtered to what the user
may see. Providers see who used their data, departments what they used, the center and
the authority everything (S10)."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from catalog.models import DataItem, Resource, SharingType
from catalog.selectors import resources_visible
from portal.models import ApiToken, User
from portal.policies import has_department_role

from .models import AccessLogEntry, Anomaly, DataVersion, MaskingRule, ResourceData, UsageReport
from .policies import OVERSIGHT_ROLES, SECURITY_ROLES, sees_all_usage


def data_resources_visible(user: User) -> QuerySet[Resource]:
    """Resources whose data pages the user may open (the catalog's visibility rule)."""
    return resources_visible(user)


def resources_provided(user: User) -> QuerySet[Resource]:
    """The user's department's registered resources, with their current version."""
    if not user.department_id:
        return Resource.objects.none()
    return (Resource.objects.filter(provider_id=user.department_id,
                                    status=Resource.Status.REGISTERED)
            .select_related("data_state__current_version").order_by("code"))


def resources_unconditional_with_data(user: User) -> QuerySet[Resource]:
    """Unconditionally shared resources of other departments that have a current version."""
    if not user.department_id:
        return Resource.objects.none()
    has_data = ResourceData.objects.filter(resource=OuterRef("pk"), current_version__isnull=False)
    return (Resource.objects.filter(status=Resource.Status.REGISTERED,
                                    sharing_type=SharingType.UNCONDITIONAL)
            .exclude(provider_id=user.department_id).filter(Exists(has_data))
            .select_related("provider", "data_state__current_version").order_by("code"))


def current_version(resource: Resource) -> DataVersion | None:
    state = (ResourceData.objects.select_related("current_version")
             .filter(resource=resource).first())
    return state.current_version if state else None


def versions_of(resource: Resource) -> QuerySet[DataVersion]:
    return (DataVersion.objects.filter(resource=resource)
            .select_related("uploaded_by").order_by("-number"))


def masking_rules_of(resource: Resource) -> dict[int, MaskingRule]:
    return {r.item_id: r for r in MaskingRule.objects.filter(item__resource=resource)
            .select_related("updated_by")}


def items_without_masking_rule(items: Iterable[DataItem]) -> list[DataItem]:
    """Items that have no masking rule: masked, their values could only be left out
    silently, so a grant may not mask them until the provider sets one (S9)."""
    items = list(items)
    ruled = set(MaskingRule.objects.filter(item__in=items).values_list("item_id", flat=True))
    return [item for item in items if item.pk not in ruled]


def _party_q(user: User, provider_field: str, department_field: str) -> Q:
    """Rows the user may see as provider or consumer overseer (or their own, ``user``)."""
    q = Q(pk__in=[])
    department = user.department_id
    if department and has_department_role(user, department, *OVERSIGHT_ROLES):
        q |= Q(**{provider_field: department}) | Q(**{department_field: department})
    return q


def access_log_visible(user: User) -> QuerySet[AccessLogEntry]:
    qs = AccessLogEntry.objects.select_related("department", "resource", "provider", "grant",
                                               "token")
    if sees_all_usage(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(Q(user=user) | _party_q(user, "provider_id", "department_id"))


def anomalies_visible(user: User) -> QuerySet[Anomaly]:
    qs = Anomaly.objects.select_related("resource", "provider", "department", "user", "grant")
    if sees_all_usage(user):
        return qs
    department = getattr(user, "department_id", None)
    if department and has_department_role(user, department, *OVERSIGHT_ROLES):
        return qs.filter(provider_id=department)
    return qs.none()


def usage_reports_visible(user: User) -> QuerySet[UsageReport]:
    qs = UsageReport.objects.select_related("department")
    if sees_all_usage(user):
        return qs
    department = getattr(user, "department_id", None)
    if department and has_department_role(user, department, *OVERSIGHT_ROLES):
        return qs.filter(department_id=department)
    return qs.none()


def system_tokens_visible(user: User) -> QuerySet[ApiToken]:
    """The department's system tokens, for its data and security administrators."""
    qs = (ApiToken.objects.filter(kind=ApiToken.Kind.SYSTEM)
          .select_related("user", "department", "dataplane_scope")
          .prefetch_related("dataplane_scope__grants__resource"))
    department = getattr(user, "department_id", None)
    if department and has_department_role(user, department, *SECURITY_ROLES):
        return qs.filter(department_id=department)
    return qs.none()

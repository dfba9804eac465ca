from django import template

from sharing.models import Purpose

register = template.Library()


@register.filter
def purpose_label(value: str) -> str:
    """The Chinese label of a purpose value (as recorded in the access log)."""
    return str(Purpose(value).label) if value in Purpose.values else value


@register.simple_tag
def query_with(request, **changes) -> str:
    """The current query string with ``changes`` applied (keeps list filters on paging)."""
    query = request.GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag
def sharing_roles(user) -> dict:
    """Which of the platform's sharing pages the navigation shows to ``user``."""
    from portal.models.accounts import CO_REVIEWER_ROLES
    from sharing.policies import can_view_responses_record

    return {
        "co_reviewer": user.is_authenticated and user.has_role(*CO_REVIEWER_ROLES),
        "responses": can_view_responses_record(user),
    }


@register.simple_tag
def sharing_offer(user, resource) -> dict:
    """What a catalog entry's page offers ``user`` for sharing (S1/S2): the application
    form, the user's application already under way, or direct use of unconditional data."""
    from django.urls import reverse

    from catalog.models import Resource, SharingType
    from sharing.models import OPEN_STATUSES, ShareRequest
    from sharing.policies import can_apply_for_resource
    from sharing.selectors import requests_made

    if (not user.is_authenticated or user.department_id is None
            or resource.status != Resource.Status.REGISTERED
            or user.department_id == resource.provider_id):
        return {}
    pending = (requests_made(user).filter(resource=resource)
               .filter(status__in=[*OPEN_STATUSES, ShareRequest.Status.DRAFT,
                                   ShareRequest.Status.RETURNED])
               .order_by("-created_at").first())
    offer = {"pending": pending}
    if can_apply_for_resource(user, resource):
        offer["apply_url"] = reverse("sharing:request_new", args=[resource.pk])
        offer["partial"] = resource.sharing_type == SharingType.UNCONDITIONAL
    if resource.sharing_type == SharingType.UNCONDITIONAL:
        offer["direct_url"] = reverse("dataplane:resource", args=[resource.code])
    return offer


@register.simple_tag
def service_offer(user, resource) -> dict:
    """The catalog entry's data-service line: the enabled service (anyone may see that it
    exists), the provider's own service in any state, or a link to register one."""
    from sharing.gateway.policies import can_manage_service
    from sharing.models import DataService

    service = DataService.objects.filter(resource=resource).first()
    manage = can_manage_service(user, resource)
    if service is not None and (service.status == DataService.Status.ENABLED or manage):
        return {"service": service, "manage": manage}
    if service is None and manage:
        return {"register": True}
    return {}


@register.simple_tag
def service_resource_ids(resources) -> set[int]:
    """Which of the listed catalog entries have an enabled data service (one query)."""
    from sharing.gateway.selectors import enabled_resource_ids

    return enabled_resource_ids(r.pk for r in resources)

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

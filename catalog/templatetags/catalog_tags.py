"""Small template helpers of the catalog pages (query strings for facets and pages)."""

from django import template
from django.http import QueryDict

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def query_replace(querystring: str, **changes) -> str:
    """``querystring`` with the given parameters replaced (empty value = removed); the page
    number is dropped unless it is one of the changes."""
    params = QueryDict(querystring, mutable=True)
    if "page" not in changes:
        params.pop("page", None)
    for name, value in changes.items():
        params.pop(name, None)
        if value not in ("", None):
            params[name] = value
    return params.urlencode()

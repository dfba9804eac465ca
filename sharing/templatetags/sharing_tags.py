from django import template

register = template.Library()


@register.simple_tag
def query_with(request, **changes) -> str:
    """The current query string with ``changes`` applied (keeps list filters on paging)."""
    query = request.GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()

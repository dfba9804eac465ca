"""Template helpers of the open-data pages."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

_SECTIONS = {
    "home": ("/open/",), "datasets": ("/open/datasets/",),
    "departments": ("/open/departments/",), "requests": ("/open/requests/",),
    "products": ("/open/products/",), "developers": ("/open/developers/",),
    "manage": ("/open/manage/",), "me": ("/open/me/", "/open/signup/"),
    "results": ("/assessment/results/",),
}


@register.simple_tag(takes_context=True)
def od_current(context, section: str) -> str:
    """``aria-current="page"`` on the navigation link of the current section."""
    request = context.get("request")
    path = getattr(request, "path", "")
    prefixes = _SECTIONS.get(section, ())
    match = path == "/open/" if section == "home" else path.startswith(prefixes)
    return mark_safe(' aria-current="page"') if match else ""


@register.filter
def filesize_cn(size) -> str:
    if size is None:
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


@register.filter
def stars(value) -> str:
    if value is None:
        return ""
    full = int(round(float(value)))
    return format_html('<span class="stars" aria-hidden="true">{}</span>',
                       "★" * full + "☆" * (5 - full))


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


@register.simple_tag
def open_highlights(limit: int = 5) -> dict:
    """Counts and newest datasets for the site's landing page."""
    from ..selectors import datasets_newest, open_catalog_counts, theme_counts

    return {"counts": open_catalog_counts(), "newest": list(datasets_newest(limit)),
            "themes": theme_counts()[:8]}

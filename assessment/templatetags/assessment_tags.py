"""Template helpers of the assessment pages."""

from decimal import Decimal

from django import template

from assessment.charts import heat_level
from assessment.indicators.base import FIGURE_LABELS

register = template.Library()


@register.filter
def num(value) -> str:
    """A score or value without trailing zeros; "—" when missing."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value)).normalize()
    except ArithmeticError:
        return str(value)
    return f"{number:f}"


@register.filter
def figures(inputs) -> list[tuple[str, object]]:
    """The figures behind a score as (label, value) pairs (a dict's ``items`` key would
    shadow the method in templates)."""
    if not isinstance(inputs, dict):
        return []
    return [(FIGURE_LABELS.get(key, key), value) for key, value in inputs.items()
            if key != "unavailable"]


@register.simple_tag
def heat(cell) -> str:
    if cell is None or cell.score is None:
        return "none"
    return str(heat_level(cell.score, cell.indicator.weight))


_TABS = {"plan": "plans", "unit": "plans", "self": "plans", "notice": "notices",
         "annual": "reports", "complaint": "complaints", "public": "public",
         "dashboard": "dashboard"}


@register.simple_tag(takes_context=True)
def assessment_tab(context) -> str:
    """The tab of the current page, from its URL name."""
    match = getattr(context.get("request"), "resolver_match", None)
    name = match.url_name if match else ""
    return next((tab for prefix, tab in _TABS.items() if name.startswith(prefix)), "")

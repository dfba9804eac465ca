"""Bulk queries over the other apps' data, one module per app.

Each source runs a fixed number of ``GROUP BY`` queries for any number of departments.
Models are looked up through the app registry so a missing app makes the source
unavailable instead of breaking the assessment.
"""

from django.apps import apps
from django.db.models import Case, IntegerField, Q, Sum, Value, When

from assessment.indicators.base import SourceUnavailable


def model(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError as exc:
        raise SourceUnavailable(f"{app_label}.{name}") from exc


def count_if(condition: Q | object) -> Sum:
    """``SUM(CASE WHEN condition THEN 1 ELSE 0 END)``, portable across databases."""
    return Sum(Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField()))


def rows_by(queryset, key: str) -> dict[int, dict]:
    """Map the aggregated rows of ``queryset.values(key).annotate(...)`` by ``key``."""
    result = {}
    for row in queryset:
        pk = row.pop(key)
        result[pk] = {k: (v or 0) for k, v in row.items()}
    return result

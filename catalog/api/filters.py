import django_filters
from django.db.models import Q

from portal.search import search_filter

from ..models import (
    ChangeEvent,
    Classification,
    OpenType,
    Resource,
    ResourceFormat,
    SharingType,
    Theme,
    UpdateCycle,
)
from ..selectors import CATALOG_KINDS


class ResourceFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="全文检索（中文分词）")
    department = django_filters.NumberFilter(field_name="provider_id", label="提供部门 id")
    classification = django_filters.ChoiceFilter(choices=Classification.choices)
    theme = django_filters.ChoiceFilter(choices=Theme.choices)
    sharing_type = django_filters.ChoiceFilter(choices=SharingType.choices)
    open_type = django_filters.ChoiceFilter(choices=OpenType.choices)
    format = django_filters.ChoiceFilter(choices=ResourceFormat.choices)
    update_cycle = django_filters.ChoiceFilter(choices=UpdateCycle.choices)
    status = django_filters.ChoiceFilter(choices=Resource.Status.choices)
    kind = django_filters.ChoiceFilter(
        choices=[(k, label) for k, (label, _q) in CATALOG_KINDS.items()], method="filter_kind",
        label="HY-12 目录类别")
    code = django_filters.CharFilter(field_name="code")
    registered_after = django_filters.IsoDateTimeFilter(field_name="registered_at", lookup_expr="gte")
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Resource
        fields = ["is_open", "is_disclosure", "project"]

    def filter_search(self, queryset, name, value):
        return search_filter(queryset, value)

    def filter_kind(self, queryset, name, value):
        return queryset.filter(CATALOG_KINDS[value][1]) if value in CATALOG_KINDS else queryset


class ChangeEventFilter(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="已逾期")

    class Meta:
        model = ChangeEvent
        fields = ["department", "status", "kind"]

    def filter_overdue(self, queryset, name, value):
        flagged = Q(overdue_at__isnull=False)
        return queryset.filter(flagged) if value else queryset.exclude(flagged)

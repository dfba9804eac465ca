"""Every catalog query a page, the API or a task needs, filtered to what the user may see.

List pages run a constant number of SQL queries whatever the catalog's size: facet counts
come from one grouped query (``GROUPING SETS`` on PostgreSQL, one ``GROUP BY`` per facet
elsewhere), the total comes from the facets, and related rows are joined or prefetched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from portal.models import Department
from portal.params import object_id
from portal.policies import is_authority, is_center, is_government_user
from portal.search import search_filter

from .models import (
    Census,
    CensusEntry,
    ChangeEvent,
    Classification,
    DataItem,
    OpenType,
    Project,
    Resource,
    ResourceFormat,
    SharingType,
    Theme,
    UpdateCycle,
)


def resources_registered() -> QuerySet[Resource]:
    """The platform-wide catalog (C9): registered entries, with their provider."""
    return Resource.objects.filter(status=Resource.Status.REGISTERED).select_related(
        "provider", "provider__region"
    )


def resources_visible(user) -> QuerySet[Resource]:
    """Entries ``user`` may see (C9): registered ones for every government user, plus
    every state of their own department's entries; the center sees all."""
    if not getattr(user, "is_authenticated", False) or not is_government_user(user):
        return Resource.objects.none()
    qs = Resource.objects.select_related("provider", "provider__region", "revision_of")
    if is_center(user):
        return qs
    own = Q(provider_id=user.department_id) if user.department_id else Q(pk__in=[])
    return qs.filter(Q(status=Resource.Status.REGISTERED) | own)


def items_active(resource: Resource) -> QuerySet[DataItem]:
    """The data items in force (retired ones are kept for grants but not listed)."""
    return resource.items.filter(retired=False).order_by("position", "pk")


def resource_for_detail(queryset: QuerySet[Resource]) -> QuerySet[Resource]:
    return queryset.select_related("project", "created_by").prefetch_related(
        Prefetch("items", queryset=DataItem.objects.order_by("position", "pk")),
        Prefetch("related_resources", queryset=Resource.objects.select_related("provider")),
    )


def department_catalog(department_id: int, *, status: str = "", q: str = "") -> QuerySet[Resource]:
    """A department's own catalog in every state (C9), newest changes first.
    Applied revisions are records of the past and stay out of the list."""
    qs = (Resource.objects.filter(provider_id=department_id)
          .exclude(status=Resource.Status.APPLIED).order_by("-updated_at", "-pk"))
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = search_filter(qs, q)
    return qs


def department_submitters(department_id: int):
    """The department's data administrators: who submits its drafts (C6)."""
    from portal.models import Role
    from portal.selectors import users_with_role

    return users_with_role(Role.DATA_ADMIN, department=department_id).order_by("pk")


def department_catalog_list(department_id: int, *, status: str = "", q: str = "") -> QuerySet[Resource]:
    """``department_catalog`` with only the columns the list shows and each row's number of
    active items (a correlated count, computed for the page's rows only — after LIMIT —
    where a JOIN + GROUP BY would count the items of the whole department first)."""
    return (department_catalog(department_id, status=status, q=q)
            .select_related("revision_of")
            .only("code", "name", "classification", "sharing_type", "status", "updated_at",
                  "project_id", "revision_of__code")
            .annotate(item_count=_active_item_count()))


def _active_item_count():
    counts = (DataItem.objects.filter(resource=OuterRef("pk"), retired=False).order_by()
              .values("resource").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def department_status_counts(department_id: int) -> dict[str, int]:
    rows = (Resource.objects.filter(provider_id=department_id)
            .exclude(status=Resource.Status.APPLIED)
            .values("status").annotate(n=Count("pk")).order_by())
    return {row["status"]: row["n"] for row in rows}


# -- the platform-wide catalog (C9) -------------------------------------------------------

# HY-12: the four catalog kinds as views of the registered catalog.
CATALOG_KINDS: dict[str, tuple[str, Q]] = {
    "foundational": ("基础政务信息共享目录", Q(classification=Classification.FOUNDATIONAL)),
    "thematic": ("主题应用政务信息共享目录", Q(classification=Classification.THEMATIC)),
    "departmental": ("部门政务信息资源目录", Q(classification=Classification.DEPARTMENTAL)),
    "disclosure": ("政府信息公开目录", Q(is_disclosure=True)),
}

# Facet name → (model column, choices or None for departments).
FACETS: dict[str, tuple[str, Any]] = {
    "department": ("provider_id", None),
    "classification": ("classification", Classification),
    "theme": ("theme", Theme),
    "sharing_type": ("sharing_type", SharingType),
    "format": ("format", ResourceFormat),
    "update_cycle": ("update_cycle", UpdateCycle),
    "open_type": ("open_type", OpenType),
}

ORDERINGS = {
    "recent": ("-registered_at", "-pk"),
    "name": ("name", "pk"),
    "code": ("code",),
}


@dataclass
class CatalogQuery:
    """What the user asked the platform catalog for (from GET parameters or the API)."""

    q: str = ""
    kind: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    ordering: str = "recent"

    @classmethod
    def from_params(cls, params) -> CatalogQuery:
        filters = {}
        for name in FACETS:
            values = [v for v in params.getlist(name) if v] if hasattr(params, "getlist") else (
                [params[name]] if params.get(name) else [])
            if values:
                filters[name] = values[:20]
        kind = params.get("kind", "")
        ordering = params.get("ordering", "recent")
        return cls(q=(params.get("q") or params.get("search") or "").strip()[:100],
                   kind=kind if kind in CATALOG_KINDS else "", filters=filters,
                   ordering=ordering if ordering in ORDERINGS else "recent")


def catalog_filter(queryset: QuerySet[Resource], query: CatalogQuery) -> QuerySet[Resource]:
    if query.kind:
        queryset = queryset.filter(CATALOG_KINDS[query.kind][1])
    for name, values in query.filters.items():
        column = FACETS[name][0]
        if name == "department":
            values = [pk for v in values if (pk := object_id(v)) is not None]
        queryset = queryset.filter(**{f"{column}__in": values})
    return search_filter(queryset, query.q)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    url: str = ""  # the query string that toggles this value (set by the page)


def facet_counts(queryset: QuerySet[Resource]) -> tuple[dict[str, dict[Any, int]], int]:
    """Counts per value of every facet over ``queryset`` and the total, without a query
    per facet value: one ``GROUPING SETS`` query on PostgreSQL, one ``GROUP BY`` per
    facet on other databases."""
    columns = [column for column, _choices in FACETS.values()]
    base = queryset.order_by().values(*columns)
    counts: dict[str, dict[Any, int]] = {name: {} for name in FACETS}
    names = dict(zip(columns, FACETS, strict=True))
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        sql, params = base.query.sql_with_params()
        quoted = [connection.ops.quote_name(c) for c in columns]
        grouping = ", ".join(f"GROUPING({c})" for c in quoted)
        sets = ", ".join(f"({c})" for c in quoted)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(quoted)}, {grouping}, COUNT(*) FROM ({sql}) AS facet "  # noqa: S608
                f"GROUP BY GROUPING SETS ({sets}, ())", params)
            total = 0
            for row in cursor.fetchall():
                values, flags, n = row[:len(columns)], row[len(columns):-1], row[-1]
                grouped = [i for i, flag in enumerate(flags) if flag == 0]
                if not grouped:
                    total = n
                    continue
                counts[names[columns[grouped[0]]]][values[grouped[0]]] = n
        return counts, total
    for column in columns:
        for row in base.values(column).annotate(n=Count("pk")).order_by():
            counts[names[column]][row[column]] = row["n"]
    return counts, sum(counts["classification"].values())


def _facet_values(counts, query: CatalogQuery) -> dict[str, list[FacetValue]]:
    department_ids = [pk for pk in counts["department"] if pk is not None]
    department_names = dict(
        Department.objects.filter(pk__in=department_ids).order_by().values_list("pk", "name"))
    out: dict[str, list[FacetValue]] = {}
    for name, (_column, choices) in FACETS.items():
        selected = set(query.filters.get(name, []))
        values = []
        for value, n in counts[name].items():
            if value in (None, ""):
                continue
            label = department_names.get(value, str(value)) if choices is None else str(
                choices(value).label if value in choices.values else value)
            values.append(FacetValue(str(value), label, n, str(value) in selected))
        values.sort(key=lambda v: (-v.count, v.label))
        out[name] = values
    return out


class KnownCountPaginator(Paginator):
    """A paginator told the total, so it never runs its own ``COUNT(*)``."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


@dataclass
class CatalogResult:
    page: Any
    facets: dict[str, list[FacetValue]]
    total: int


def catalog_search(query: CatalogQuery, *, page: int | str = 1, per_page: int = 20) -> CatalogResult:
    """The platform-wide catalog page: registered entries matching ``query``, the page's
    rows with providers and active items, and the facets. Four queries whatever the size."""
    base = catalog_filter(Resource.objects.filter(status=Resource.Status.REGISTERED), query)
    counts, total = facet_counts(base)
    rows = (base.select_related("provider").only(*LIST_FIELDS, "provider__name", "provider__short_name")
            .order_by(*ORDERINGS[query.ordering]))
    result_page = KnownCountPaginator(rows, per_page, count=total).get_page(page)
    _attach_item_names(list(result_page.object_list))
    return CatalogResult(page=result_page, facets=_facet_values(counts, query), total=total)


# The columns a result list shows (the wide text and search columns stay unread).
LIST_FIELDS = ("code", "name", "summary", "provider", "classification", "theme", "sharing_type",
               "format", "update_cycle", "open_type", "registered_at", "status")


def _attach_item_names(resources: list[Resource]) -> None:
    """``resource.item_names``: the names of each listed entry's active items, from one
    query of plain values (cheaper than a prefetch building model instances)."""
    names: dict[int, list[str]] = {r.pk: [] for r in resources}
    rows = (DataItem.objects.filter(resource_id__in=list(names), retired=False)
            .order_by("resource_id", "position", "pk").values_list("resource_id", "name"))
    for resource_id, name in rows:
        names[resource_id].append(name)
    for resource in resources:
        resource.item_names = names[resource.pk]


def catalog_export_rows(queryset: QuerySet[Resource]) -> QuerySet[Resource]:
    """Entries for a spreadsheet export, with providers and items, streamed in chunks."""
    return (queryset.select_related("provider")
            .prefetch_related(Prefetch("items", queryset=DataItem.objects.filter(retired=False)
                                       .order_by("position", "pk")))
            .defer("search_text", "search_vector"))


# -- deadlines, census, projects ----------------------------------------------------------

def change_events_visible(user) -> QuerySet[ChangeEvent]:
    qs = ChangeEvent.objects.select_related("department", "recorded_by")
    if is_center(user) or is_authority(user):
        return qs
    if getattr(user, "department_id", None):
        return qs.filter(department_id=user.department_id)
    return qs.none()


def change_events_open(department_id: int) -> QuerySet[ChangeEvent]:
    return ChangeEvent.objects.filter(department_id=department_id,
                                      status=ChangeEvent.Status.OPEN).order_by("due_on")


def censuses_visible(user) -> QuerySet[Census]:
    return Census.objects.all() if is_government_user(user) else Census.objects.none()


def census_entries_for(census: Census, department_id: int) -> QuerySet[CensusEntry]:
    return (census.entries.filter(department_id=department_id)
            .select_related("resource", "confirmed_by").order_by("status", "resource__name"))


def projects_visible(user) -> QuerySet[Project]:
    qs = Project.objects.select_related("department").annotate(resource_count=Count("resources"))
    if is_center(user) or is_authority(user):
        return qs
    if getattr(user, "department_id", None):
        return qs.filter(department_id=user.department_id)
    return qs.none()

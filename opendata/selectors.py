"""Every open-data query a page, the API, the CKAN API or a task needs, already filtered
to what the user may see.

The public sees published datasets whose catalog entry is still registered and open;
the check is part of the query, so a dataset closed in the catalog disappears at once,
before the sweep withdraws it formally (O1).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import OpenType, Resource, ResourceFormat, Theme, UpdateCycle
from portal.models import Department, User
from portal.policies import is_center
from portal.search import search_filter

from .models import (
    PUBLISHABLE_OPEN_TYPES,
    AccessApplication,
    Comment,
    DataProduct,
    DataRequest,
    Dataset,
    DatasetField,
    DatasetUpdate,
    Distribution,
    OpenPlan,
    ProductDataset,
)
from .policies import can_use_manage_pages

# --- datasets, public ----------------------------------------------------------------------

_OPEN_ENTRY = Q(resource__status=Resource.Status.REGISTERED, resource__is_open=True,
                resource__open_type__in=PUBLISHABLE_OPEN_TYPES)


def datasets_public() -> QuerySet[Dataset]:
    """Published datasets the public may find (metadata is public for conditional ones too).

    The search columns are left out of the rows (they only serve the filter), which
    keeps sorting a large match set cheap.
    """
    return (Dataset.objects.filter(_OPEN_ENTRY, status=Dataset.Status.PUBLISHED)
            .select_related("publisher", "resource").defer("search_text", "search_vector"))


def dataset_public_detail(qs: QuerySet[Dataset] | None = None) -> QuerySet[Dataset]:
    """The public queryset with what a dataset page shows, loaded in a fixed number of queries."""
    return (qs if qs is not None else datasets_public()).select_related(
        "publisher__region").prefetch_related(
        Prefetch("fields", queryset=DatasetField.objects.filter(included=True)),
        Prefetch("distributions", queryset=Distribution.objects.order_by("format")),
    )


def datasets_with_distributions(qs: QuerySet[Dataset] | None = None) -> QuerySet[Dataset]:
    """Public datasets with their distributions (what a CKAN package or DCAT node needs)."""
    return (qs if qs is not None else datasets_public()).prefetch_related(
        Prefetch("distributions", queryset=Distribution.objects.order_by("format")))


def dataset_effective_open_type(dataset: Dataset) -> str:
    """Conditional when either the dataset or its catalog entry says so (the stricter wins)."""
    if OpenType.CONDITIONAL in (dataset.open_type, dataset.resource.open_type):
        return OpenType.CONDITIONAL
    return OpenType.UNCONDITIONAL


SORTS = {
    "updated": ("-modified_at", "-pk"),
    "newest": ("-first_published_at", "-pk"),
    "popular": ("-download_count", "-view_count", "-pk"),
    "rating": ("-rating_total", "-pk"),
    "name": ("title", "pk"),
}

FACETS = ("theme", "publisher", "resource_format", "open_type", "update_cycle")


@dataclass
class DatasetQuery:
    """What a search asks for; values come already validated from a form or the API."""

    q: str = ""
    theme: list[str] = field(default_factory=list)
    publisher: list[int] = field(default_factory=list)
    resource_format: list[str] = field(default_factory=list)
    open_type: list[str] = field(default_factory=list)
    update_cycle: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    sort: str = ""

    def filtered(self, qs: QuerySet[Dataset]) -> QuerySet[Dataset]:
        if self.theme:
            qs = qs.filter(theme__in=self.theme)
        if self.publisher:
            qs = qs.filter(publisher_id__in=self.publisher)
        if self.resource_format:
            qs = qs.filter(resource__format__in=self.resource_format)
        if self.open_type:
            qs = qs.filter(open_type__in=self.open_type)
        if self.update_cycle:
            qs = qs.filter(update_cycle__in=self.update_cycle)
        for tag in self.tags:
            qs = qs.filter(keyword_q(tag))
        return qs


def keyword_q(tag: str) -> Q:
    """Datasets whose keywords include ``tag`` exactly."""
    if connection.features.supports_json_field_contains:
        return Q(keywords__contains=[tag])
    # SQLite fallback: the stored JSON text holds each keyword as a JSON string
    # (written by json.dumps, so non-ASCII characters appear as \uXXXX escapes).
    return Q(keywords__icontains=json.dumps(tag))


def dataset_search(query: DatasetQuery, qs: QuerySet[Dataset] | None = None) -> QuerySet[Dataset]:
    """Matching public datasets, ordered (relevance first when there is a text query)."""
    qs = datasets_public() if qs is None else qs
    ranked = bool(query.q.strip()) and query.sort in ("", "relevance")
    qs = search_filter(query.filtered(qs), query.q, rank=ranked)
    if ranked and "search_rank" in qs.query.annotations:
        return qs.order_by("-search_rank", "-modified_at", "-pk")
    return qs.order_by(*SORTS.get(query.sort, SORTS["updated"]))


_VOCABULARIES = {
    "theme": Theme,
    "resource_format": ResourceFormat,
    "open_type": OpenType,
    "update_cycle": UpdateCycle,
}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False
    url: str = ""  # the search with this value toggled, filled in by the page


_FACET_SOURCES = {"theme": "theme", "resource_format": "resource__format",
                  "open_type": "open_type", "update_cycle": "update_cycle",
                  "publisher": "publisher_id"}


def facet_counts(base: QuerySet[Dataset], sources: dict[str, str] | None = None,
                 ) -> tuple[int, dict[str, dict[str, int]]]:
    """The total and ``{facet: {value: count}}`` of ``base``; ``sources`` maps each facet
    to the column it counts.

    Matching costs as much as the search itself, so it is done once for the total and
    every facet: on PostgreSQL with ``GROUPING SETS``; elsewhere by grouping on all the
    columns together and summing the groups here.
    """
    sources = sources or _FACET_SOURCES
    counts: dict[str, dict[str, int]] = {facet: {} for facet in sources}
    inner = base.order_by().values(**{f"f_{k}": F(v) for k, v in sources.items()})
    if connection.vendor == "postgresql":
        sql, params = inner.query.sql_with_params()
        names = [f"f_{k}" for k in sources]
        sets = ", ".join(f"({n})" for n in names)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(names)}, count(*), GROUPING({', '.join(names)}) "
                f"FROM ({sql}) AS facets GROUP BY GROUPING SETS ({sets}, ())", params)
            rows = cursor.fetchall()
        total = 0
        width = len(names)
        for row in rows:
            grouping, n = row[-1], row[-2]
            if grouping == (1 << width) - 1:
                total = n
                continue
            # The set's own column is the one whose GROUPING bit is 0.
            index = next(i for i in range(width) if not grouping & (1 << (width - 1 - i)))
            counts[list(sources)[index]][str(row[index])] = n
        return total, counts
    # Elsewhere (SQLite): one grouped scan over every facet column, summed here.
    total = 0
    names = [f"f_{k}" for k in sources]
    for row in inner.values(*names).annotate(n=Count("pk")).order_by():
        total += row["n"]
        for facet, name in zip(sources, names, strict=True):
            key = str(row[name])
            counts[facet][key] = counts[facet].get(key, 0) + row["n"]
    return total, counts


def dataset_facets(query: DatasetQuery, qs: QuerySet[Dataset] | None = None,
                   ) -> tuple[int, dict[str, list[FacetValue]]]:
    """The total and the facet counts of a search.

    Counts are within the current filters (drill-down); a chosen value stays listed even
    at zero so it can be unticked. Publishers are the 50 with most matches.
    """
    base = search_filter(query.filtered(datasets_public() if qs is None else qs), query.q)
    total, counts = facet_counts(base)
    facets: dict[str, list[FacetValue]] = {}
    for facet, vocabulary in _VOCABULARIES.items():
        labels = dict(vocabulary.choices)
        selected = set(getattr(query, facet))
        facets[facet] = sorted(
            (FacetValue(value, str(labels[value]), counts[facet].get(value, 0),
                        value in selected)
             for value in labels if counts[facet].get(value) or value in selected),
            key=lambda f: -f.count)
    top = sorted(counts["publisher"].items(), key=lambda kv: -kv[1])[:50]
    names = {str(pk): short or name for pk, short, name in Department.objects.filter(
        pk__in=[int(k) for k, _n in top]).values_list("pk", "short_name", "name")}
    chosen = {str(p) for p in query.publisher}
    facets["publisher"] = [FacetValue(pk, names.get(pk, pk), n, pk in chosen) for pk, n in top]
    return total, facets


def datasets_newest(limit: int = 8) -> QuerySet[Dataset]:
    return datasets_public().order_by("-first_published_at", "-pk")[:limit]


def datasets_popular(limit: int = 8) -> QuerySet[Dataset]:
    return datasets_public().order_by("-download_count", "-view_count", "-pk")[:limit]


def datasets_feed(limit: int = 50) -> QuerySet[Dataset]:
    """New and updated datasets for the Atom feed, most recent change first."""
    return datasets_public().order_by("-modified_at", "-pk")[:limit]


def open_catalog_counts() -> dict[str, int]:
    public = datasets_public().order_by()
    return {
        "datasets": public.count(),
        "publishers": public.values("publisher_id").distinct().count(),
        "downloads": sum(public.values_list("download_count", flat=True)),
        "products": DataProduct.objects.filter(status=DataProduct.Status.LISTED).count(),
        "requests": DataRequest.objects.exclude(status=DataRequest.Status.REJECTED).count(),
    }


def theme_counts() -> list[tuple[str, str, int]]:
    labels = dict(Theme.choices)
    rows = datasets_public().order_by().values("theme").annotate(n=Count("pk")).order_by("-n")
    return [(r["theme"], str(labels.get(r["theme"], r["theme"])), r["n"]) for r in rows]


def publishers_public() -> QuerySet[Department]:
    """Departments that publish open data, with their dataset counts."""
    return (Department.objects.filter(is_active=True)
            .annotate(open_count=Count("open_datasets", filter=Q(
                open_datasets__status=Dataset.Status.PUBLISHED,
                open_datasets__resource__status=Resource.Status.REGISTERED,
                open_datasets__resource__is_open=True)))
            .filter(open_count__gt=0).select_related("region").order_by("-open_count", "name"))


def dataset_withdrawn_public(name: str) -> Dataset | None:
    """A withdrawn dataset's public notice (title, reason, date), if it was ever published."""
    return (Dataset.objects.filter(name=name, status=Dataset.Status.WITHDRAWN,
                                   first_published_at__isnull=False)
            .select_related("publisher").first())


def comments_public(dataset: Dataset) -> QuerySet[Comment]:
    return (dataset.comments.filter(status=Comment.Status.APPROVED)
            .select_related("author").order_by("-created_at"))


def application_valid(user: User, dataset: Dataset, today: date | None = None
                      ) -> AccessApplication | None:
    if not user.is_authenticated:
        return None
    today = today or timezone.localdate()
    return (AccessApplication.objects.filter(
        dataset=dataset, applicant=user, status=AccessApplication.Status.APPROVED)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today)).first())


def access_refusal(user: User, dataset: Dataset, today: date | None = None) -> str:
    """Why ``user`` may not read a conditionally open dataset's data (O5), in words: the
    dataset page is public, so the refusal can say what to do instead of a bare 404."""
    if not user.is_authenticated:
        return _("该数据集为有条件开放：请使用社会公众账户登录并提交使用申请，获批后即可下载和调用接口。")
    latest = (AccessApplication.objects.filter(dataset=dataset, applicant=user)
              .order_by("-submitted_at", "-pk").first())
    status = AccessApplication.Status
    if latest is None:
        return _("该数据集为有条件开放：请先在数据集页面提交使用申请，获批后即可下载和调用接口。")
    if latest.status == status.SUBMITTED:
        return _("您的使用申请正在审批中（答复期限 %(due)s），获批后即可下载和调用接口。") % {
            "due": f"{latest.due_on:%Y-%m-%d}" if latest.due_on else "—"}
    if latest.status == status.REFUSED:
        return _("您的使用申请未获批准：%(reason)s。可修改用途后重新申请。") % {
            "reason": latest.decision_comment or _("未说明理由")}
    if latest.status == status.REVOKED:
        return _("您对该数据集的使用授权已终止：%(reason)s。如仍需使用，请重新申请。") % {
            "reason": latest.decision_comment or _("未说明理由")}
    if latest.status == status.APPROVED and latest.valid_until and latest.valid_until < (
            today or timezone.localdate()):
        return _("您的使用授权已于 %(day)s 到期，如需继续使用请重新申请。") % {
            "day": f"{latest.valid_until:%Y-%m-%d}"}
    return _("您的使用申请已撤回，如需使用请重新申请。")


def application_open(user: User, dataset: Dataset) -> AccessApplication | None:
    if not user.is_authenticated:
        return None
    return AccessApplication.objects.filter(
        dataset=dataset, applicant=user, status=AccessApplication.Status.SUBMITTED).first()


# --- the public's own things -------------------------------------------------------------

def applications_of(user: User) -> QuerySet[AccessApplication]:
    return (AccessApplication.objects.filter(applicant=user)
            .select_related("dataset", "dataset__publisher").order_by("-submitted_at"))


def requests_of(user: User) -> QuerySet[DataRequest]:
    return DataRequest.objects.filter(requester=user).select_related("department")


def products_of(user: User) -> QuerySet[DataProduct]:
    return DataProduct.objects.filter(owner=user).order_by("-submitted_at")


# --- data requests and products, public ----------------------------------------------------

def requests_public() -> QuerySet[DataRequest]:
    return DataRequest.objects.select_related("department", "dataset").order_by("-submitted_at")


def products_listed() -> QuerySet[DataProduct]:
    return (DataProduct.objects.filter(status=DataProduct.Status.LISTED)
            .prefetch_related(Prefetch("uses", queryset=ProductDataset.objects.select_related(
                "dataset").filter(dataset__status=Dataset.Status.PUBLISHED)))
            .order_by("-listed_at", "-pk"))


# --- department and center pages --------------------------------------------------------

def datasets_managed(user: User) -> QuerySet[Dataset]:
    """Datasets of the user's department in every state; the center sees all."""
    qs = Dataset.objects.select_related("publisher", "resource")
    if is_center(user):
        return qs
    if not can_use_manage_pages(user):
        return qs.none()
    return qs.filter(publisher_id=user.department_id)


def resources_openable(user: User) -> QuerySet[Resource]:
    """The department's registered open entries that have no dataset yet."""
    if not user.department_id:
        return Resource.objects.none()
    return (Resource.objects.filter(provider_id=user.department_id,
                                    status=Resource.Status.REGISTERED, is_open=True,
                                    open_type__in=PUBLISHABLE_OPEN_TYPES)
            .exclude(Exists(Dataset.objects.filter(resource=OuterRef("pk"))))
            .order_by("name"))


def resources_plannable(department_id: int) -> QuerySet[Resource]:
    """Entries a department may put in its open plan: its registered open entries."""
    return Resource.objects.filter(provider_id=department_id, status=Resource.Status.REGISTERED,
                                   is_open=True, open_type__in=PUBLISHABLE_OPEN_TYPES
                                   ).order_by("name")


def datasets_to_review(user: User) -> QuerySet[Dataset]:
    if not is_center(user):
        return Dataset.objects.none()
    return (Dataset.objects.filter(status=Dataset.Status.PROPOSED)
            .select_related("publisher", "resource").order_by("review_due_on", "proposed_at"))


def updates_to_review(user: User) -> QuerySet[DatasetUpdate]:
    if not is_center(user):
        return DatasetUpdate.objects.none()
    return (DatasetUpdate.objects.filter(status=DatasetUpdate.Status.PROPOSED)
            .select_related("dataset", "dataset__publisher").order_by("review_due_on"))


def updates_managed(user: User) -> QuerySet[DatasetUpdate]:
    return DatasetUpdate.objects.filter(dataset__in=datasets_managed(user)).select_related(
        "dataset", "dataset__publisher", "dataset__resource")


def applications_to_decide(user: User) -> QuerySet[AccessApplication]:
    qs = AccessApplication.objects.select_related("dataset", "dataset__publisher", "applicant")
    if is_center(user):
        return qs
    if not user.is_authenticated or not user.department_id:
        return qs.none()
    return qs.filter(dataset__publisher_id=user.department_id)


def comments_to_moderate(user: User) -> QuerySet[Comment]:
    qs = Comment.objects.select_related("dataset", "author")
    if is_center(user):
        return qs
    if not user.is_authenticated or not user.department_id:
        return qs.none()
    return qs.filter(dataset__publisher_id=user.department_id)


def requests_managed(user: User) -> QuerySet[DataRequest]:
    qs = DataRequest.objects.select_related("department", "suggested_department", "dataset")
    if is_center(user):
        return qs
    if not user.is_authenticated or not user.department_id:
        return qs.none()
    return qs.filter(department_id=user.department_id)


def products_to_review(user: User) -> QuerySet[DataProduct]:
    if not is_center(user):
        return DataProduct.objects.none()
    return DataProduct.objects.select_related("owner").order_by("-submitted_at")


def plans_managed(user: User) -> QuerySet[OpenPlan]:
    qs = OpenPlan.objects.select_related("department")
    if is_center(user):
        return qs
    if not user.is_authenticated or not user.department_id:
        return qs.none()
    return qs.filter(department_id=user.department_id)


@dataclass
class PlanProgress:
    planned: int
    published: int
    overdue: int

    @property
    def percent(self) -> int:
        return round(100 * self.published / self.planned) if self.planned else 0


def plan_progress(plan: OpenPlan, today: date | None = None) -> PlanProgress:
    """Planned entries, how many are published, how many are past their date unpublished."""
    today = today or timezone.localdate()
    published = Exists(Dataset.objects.filter(resource=OuterRef("resource"),
                                              status=Dataset.Status.PUBLISHED))
    counts = plan.items.annotate(done=published).aggregate(
        planned=Count("pk"), published=Count("pk", filter=Q(done=True)),
        overdue=Count("pk", filter=Q(done=False, planned_on__lt=today)))
    return PlanProgress(counts["planned"], counts["published"], counts["overdue"])


def plans_public(department: Department) -> QuerySet[OpenPlan]:
    return department.open_plans.filter(status=OpenPlan.Status.SUBMITTED).order_by("-year")

"""CKAN's ``package_search`` over the open catalog: ``q``, ``fq``, ``sort``, facets.

CKAN passes ``q`` and ``fq`` to Solr. Clients in practice send free text, ``*:*`` and
``field:value`` clauses (``organization:``, ``tags:``, ``groups:``, ``res_format:``,
``license_id:``, ``name:``, ``id:``), optionally quoted, negated with ``-`` and joined
with ``AND``. Those are translated to database filters; free text goes to the portal's
Chinese full-text search. Anything else is a "Search Query Error", as in CKAN.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from catalog.models import Theme
from portal.search import search_filter

from ..models import Dataset, Distribution
from ..selectors import _keyword_q, datasets_public
from ..vocab import DistributionFormat, Licence

MAX_ROWS = 1000
DEFAULT_ROWS = 10
_CLAUSE = re.compile(r'([+-]?)([A-Za-z_][\w.]*):("(?:[^"\\]|\\.)*"|\S+)')

SORTS = {
    "score": None,
    "metadata_modified": "modified_at",
    "metadata_created": "first_published_at",
    "name": "name",
    "title_string": "title",
    "views_recent": "view_count",
    "views_total": "view_count",
}

FORMAT_CODES = {"CSV": DistributionFormat.CSV, "XLSX": DistributionFormat.XLSX,
                "JSON": DistributionFormat.JSON, "API": DistributionFormat.API}


class SearchQueryError(ValueError):
    """A query CKAN would refuse: answered as ``Search Query Error``."""


def _has_format(code: str) -> Q:
    fmt = FORMAT_CODES.get(code.upper())
    if fmt is None:
        return Q(pk__in=[])
    files = Distribution.objects.filter(dataset=OuterRef("pk"), format=fmt)
    if fmt != DistributionFormat.API:
        files = files.exclude(file="")
    return Q(Exists(files), data_status=Dataset.DataStatus.READY)


def _organization(value: str) -> Q:
    return Q(publisher_id=int(value)) if value.isdigit() else Q(publisher__uscc__iexact=value)


FIELD_FILTERS = {
    "organization": _organization,
    "owner_org": _organization,
    "groups": lambda v: Q(theme=v),
    "tags": _keyword_q,
    "license_id": lambda v: Q(licence=v),
    "res_format": _has_format,
    "name": lambda v: Q(name=v),
    "id": lambda v: Q(uuid=v) if re.fullmatch(r"[0-9a-fA-F-]{32,36}", v) else Q(pk__in=[]),
    "open_type": lambda v: Q(open_type=v),
    "update_cycle": lambda v: Q(update_cycle=v),
    "state": lambda v: Q() if v == "active" else Q(pk__in=[]),
    "dataset_type": lambda v: Q() if v == "dataset" else Q(pk__in=[]),
    "type": lambda v: Q() if v == "dataset" else Q(pk__in=[]),
}


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_clauses(text: str) -> tuple[Q, str]:
    """Split ``text`` into field clauses (as a filter) and the remaining free text."""
    condition = Q()
    for sign, field, raw in _CLAUSE.findall(text or ""):
        if field not in FIELD_FILTERS:
            raise SearchQueryError(_("不支持按字段“%(field)s”检索。") % {"field": field})
        value = _unquote(raw)
        clause = Q() if value == "*" else FIELD_FILTERS[field](value)
        condition &= ~clause if sign == "-" else clause
    rest = _CLAUSE.sub(" ", text or "")
    rest = re.sub(r"\*:\*|\bAND\b|\bOR\b|[()+]", " ", rest)
    return condition, " ".join(rest.split())


def order_by(sort: str | None) -> list[str]:
    """CKAN ``sort`` ("metadata_modified desc, name asc") → model ordering."""
    if not sort:
        return []
    ordering = []
    for part in sort.split(","):
        pieces = part.split()
        if not pieces:
            continue
        field, direction = pieces[0], (pieces[1].lower() if len(pieces) > 1 else "asc")
        if field not in SORTS or direction not in ("asc", "desc"):
            raise SearchQueryError(_("不支持的排序：“%(sort)s”。") % {"sort": part.strip()})
        column = SORTS[field]
        if column:
            ordering.append(("-" if direction == "desc" else "") + column)
    return ordering


@dataclass
class PackageQuery:
    q: str = ""
    fq: str = ""
    sort: str = ""
    rows: int = DEFAULT_ROWS
    start: int = 0
    facet_fields: tuple[str, ...] = ()
    facet_limit: int = 50
    facet_mincount: int = 1


def package_queryset(query: PackageQuery, base: QuerySet[Dataset] | None = None,
                     ) -> tuple[QuerySet[Dataset], bool]:
    """The matching datasets, ordered; and whether free text was searched."""
    qs = datasets_public() if base is None else base
    q_filter, q_text = parse_clauses(query.q)
    fq_filter, fq_text = parse_clauses(query.fq)
    qs = qs.filter(q_filter & fq_filter)
    text = " ".join(t for t in (q_text, fq_text) if t)
    ordering = order_by(query.sort)
    ranked = bool(text) and not ordering
    qs = search_filter(qs, text, rank=ranked)
    if ranked and "search_rank" in qs.query.annotations:
        return qs.order_by("-search_rank", "-modified_at", "-pk"), True
    return qs.order_by(*(ordering or ["-modified_at"]), "-pk"), bool(text)


FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id", "open_type",
                "update_cycle")


def facets(qs: QuerySet[Dataset], fields: tuple[str, ...], *, limit: int, mincount: int,
           ) -> dict[str, dict[str, tuple[str, int]]]:
    """``{field: {value: (display name, count)}}`` for the requested CKAN facet fields."""
    base = qs.order_by()
    out: dict[str, dict[str, tuple[str, int]]] = {}
    for field in fields:
        if field not in FACET_FIELDS:
            raise SearchQueryError(_("不支持按字段“%(field)s”分面统计。") % {"field": field})
        counts: list[tuple[str, str, int]]
        if field == "organization":
            rows = base.values("publisher__uscc", "publisher__name").annotate(n=Count("pk"))
            counts = [(r["publisher__uscc"].lower(), r["publisher__name"], r["n"]) for r in rows]
        elif field == "tags":
            tally = Counter(w for words in base.values_list("keywords", flat=True)
                            for w in words or [])
            counts = [(w, w, n) for w, n in tally.items()]
        elif field == "res_format":
            rows = (Distribution.objects.filter(dataset__in=base.values("pk"),
                                                dataset__data_status=Dataset.DataStatus.READY)
                    .exclude(~Q(format=DistributionFormat.API), file="")
                    .values("format").annotate(n=Count("dataset", distinct=True)))
            names = {v: k for k, v in FORMAT_CODES.items()}
            counts = [(names[r["format"]], names[r["format"]], r["n"]) for r in rows]
        else:
            column = {"groups": "theme", "license_id": "licence"}.get(field, field)
            labels = {"groups": dict(Theme.choices), "license_id": dict(Licence.choices)}.get(
                field, {})
            rows = base.values(column).annotate(n=Count("pk"))
            counts = [(r[column], str(labels.get(r[column], r[column])), r["n"]) for r in rows]
        counts = sorted((c for c in counts if c[2] >= mincount), key=lambda c: (-c[2], c[0]))
        if limit >= 0:
            counts = counts[:limit]
        out[field] = {value: (display, n) for value, display, n in counts}
    return out

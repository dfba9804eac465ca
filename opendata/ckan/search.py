"""CKAN's ``package_search`` over the open catalog: ``q``, ``fq``, ``sort``, facets.

CKAN passes ``q`` and ``fq`` to Solr. Clients in practice send free text, ``*:*`` and
``field:value`` clauses (``title:``, ``notes:``, ``text:``, ``organization:``, ``tags:``,
``groups:``, ``res_format:``, ``license_id:``, ``name:``, ``id:``), optionally quoted,
negated with ``-``, joined with ``AND`` or ``OR``, and — as ckanext-harvest's CKAN
harvester does for incremental runs — date ranges such as
``metadata_modified:[2024-05-01T00:00:00Z TO *]``. Those are translated to database
filters (clauses joined by ``OR`` form one alternative, everything else must hold);
free text goes to the portal's Chinese full-text search. Anything else is a "Search
Query Error", as in CKAN.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from catalog.models import Theme
from portal.models import Department
from portal.params import object_id
from portal.search import search_filter

from ..models import Dataset, Distribution
from ..selectors import datasets_public, facet_counts, keyword_q
from ..vocab import DistributionFormat, Licence

MAX_ROWS = 1000
DEFAULT_ROWS = 10
_CLAUSE = re.compile(
    r'([+-]?)([A-Za-z_][\w.]*):(\[[^\]]*\]|\{[^}]*\}|"(?:[^"\\]|\\.)*"|[^\s()]+)')
_TOKEN = re.compile(_CLAUSE.pattern + r'|(\bOR\b|\|\|)|(\bAND\b|&&)')
_RANGE = re.compile(r"([\[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])")

SORTS = {
    "score": None,
    "metadata_modified": "modified_at",
    "metadata_created": "first_published_at",
    "name": "name",
    "id": "uuid",
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
    pk = object_id(value)
    return Q(publisher_id=pk) if pk is not None else Q(publisher__uscc__iexact=value)


def _solr_time(value: str) -> datetime:
    """A Solr date (``2024-05-01T00:00:00Z``, fractions allowed; a bare date too)."""
    try:
        parsed = datetime.fromisoformat(value.strip().removesuffix("Z"))
    except ValueError:
        raise SearchQueryError(_("无法解析日期“%(value)s”，请写成 2024-05-01T00:00:00Z。")
                               % {"value": value}) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _time_field(column: str):
    """A date field: one instant, or a Solr range ``[a TO b]`` (``{}`` excludes, ``*`` open)."""

    def build(value: str) -> Q:
        match = _RANGE.fullmatch(value.strip())
        if match is None:
            return Q(**{column: _solr_time(value)})
        opening, low, high, closing = match.groups()
        condition = Q()
        if low != "*":
            op = "gte" if opening == "[" else "gt"
            condition &= Q(**{f"{column}__{op}": _solr_time(low)})
        if high != "*":
            op = "lte" if closing == "]" else "lt"
            condition &= Q(**{f"{column}__{op}": _solr_time(high)})
        return condition

    return build


def _text(value: str) -> Q:
    return Q(pk__in=search_filter(datasets_public(), value, rank=False).values("pk"))


FIELD_FILTERS = {
    "title": lambda v: Q(title__icontains=v),
    "notes": lambda v: Q(description__icontains=v),
    "text": _text,
    "metadata_modified": _time_field("modified_at"),
    "metadata_created": _time_field("first_published_at"),
    "organization": _organization,
    "owner_org": _organization,
    "groups": lambda v: Q(theme=v),
    "tags": keyword_q,
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


def _clause(sign: str, field: str, raw: str) -> Q:
    if field not in FIELD_FILTERS:
        raise SearchQueryError(_("不支持按字段“%(field)s”检索。") % {"field": field})
    value = _unquote(raw)
    clause = Q() if value == "*" else FIELD_FILTERS[field](value)
    return ~clause if sign == "-" else clause


def parse_clauses(text: str) -> tuple[Q, str]:
    """Split ``text`` into field clauses (as a filter) and the remaining free text.

    Clauses joined by ``OR`` form one alternative; alternatives and lone clauses are
    joined by ``AND`` (Solr's default operator in CKAN).
    """
    condition = Q()
    group: Q | None = None
    pending_or = False
    for match in _TOKEN.finditer(text or ""):
        sign, field, raw, is_or, _is_and = match.groups()
        if is_or:
            pending_or = group is not None
            continue
        if field is None:  # AND
            pending_or = False
            continue
        clause = _clause(sign, field, raw)
        if pending_or and group is not None:
            group |= clause
        else:
            if group is not None:
                condition &= group
            group = clause
        pending_or = False
    if group is not None:
        condition &= group
    rest = _CLAUSE.sub(" ", text or "")
    rest = re.sub(r"\*:\*|\bAND\b|\bOR\b|&&|\|\||[()+]", " ", rest)
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
# Facets counted on a column of the matching rows, all in one pass with the total.
_COLUMN_FACETS = {"organization": "publisher__uscc", "groups": "theme",
                  "license_id": "licence", "open_type": "open_type",
                  "update_cycle": "update_cycle"}


def _display_names(field: str, values) -> dict[str, str]:
    if field == "organization":
        return {u.lower(): n for u, n in Department.objects.filter(
            uscc__in=list(values)).values_list("uscc", "name")}
    labels = {"groups": dict(Theme.choices), "license_id": dict(Licence.choices)}.get(field, {})
    return {v: str(labels.get(v, v)) for v in values}


def count_and_facets(qs: QuerySet[Dataset], fields: tuple[str, ...], *, limit: int,
                     mincount: int) -> tuple[int, dict[str, dict[str, tuple[str, int]]]]:
    """The number of matches and ``{field: {value: (display name, count)}}``."""
    unknown = [f for f in fields if f not in FACET_FIELDS]
    if unknown:
        raise SearchQueryError(_("不支持按字段“%(field)s”分面统计。") % {"field": unknown[0]})
    base = qs.order_by()
    total, counted = facet_counts(base, {f: _COLUMN_FACETS[f] for f in fields
                                         if f in _COLUMN_FACETS} or {"groups": "theme"})
    raw: dict[str, dict[str, int]] = {f: counted[f] for f in fields if f in counted}
    if "organization" in raw:
        raw["organization"] = {k.lower(): n for k, n in raw["organization"].items()}
    if "tags" in fields:
        raw["tags"] = dict(Counter(w for words in base.values_list("keywords", flat=True)
                                   for w in words or []))
    if "res_format" in fields:
        rows = (Distribution.objects.filter(dataset__in=base.values("pk"),
                                            dataset__data_status=Dataset.DataStatus.READY)
                .exclude(~Q(format=DistributionFormat.API), file="")
                .values("format").annotate(n=Count("dataset", distinct=True)))
        names = {v: k for k, v in FORMAT_CODES.items()}
        raw["res_format"] = {names[r["format"]]: r["n"] for r in rows}
    out: dict[str, dict[str, tuple[str, int]]] = {}
    for field in fields:
        ranked = sorted(((v, n) for v, n in raw[field].items() if n >= mincount),
                        key=lambda c: (-c[1], c[0]))
        if limit >= 0:
            ranked = ranked[:limit]
        display = _display_names(field, [v for v, _n in ranked])
        out[field] = {v: (display.get(v, v), n) for v, n in ranked}
    return total, out

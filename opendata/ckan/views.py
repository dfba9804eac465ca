"""A read-only CKAN Action API v3 over the open catalog (O8), where CKAN serves it:
``/api/action/`` (what ``ckanapi`` calls) and ``/api/3/action/`` (what harvesters call).

Every answer has CKAN's envelope ``{"help", "success", "result"}``; errors have
``success: false`` and an ``error`` object with ``__type`` and ``message`` as CKAN
writes them, with CKAN's status codes (404 not found, 409 validation and search errors,
403 authorization, 400 bad request). Parameters come from the query string or, as CKAN
allows, a JSON body on POST.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Theme
from portal.errors import DomainError
from portal.models import ApiToken, Department
from portal.params import MAX_INT, ParameterInvalid, int_param, object_id
from portal.refusals import refusal_audit

from ..api.auth import request_consumer
from ..caching import catalog_stamp
from ..data import DataUnavailable, QueryError, RowsQuery
from ..dcat import Urls
from ..models import Dataset, Distribution
from ..selectors import dataset_public_detail, datasets_public, datasets_with_distributions
from ..services.access import Channel, DataHidden, open_rows_read
from ..throttling import OpenDataThrottle
from ..views.common import not_modified
from .search import (
    DEFAULT_ROWS,
    MAX_ROWS,
    PackageQuery,
    SearchQueryError,
    count_and_facets,
    package_queryset,
)
from .serializers import group_dict, licence_list, organization_dict, package_dict, tag_dict
from .serializers import organization_name as org_name

CKAN_VERSION = "2.10.4"
DATASTORE_MAX = 1000


class CkanError(Exception):
    def __init__(self, status: int, type_: str, message: str = "", **fields: Any):
        super().__init__(message)
        self.status, self.type, self.message, self.fields = status, type_, message, fields


def not_found(message: str = "Not found") -> CkanError:
    return CkanError(404, "Not Found Error", message)


def validation_error(**fields: list[str]) -> CkanError:
    return CkanError(409, "Validation Error", "", **fields)


Envelope = inline_serializer("CkanEnvelope", fields={
    "help": serializers.URLField(), "success": serializers.BooleanField(),
    "result": serializers.JSONField()})


def ckan_schema(**kwargs):
    """OpenAPI description of a CKAN action: query parameters or a JSON body, the envelope."""
    return extend_schema(tags=["ckan"], request=OpenApiTypes.OBJECT, responses=Envelope,
                         **kwargs)


class CkanAction(APIView):
    """Base of one CKAN action: parameters, envelope, errors, throttling, caching."""

    name = ""
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [OpenDataThrottle]
    renderer_classes = [JSONRenderer]
    # Results that depend only on the public catalog are cacheable by its stamp.
    catalog_cacheable = True

    def get_authenticators(self):
        from ..api.auth import CkanTokenAuthentication

        return [CkanTokenAuthentication()]

    def help_url(self) -> str:
        return self.request.build_absolute_uri(
            reverse("ckan:help_show") + f"?name={self.name}")

    def params(self) -> dict[str, Any]:
        # A key repeated in the query string is a list, as CKAN reads it
        # (``ckanapi -g`` sends ``fields=a&fields=b``).
        data: dict[str, Any] = {k: v[0] if len(v) == 1 else v
                                for k, v in self.request.query_params.lists()}
        if self.request.method == "POST":
            body = self.request.data
            if not isinstance(body, dict):
                raise CkanError(400, "Bad request - JSON Error",
                                "Bad request - JSON Error: Request data JSON decoded to "
                                f"{type(body).__name__} but it needs to be a dictionary.")
            data.update(body)
        return data

    def envelope(self, result: Any, status: int = 200) -> Response:
        return Response({"help": self.help_url(), "success": True, "result": result},
                        status=status)

    def handle_exception(self, exc):
        if isinstance(exc, CkanError):
            error = {"__type": exc.type}
            if exc.message:
                error["message"] = exc.message
            error.update(exc.fields)
            status = exc.status
        elif isinstance(exc, Http404 | exceptions.NotFound):
            error, status = {"__type": "Not Found Error", "message": "Not found"}, 404
        elif isinstance(exc, exceptions.Throttled):
            error = {"__type": "Throttled", "message": _("请求过于频繁，请 %(s)s 秒后再试。")
                     % {"s": int(exc.wait or 1)}}
            status = 429
        elif isinstance(exc, exceptions.AuthenticationFailed | exceptions.PermissionDenied):
            error, status = {"__type": "Authorization Error", "message": str(exc.detail)}, 403
        elif isinstance(exc, exceptions.ParseError):
            error, status = {"__type": "Bad request - JSON Error", "message": str(exc.detail)}, 400
        elif isinstance(exc, DomainError):
            refusal_audit(request=self.request, exc=exc)
            error, status = {"__type": "Validation Error", "message": str(exc)}, 409
        else:
            return super().handle_exception(exc)
        response = Response({"help": self.help_url(), "success": False, "error": error},
                            status=status)
        if status == 429:
            response["Retry-After"] = str(int(getattr(exc, "wait", 1) or 1))
        return response

    def get(self, request, *args, **kwargs):
        etag = None
        if self.catalog_cacheable and request.auth is None:
            stamp, modified = catalog_stamp()
            etag = f"{stamp}-{self.name}-{request.get_full_path()}"
            import hashlib

            etag = hashlib.md5(etag.encode(), usedforsecurity=False).hexdigest()
            cached = not_modified(request, etag, None)
            if cached is not None:
                return cached
        response = self.envelope(self.run(self.params()))
        if etag:
            response["ETag"] = f'"{etag}"'
            response["Cache-Control"] = "public, max-age=60"
        else:
            response["Cache-Control"] = "private, no-store"
        response["Access-Control-Allow-Origin"] = "*"
        return response

    def post(self, request, *args, **kwargs):
        response = self.envelope(self.run(self.params()))
        response["Cache-Control"] = "private, no-store"
        return response

    def run(self, params: dict[str, Any]) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- helpers
    def urls(self) -> Urls:
        return Urls(request=self.request)

    @staticmethod
    def int_param(params, name: str, default: int, *, low: int = 0, high: int = MAX_INT,
                  ) -> int:
        """A bounded integer (the portal's parser); out of bounds is a 400 here."""
        try:
            return int_param(params, name, default=default, low=low, high=high)
        except ParameterInvalid as exc:
            raise CkanError(400, "Validation Error", "", **exc.fields) from None


def _json_param(params, name: str, default: Any) -> Any:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if isinstance(raw, list | dict):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        raise validation_error(**{name: ["Invalid JSON"]}) from None


def _bool_param(params, name: str, default: bool) -> bool:
    raw = params.get(name, default)
    if isinstance(raw, bool):
        return raw
    return str(raw).lower() in ("true", "1", "yes", "on")


def _names(params, name: str) -> list[str]:
    """A list parameter given as a JSON list, a repeated key or comma-separated text
    (``fields``, ``sort``, ``facet.field``), as CKAN's clients send them."""
    raw = params.get(name)
    if raw is None or raw == "":
        return []
    if isinstance(raw, str) and raw.lstrip().startswith("["):
        raw = _json_param(params, name, [])
    values = raw if isinstance(raw, list) else str(raw).split(",")
    if not all(isinstance(v, str) for v in values):
        raise validation_error(**{name: ["Must be a list of strings"]})
    return [v.strip() for v in values if v.strip()]


def _find_dataset(value: str) -> Dataset:
    qs = dataset_public_detail()
    dataset = qs.filter(name=value).first()
    if dataset is None and value and len(value) in (32, 36):
        try:
            dataset = qs.filter(uuid=value).first()
        except Exception:  # noqa: BLE001 - not a UUID
            dataset = None
    if dataset is None:
        raise not_found()
    return dataset


def _find_department(value: str) -> Department:
    qs = Department.objects.filter(is_active=True)
    pk = object_id(value)
    department = (qs.filter(pk=pk).first() if pk is not None
                  else qs.filter(uscc__iexact=str(value)).first())
    if department is None or not datasets_public().filter(publisher=department).exists():
        raise not_found()
    return department


ID_PARAM = OpenApiParameter("id", str, required=True, description="name 或 id")
LIMIT_OFFSET = [OpenApiParameter("limit", int), OpenApiParameter("offset", int)]


@ckan_schema(parameters=LIMIT_OFFSET)
class PackageList(CkanAction):
    """``package_list``: names of all open datasets."""

    name = "package_list"

    def run(self, params):
        limit = self.int_param(params, "limit", 0, low=0)
        offset = self.int_param(params, "offset", 0, low=0)
        names = datasets_public().order_by("name").values_list("name", flat=True)
        return list(names[offset:offset + limit] if limit else names[offset:])


@ckan_schema(parameters=[ID_PARAM])
class PackageShow(CkanAction):
    """``package_show``: one dataset with its resources, organization and tags."""

    name = "package_show"

    def run(self, params):
        if not params.get("id"):
            raise validation_error(id=["Missing value"])
        return package_dict(_find_dataset(str(params["id"])), self.urls())


@ckan_schema(parameters=[
    OpenApiParameter("q", str), OpenApiParameter("fq", str), OpenApiParameter("sort", str),
    OpenApiParameter("rows", int), OpenApiParameter("start", int),
    OpenApiParameter("facet.field", str, description='JSON 数组，如 ["organization","tags"]'),
    OpenApiParameter("facet.limit", int), OpenApiParameter("facet.mincount", int),
])
class PackageSearch(CkanAction):
    """``package_search`` with ``q``, ``fq``, ``sort``, ``rows``, ``start``, ``facet.field``."""

    name = "package_search"

    def run(self, params):
        facet_fields = _names(params, "facet.field")
        query = PackageQuery(
            q=str(params.get("q", "") or ""), fq=str(params.get("fq", "") or ""),
            sort=str(params.get("sort", "") or ""),
            rows=self.int_param(params, "rows", DEFAULT_ROWS, low=0, high=MAX_ROWS),
            start=self.int_param(params, "start", 0, low=0),
            facet_fields=tuple(facet_fields),
            facet_limit=self.int_param(params, "facet.limit", 50, low=-1),
            facet_mincount=self.int_param(params, "facet.mincount", 1, low=0))
        try:
            qs, _text = package_queryset(query)
            count, counted = count_and_facets(qs, query.facet_fields, limit=query.facet_limit,
                                              mincount=query.facet_mincount)
        except SearchQueryError as exc:
            raise CkanError(409, "Search Query Error", f"Search error: {exc}") from None
        page = list(datasets_with_distributions(qs)[query.start:query.start + query.rows]) \
            if query.rows else []
        urls = self.urls()
        return {
            "count": count,
            "sort": query.sort or "score desc, metadata_modified desc",
            "facets": {f: {v: n for v, (_d, n) in values.items()}
                       for f, values in counted.items()},
            "search_facets": {f: {"title": f, "items": [
                {"name": v, "display_name": d, "count": n} for v, (d, n) in values.items()]}
                for f, values in counted.items()},
            "results": [package_dict(d, urls) for d in page],
        }


@ckan_schema(parameters=[
    OpenApiParameter("all_fields", bool), OpenApiParameter("sort", str), *LIMIT_OFFSET,
])
class OrganizationList(CkanAction):
    """``organization_list``: departments that publish open data."""

    name = "organization_list"

    def run(self, params):
        counts = dict(datasets_public().order_by().values("publisher_id")
                      .annotate(n=Count("pk")).values_list("publisher_id", "n"))
        departments = list(Department.objects.filter(pk__in=counts))
        sort = str(params.get("sort", "name asc") or "name asc")
        key, _sp, direction = sort.partition(" ")
        if key not in ("name", "title", "package_count"):
            raise validation_error(sort=["Invalid sort field"])
        keyfunc = {"name": org_name, "title": lambda d: d.name,
                   "package_count": lambda d: counts[d.pk]}[key]
        departments.sort(key=keyfunc, reverse=direction.strip().lower() == "desc")
        limit = self.int_param(params, "limit", 0, low=0)
        offset = self.int_param(params, "offset", 0, low=0)
        departments = departments[offset:offset + limit] if limit else departments[offset:]
        if _bool_param(params, "all_fields", False):
            urls = self.urls()
            return [organization_dict(d, urls, package_count=counts[d.pk]) for d in departments]
        return [org_name(d) for d in departments]


@ckan_schema(parameters=[
    ID_PARAM, OpenApiParameter("include_datasets", bool)])
class OrganizationShow(CkanAction):
    """``organization_show``: one department, optionally with its datasets (first 1000)."""

    name = "organization_show"

    def run(self, params):
        if not params.get("id"):
            raise validation_error(id=["Missing value"])
        department = _find_department(str(params["id"]))
        public = datasets_public().filter(publisher=department)
        urls = self.urls()
        data = organization_dict(department, urls, package_count=public.count())
        if _bool_param(params, "include_datasets", False):
            data["packages"] = [package_dict(d, urls) for d in
                                datasets_with_distributions(public.order_by("name"))[:1000]]
        data["users"] = []
        data["extras"] = []
        return data


@ckan_schema(parameters=[OpenApiParameter("all_fields", bool)])
class GroupList(CkanAction):
    """``group_list``: the themes in use."""

    name = "group_list"

    def run(self, params):
        used = (datasets_public().order_by().values("theme").annotate(n=Count("pk"))
                .values_list("theme", "n"))
        labels = dict(Theme.choices)
        if _bool_param(params, "all_fields", False):
            return [{**group_dict(t, str(labels.get(t, t))), "package_count": n}
                    for t, n in sorted(used)]
        return sorted(t for t, _n in used)


@ckan_schema(parameters=[OpenApiParameter("query", str), OpenApiParameter("all_fields", bool)])
class TagList(CkanAction):
    """``tag_list``: the keywords of open datasets (``query`` filters by substring)."""

    name = "tag_list"

    def run(self, params):
        query = str(params.get("query", "") or "")
        words = sorted({w for words in datasets_public().values_list("keywords", flat=True)
                        for w in words or [] if query in w})
        if _bool_param(params, "all_fields", False):
            return [tag_dict(w) for w in words]
        return words


@ckan_schema()
class LicenseList(CkanAction):
    name = "license_list"

    def run(self, params):
        return licence_list()


@ckan_schema()
class StatusShow(CkanAction):
    """``status_show``: what harvesters check first."""

    name = "status_show"

    def run(self, params):
        from portal.conf import portal_setting

        return {"ckan_version": CKAN_VERSION, "site_title": str(portal_setting("NAME")),
                "site_description": "", "site_url": self.request.build_absolute_uri("/")
                .rstrip("/"), "locale_default": "zh_Hans_CN", "error_emails_to": None,
                "extensions": ["datastore", "dcat"]}


@ckan_schema(parameters=[OpenApiParameter("name", str, required=True)])
class HelpShow(CkanAction):
    """``help_show``: the documentation of an action."""

    name = "help_show"

    def run(self, params):
        action = ACTIONS.get(str(params.get("name", "")))
        if action is None:
            raise not_found(_("没有该接口。"))
        return (action.__doc__ or "").strip()


@ckan_schema(parameters=[
    OpenApiParameter("resource_id", str, required=True),
    OpenApiParameter("filters", str, description='JSON 对象，如 {"district": "美兰区"}'),
    OpenApiParameter("q", str), OpenApiParameter("fields", str), OpenApiParameter("sort", str),
    OpenApiParameter("include_total", bool), *LIMIT_OFFSET,
])
class DatastoreSearch(CkanAction):
    """``datastore_search``: records of a dataset's resource, filtered and paginated.

    Conditionally open data needs the approved applicant's personal token; without it
    the resource is "Not Found", as for anything the caller may not see (O5).
    """

    name = "datastore_search"
    catalog_cacheable = False

    def run(self, params):
        resource_id = str(params.get("resource_id") or params.get("id") or "")
        if not resource_id:
            raise validation_error(resource_id=["Missing value"])
        dist = Distribution.objects.filter(uuid=resource_id).first() \
            if len(resource_id) in (32, 36) and _is_uuid(resource_id) else None
        dataset = (dataset_public_detail().filter(pk=dist.dataset_id).first()
                   if dist is not None else None)
        if dataset is None:
            raise not_found(_("资源不存在：%(id)s") % {"id": resource_id})
        token = self.request.auth if isinstance(self.request.auth, ApiToken) else None
        query = self._query(params)
        try:
            result = open_rows_read(
                consumer=request_consumer(self.request, token=token, channel=Channel.API),
                dataset=dataset, query=query, count=_bool_param(params, "include_total", True),
                parameters={"ckan": "datastore_search",
                            **{k: str(v)[:200] for k, v in params.items()}})
        except DataHidden:
            raise not_found(_("资源不存在：%(id)s") % {"id": resource_id}) from None
        except QueryError as exc:
            raise validation_error(**{exc.field: [str(exc)]}) from None
        except DataUnavailable as exc:
            raise not_found(str(exc)) from None
        records = [{"_id": query.offset + i + 1, **row} for i, row in enumerate(result.rows)]
        base = reverse("ckan:datastore_search") + f"?resource_id={resource_id}"
        data = {
            "resource_id": resource_id,
            "fields": [{"id": "_id", "type": "int"}] + [
                {"id": c["name"], "type": _ckan_type(c.get("type", "string")),
                 "info": {"label": c.get("title", "")}} for c in result.columns],
            "records": records,
            "limit": query.limit, "offset": query.offset,
            "filters": dict(_json_param(params, "filters", {}) or {}),
            "_links": {"start": base,
                       "next": f"{base}&offset={query.offset + query.limit}"},
        }
        if query.q:
            data["q"] = query.q
        if result.total >= 0:
            data["total"] = result.total
        return data

    def _query(self, params) -> RowsQuery:
        filters = _json_param(params, "filters", {})
        if not isinstance(filters, dict):
            raise validation_error(filters=["Must be a JSON object"])
        pairs = []
        for column, value in filters.items():
            values = value if isinstance(value, list) else [value]
            if len(values) > 1:
                pairs.append((str(column), "in", ",".join(str(v) for v in values)))
            else:
                pairs.append((str(column), "eq", "" if values[0] is None else str(values[0])))
        q = params.get("q", "")
        if isinstance(q, dict):
            pairs += [(str(c), "contains", str(v)) for c, v in q.items()]
            q = ""
        sort = []
        for part in _names(params, "sort"):
            bits = part.split()
            sort.append((bits[0].strip('"'), len(bits) > 1 and bits[1].lower() == "desc"))
        fields = [f for f in _names(params, "fields") if f != "_id"]
        return RowsQuery(filters=pairs, sort=sort, fields=fields, q=str(q or ""),
                         limit=self.int_param(params, "limit", 100, low=0, high=DATASTORE_MAX),
                         offset=self.int_param(params, "offset", 0, low=0))


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _ckan_type(column_type: str) -> str:
    return {"integer": "int8", "decimal": "float8", "date": "date", "datetime": "timestamp",
            "boolean": "bool"}.get(column_type, "text")


@extend_schema(exclude=True)
class UnknownAction(CkanAction):
    """Any other action name: CKAN's "Bad request - Action name not known"."""

    name = "help_show"

    def run(self, params):
        raise CkanError(400, "Bad request - Action name not known",
                        f"Bad request - Action name not known: {self.kwargs.get('action')}")


ACTIONS: dict[str, type[CkanAction]] = {
    view.name: view for view in (PackageList, PackageShow, PackageSearch, OrganizationList,
                                 OrganizationShow, GroupList, TagList, LicenseList, StatusShow,
                                 HelpShow,
                                 DatastoreSearch)
}

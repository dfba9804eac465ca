"""The open-data REST API (API.md): datasets and their data API, public data requests,
conditional-open applications and data products. Thin: selectors and services do the work.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.plumbing import build_array_type, build_object_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param

from catalog.models import OpenType, ResourceFormat, Theme, UpdateCycle
from dataplane.engine.query import Op
from portal.api.authentication import ApiTokenAuthentication
from portal.api.negotiation import PassThroughNegotiation
from portal.errors import NotPermitted
from portal.models import ApiToken, Department
from portal.params import int_param, object_id

from .. import selectors
from ..data import MAX_PAGE_SIZE, DataUnavailable, QueryError, RowsQuery
from ..models import AccessApplication, Dataset
from ..services import datasets as dataset_services
from ..services import demand as demand_services
from ..services import engagement as engagement_services
from ..services import products as product_services
from ..services.access import Channel, DataHidden, open_rows_read
from ..throttling import DownloadThrottle, FormThrottle, OpenDataThrottle
from ..views.exports import distribution_response
from ..vocab import FILE_FORMATS, FORMATS
from . import serializers as s
from .auth import request_consumer

RESERVED = {"page", "page_size", "sort", "fields", "q", "format"}
# The JSON download is one array of records; the other formats are files.
DOWNLOAD_SCHEMAS = {"application/json": build_array_type(build_object_type())}
_OPS = {op.value for op in Op}


def _token(request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class OpenDataAPIMixin:
    """Public by default, throttled per IP and per token, token or session authentication."""

    authentication_classes = [ApiTokenAuthentication,
                              *[c for c in api_settings.DEFAULT_AUTHENTICATION_CLASSES
                                if c is not ApiTokenAuthentication]]
    permission_classes = [permissions.AllowAny]
    throttle_classes = [OpenDataThrottle]


def _list_param(request, name: str) -> list[str]:
    return [v for raw in request.query_params.getlist(name) for v in raw.split(",") if v]


SEARCH_PARAMETERS = [
    OpenApiParameter("search", str, description="中文全文检索"),
    OpenApiParameter("theme", str, enum=Theme.values, many=True),
    OpenApiParameter("publisher", int, many=True),
    OpenApiParameter("resource_format", str, enum=ResourceFormat.values, many=True),
    OpenApiParameter("open_type", str, enum=[OpenType.UNCONDITIONAL, OpenType.CONDITIONAL],
                     many=True),
    OpenApiParameter("update_cycle", str, enum=UpdateCycle.values, many=True),
    OpenApiParameter("tag", str),
    OpenApiParameter("sort", str, enum=["", *selectors.SORTS]),
]


@extend_schema(tags=["opendata"])
@extend_schema_view(list=extend_schema(parameters=SEARCH_PARAMETERS))
class DatasetViewSet(OpenDataAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Open datasets (O1): public metadata; data through ``rows`` and ``download``."""

    filter_backends: list = []

    def get_serializer_class(self):
        return s.DatasetListSerializer if self.action == "list" else s.DatasetDetailSerializer

    def get_queryset(self):
        if self.action == "list":
            query = selectors.DatasetQuery(
                q=self.request.query_params.get("search", ""),
                theme=_list_param(self.request, "theme"),
                publisher=[pk for p in _list_param(self.request, "publisher")
                           if (pk := object_id(p)) is not None],
                resource_format=_list_param(self.request, "resource_format"),
                open_type=_list_param(self.request, "open_type"),
                update_cycle=_list_param(self.request, "update_cycle"),
                tags=_list_param(self.request, "tag"),
                sort=self.request.query_params.get("sort", ""))
            return selectors.dataset_search(query)
        if self.action in ("propose", "approve", "return_", "withdraw"):
            return selectors.datasets_managed(self.request.user)
        return selectors.dataset_public_detail()

    @extend_schema(
        parameters=[
            OpenApiParameter("page", int), OpenApiParameter("page_size", int),
            OpenApiParameter("sort", str, description="字段名，降序加前缀 -，多个用逗号分隔"),
            OpenApiParameter("fields", str, description="返回的字段，逗号分隔"),
            OpenApiParameter("q", str, description="在文本字段中查找"),
            OpenApiParameter("<字段>", str, description="按字段筛选：<字段>=值，"
                             "或 <字段>__<eq|ne|lt|lte|gt|gte|in|contains|startswith|isnull>=值"),
        ],
        responses=s.RowsResponseSerializer)
    @action(detail=True, methods=["get"])
    def rows(self, request, pk=None):
        """The data API (O4): filter, sort and paginate the records of a dataset."""
        dataset = self.get_object()
        query = rows_query_from(request)
        consumer = request_consumer(request, token=_token(request), channel=Channel.API)
        try:
            result = open_rows_read(consumer=consumer, dataset=dataset, query=query,
                                    parameters=dict(request.query_params.items()))
        except DataHidden as exc:
            # The dataset itself is public: say why its data is not (403, not 404).
            raise NotPermitted(str(exc), target=dataset, action="query") from None
        except QueryError as exc:
            raise ValidationError({exc.field: [str(exc)]}) from None
        except DataUnavailable as exc:
            return Response({"detail": str(exc), "code": "data_unavailable"},
                            status=status.HTTP_503_SERVICE_UNAVAILABLE)
        page = query.offset // query.limit + 1
        url = request.build_absolute_uri()
        has_next = query.offset + query.limit < result.total
        return Response({
            "count": result.total,
            "next": replace_query_param(url, "page", page + 1) if has_next else None,
            "previous": (None if page <= 1 else replace_query_param(url, "page", page - 1)
                         if page > 2 else remove_query_param(url, "page")),
            "fields": result.columns,
            "results": result.rows,
        })

    @extend_schema(parameters=[OpenApiParameter("format", str, enum=["csv", "xlsx", "json"])],
                   responses={(200, FORMATS[fmt].media_type): DOWNLOAD_SCHEMAS.get(
                       FORMATS[fmt].media_type, OpenApiTypes.BINARY) for fmt in FILE_FORMATS})
    @action(detail=True, methods=["get"], throttle_classes=[DownloadThrottle],
            url_path="download", content_negotiation_class=PassThroughNegotiation)
    def download(self, request, pk=None):
        """Bulk download of the published (desensitized) file, streamed."""
        dataset = self.get_object()
        fmt = request.query_params.get("format", "csv")
        if fmt not in FILE_FORMATS:
            raise ValidationError({"format": [_("格式须为 %(formats)s 之一。") % {
                "formats": "、".join(FILE_FORMATS)}]})
        return distribution_response(request, dataset, fmt, channel=Channel.API,
                                     token=_token(request))

    def _act(self, service, **kwargs):
        dataset = self.get_object()
        if not self.request.user.is_authenticated:
            raise NotAuthenticated()
        dataset = service(actor=self.request.user, dataset=dataset, **kwargs)
        return Response(s.DatasetListSerializer(dataset, context={"request": self.request}).data)

    @extend_schema(request=s.WorkflowCommentSerializer, responses=s.DatasetListSerializer)
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        """Submit the dataset to the center (department data administrator, O2)."""
        return self._act(dataset_services.dataset_propose,
                         comment=request.data.get("comment", ""))

    @extend_schema(request=s.WorkflowCommentSerializer, responses=s.DatasetListSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve and publish (information center, O2)."""
        return self._act(dataset_services.dataset_approve,
                         comment=request.data.get("comment", ""))

    @extend_schema(request=s.WorkflowCommentSerializer, responses=s.DatasetListSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """Return to the department with a comment (information center, O2)."""
        return self._act(dataset_services.dataset_return,
                         comment=request.data.get("comment", ""))

    @extend_schema(request=s.ReasonSerializer, responses=s.DatasetListSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Take offline with a public reason (O2)."""
        return self._act(dataset_services.dataset_withdraw,
                         reason=request.data.get("reason", ""))


def rows_query_from(request) -> RowsQuery:
    params = request.query_params
    size = int_param(params, "page_size", default=20, low=1, high=MAX_PAGE_SIZE)
    page = int_param(params, "page", default=1, low=1)
    filters = []
    for key in params:
        if key in RESERVED:
            continue
        column, _sep, op = key.partition("__")
        if op and op not in _OPS:
            column, op = key, ""
        for value in params.getlist(key):
            filters.append((column, op or Op.EQ.value, value))
    sort = [(p.lstrip("-"), p.startswith("-")) for p in params.get("sort", "").split(",") if p]
    fields = [f for f in params.get("fields", "").split(",") if f]
    return RowsQuery(filters=filters, sort=sort, fields=fields, q=params.get("q", ""),
                     limit=size, offset=(page - 1) * size)


class CreateThrottleMixin:
    """Creating requests and applications counts against the slow "form" rate."""

    def get_throttles(self):
        if self.action == "create":
            return [FormThrottle()]
        return super().get_throttles()


@extend_schema(tags=["opendata"])
class DataRequestViewSet(CreateThrottleMixin, OpenDataAPIMixin, mixins.CreateModelMixin,
                         viewsets.ReadOnlyModelViewSet):
    """Public data requests (需求征集, HN-31): anyone asks; status and answers are public."""

    serializer_class = s.DataRequestSerializer
    filterset_fields = ["status", "department"]

    def get_queryset(self):
        if self.action in ("route", "reject", "answer"):
            return selectors.requests_managed(self.request.user)
        return selectors.requests_public()

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = demand_services.request_submit(
            actor=self.request.user if self.request.user.is_authenticated else None,
            title=data["title"], description=data["description"],
            scenario=data.get("scenario", ""), theme=data.get("theme", ""),
            suggested_department=data.get("suggested_department"),
            contact_name=data["contact_name"], contact_email=data["contact_email"])

    def _done(self, obj):
        return Response(s.DataRequestSerializer(obj, context={"request": self.request}).data)

    @extend_schema(request=s.RouteSerializer, responses=s.DataRequestSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def route(self, request, pk=None):
        """The center routes the request to a department."""
        obj = self.get_object()
        body = s.RouteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        department = get_object_or_404(Department, pk=body.validated_data["department"])
        return self._done(demand_services.request_route(
            actor=request.user, request=obj, department=department,
            comment=body.validated_data["comment"]))

    @extend_schema(request=s.ReasonSerializer, responses=s.DataRequestSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def reject(self, request, pk=None):
        return self._done(demand_services.request_reject(
            actor=request.user, request=self.get_object(), reason=request.data.get("reason", "")))

    @extend_schema(request=s.AnswerSerializer, responses=s.DataRequestSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def answer(self, request, pk=None):
        """The department answers publicly."""
        obj = self.get_object()
        body = s.AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dataset_id = body.validated_data.get("dataset")
        dataset = Dataset.objects.filter(pk=dataset_id).first() if dataset_id else None
        return self._done(demand_services.request_answer(
            actor=request.user, request=obj, outcome=body.validated_data["outcome"],
            answer=body.validated_data["answer"], dataset=dataset))


@extend_schema(tags=["opendata"])
class ApplicationViewSet(CreateThrottleMixin, OpenDataAPIMixin, mixins.CreateModelMixin,
                         viewsets.ReadOnlyModelViewSet):
    """Conditional-open applications (O5): the public user's own, or those to decide."""

    serializer_class = s.ApplicationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status", "dataset"]

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or not user.is_authenticated:
            return AccessApplication.objects.none()
        if self.action in ("approve", "refuse"):
            return selectors.applications_to_decide(user)
        mine = selectors.applications_of(user)
        return (mine | selectors.applications_to_decide(user)).distinct()

    def perform_create(self, serializer):
        data = serializer.validated_data
        dataset = data["dataset"]
        if not selectors.datasets_public().filter(pk=dataset.pk).exists():
            raise Http404
        serializer.instance = engagement_services.application_submit(
            actor=self.request.user, dataset=dataset, purpose_kind=data["purpose_kind"],
            purpose=data["purpose"], contact_phone=data["contact_phone"],
            organisation=data.get("organisation", ""),
            security_measures=data.get("security_measures", ""))

    @extend_schema(request=s.DecisionSerializer, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        body = s.DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        obj = engagement_services.application_approve(
            actor=request.user, application=self.get_object(),
            comment=body.validated_data["comment"],
            valid_until=body.validated_data["valid_until"])
        return Response(s.ApplicationSerializer(obj).data)

    @extend_schema(request=s.DecisionSerializer, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        obj = engagement_services.application_refuse(
            actor=request.user, application=self.get_object(),
            comment=request.data.get("comment", ""))
        return Response(s.ApplicationSerializer(obj).data)

    @extend_schema(request=None, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        obj = engagement_services.application_cancel(actor=request.user,
                                                     application=self.get_object())
        return Response(s.ApplicationSerializer(obj).data)


@extend_schema(tags=["opendata"])
class DataProductViewSet(OpenDataAPIMixin, mixins.CreateModelMixin,
                         viewsets.ReadOnlyModelViewSet):
    """Data products built on open data (O7): the listed ones, and registering one."""

    serializer_class = s.DataProductSerializer

    def get_permissions(self):
        if self.action == "create":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.products_listed()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        uses = []
        for use in data.pop("uses", []):
            dataset = selectors.datasets_public().filter(pk=use["dataset_id"]).first()
            if dataset is None:
                raise ValidationError({"uses": [_("数据集 %(id)s 不存在或未发布。")
                                                % {"id": use["dataset_id"]}]})
            uses.append((dataset, use["source"], use["acquired_on"]))
        serializer.instance = product_services.product_register(
            actor=self.request.user, data=data, uses=uses)

"""REST faces of the data plane (API.md): versions, online query, download, access log,
anomalies and usage reports. Thin: every call goes to a service or selector."""

import django_filters
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from portal.access import get_visible_or_404
from portal.api.throttling import TokenRateThrottle
from portal.errors import NotPermitted
from portal.models import ApiToken
from portal.services.audit import client_ip

from ..models import AccessLogEntry, DataVersion
from ..policies import can_view_versions
from ..selectors import (
    access_log_visible,
    anomalies_visible,
    data_resources_visible,
    usage_reports_visible,
    versions_of,
)
from ..services.delivery import Consumer, download_open, rows_fetch
from ..services.monitoring import anomaly_close
from ..services.versions import version_upload
from .serializers import (
    AccessLogSerializer,
    AnomalyCloseSerializer,
    AnomalySerializer,
    RowsSerializer,
    UsageReportSerializer,
    VersionDetailSerializer,
    VersionSerializer,
    VersionUploadSerializer,
)
from .throttling import DataTokenThrottle

DATA_THROTTLES = [TokenRateThrottle, AnonRateThrottle, DataTokenThrottle]

QUERY_PARAMETERS = [
    OpenApiParameter("fields", str, description="逗号分隔的信息项名称（或字段标识）；默认为全部已授权信息项"),
    OpenApiParameter("purpose", str, description="使用的授权用途（行政依据 administrative_basis 等）；默认自动选择"),
]
FILTER_HELP = (
    "Filters: `?<item>=<value>` or `?<item>__<op>=<value>` on key items (可作查询条件的信息项), "
    "op one of eq, ne, lt, lte, gt, gte, in (comma-separated), contains, startswith, "
    "isnull (true/false). Only granted items are returned; asking for an ungranted item "
    "is a 403 naming it. Every call is written to the access log."
)


def _resource(request, code: str):
    return get_visible_or_404(request, data_resources_visible(request.user), code=code)


def _versions_resource(request, code: str):
    resource = _resource(request, code)
    if not can_view_versions(request.user, resource):
        raise NotPermitted(_("只有提供部门、信息中心和主管部门可以查看数据版本。"),
                           target=resource, action="view_versions")
    return resource


def _consumer(request) -> Consumer:
    token = request.auth if isinstance(request.auth, ApiToken) else None
    return Consumer.of(user=request.user, token=token, channel=AccessLogEntry.Channel.API,
                       ip_address=client_ip(request))


@extend_schema_view(
    get=extend_schema(tags=["data"]),
    post=extend_schema(tags=["data"], request=VersionUploadSerializer,
                       responses={202: VersionSerializer}),
)
class VersionList(generics.ListCreateAPIView):
    """Data versions of a resource; the provider's data administrator uploads with POST
    (multipart: ``file``, optional ``format``, ``encoding``, ``note``). The upload is
    checked in the background: follow ``status`` and ``progress`` on the version."""

    parser_classes = [MultiPartParser, FormParser]
    serializer_class = VersionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DataVersion.objects.none()
        return versions_of(_versions_resource(self.request, self.kwargs["code"]))

    def create(self, request, code: str):
        resource = _resource(request, code)
        form = VersionUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        version = version_upload(
            actor=request.user, resource=resource, upload=form.validated_data["file"],
            fmt=form.validated_data.get("format") or "",
            encoding=form.validated_data["encoding"], note=form.validated_data.get("note", ""),
        )
        version.refresh_from_db()
        return Response(VersionSerializer(version).data, status=status.HTTP_202_ACCEPTED)


class VersionDetail(generics.GenericAPIView):
    """One data version with its progress and validation report."""

    serializer_class = VersionDetailSerializer

    def get_queryset(self):
        return DataVersion.objects.none()

    @extend_schema(tags=["data"])
    def get(self, request, code: str, pk: int):
        resource = _versions_resource(request, code)
        version = get_visible_or_404(request, versions_of(resource), pk=pk)
        return Response(VersionDetailSerializer(version).data)


class RowsView(APIView):
    """Online query (联机查询) of the current version."""

    throttle_classes = DATA_THROTTLES

    @extend_schema(
        tags=["data"], description=FILTER_HELP, responses=RowsSerializer,
        parameters=[*QUERY_PARAMETERS,
                    OpenApiParameter("page", int), OpenApiParameter("page_size", int,
                                                                    description="≤ 500")],
    )
    def get(self, request, code: str):
        resource = _resource(request, code)
        page = rows_fetch(consumer=_consumer(request), resource=resource,
                          params=request.query_params)
        url = request.build_absolute_uri()
        following = (replace_query_param(url, "page", page.page + 1)
                     if page.page < page.pages else None)
        previous = None
        if page.page > 1:
            previous = (remove_query_param(url, "page") if page.page == 2
                        else replace_query_param(url, "page", page.page - 1))
        return Response({
            "count": page.count, "next": following, "previous": previous,
            "version": page.version.number, "columns": page.columns, "masked": page.masked,
            "results": page.rows,
        })


class PassThroughNegotiation(DefaultContentNegotiation):
    """``?format=`` names the file format here, not a DRF renderer."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def streaming_download(download) -> StreamingHttpResponse:
    response = StreamingHttpResponse(download.chunks, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # let the reverse proxy pass chunks through
    response["X-Row-Count"] = str(download.rows)
    return response


class DownloadView(APIView):
    """Bulk download (批量下载) of the current version, streamed."""

    throttle_classes = DATA_THROTTLES
    content_negotiation_class = PassThroughNegotiation

    @extend_schema(
        tags=["data"], description=FILTER_HELP,
        parameters=[OpenApiParameter("format", str, enum=DataVersion.Format.values,
                                     description="csv (UTF-8 with BOM), json (JSON lines), xlsx"),
                    OpenApiParameter("bom", bool, description="CSV: false omits the UTF-8 BOM"),
                    *QUERY_PARAMETERS],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
                   (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.BINARY),
                   (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
                       OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request, code: str):
        resource = _resource(request, code)
        download = download_open(consumer=_consumer(request), resource=resource,
                                 params=request.query_params)
        return streaming_download(download)


class AccessLogFilter(django_filters.FilterSet):
    resource = django_filters.CharFilter(field_name="resource__code", label="资源代码")
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AccessLogEntry
        fields = ["department", "provider", "grant", "action", "channel", "allowed"]


@extend_schema(tags=["data"])
class AccessLogViewSet(viewsets.ReadOnlyModelViewSet):
    """The access log of shared data (S10): providers see who used their data."""

    serializer_class = AccessLogSerializer
    filterset_class = AccessLogFilter

    def get_queryset(self):
        return access_log_visible(self.request.user).order_by("-seq")


@extend_schema(tags=["data"])
class AnomalyViewSet(viewsets.ReadOnlyModelViewSet):
    """Unusual use of shared data flagged by monitoring (S13)."""

    serializer_class = AnomalySerializer
    filterset_fields = ["kind", "status", "resource", "department"]

    def get_queryset(self):
        return anomalies_visible(self.request.user).order_by("-created_at")

    @extend_schema(request=AnomalyCloseSerializer, responses=AnomalySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        anomaly = self.get_object()
        body = AnomalyCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        anomaly = anomaly_close(actor=request.user, anomaly=anomaly,
                                conclusion=body.validated_data["conclusion"])
        return Response(AnomalySerializer(anomaly).data)


@extend_schema(tags=["data"])
class UsageReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Monthly usage reports per department (S13)."""

    serializer_class = UsageReportSerializer
    filterset_fields = ["department", "month"]

    def get_queryset(self):
        return usage_reports_visible(self.request.user).order_by("-month", "department_id")


"""REST faces of delivery (API.md, ``/api/v1/sharing/resources/<code>/rows|download/``):
online query and bulk download through the delivery service. Thin."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from dataplane.api.throttling import DataTokenThrottle
from dataplane.models import AccessLogEntry, DataVersion
from dataplane.selectors import data_resources_visible
from portal.access import get_visible_or_404
from portal.api.negotiation import PassThroughNegotiation
from portal.api.throttling import TokenRateThrottle
from portal.models import ApiToken
from portal.services.audit import client_ip

from .services import Consumer, download_open, rows_fetch

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


class RowsSerializer(serializers.Serializer):
    """A page of online-query rows (the shape of the portal's paginated lists)."""

    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    version = serializers.IntegerField()
    columns = serializers.ListField(child=serializers.CharField())
    masked = serializers.ListField(child=serializers.CharField())
    results = serializers.ListField(child=serializers.DictField())


def _resource(request, code: str):
    return get_visible_or_404(request, data_resources_visible(request.user), code=code)


def _consumer(request) -> Consumer:
    token = request.auth if isinstance(request.auth, ApiToken) else None
    return Consumer.of(user=request.user, token=token, channel=AccessLogEntry.Channel.API,
                       ip_address=client_ip(request))


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

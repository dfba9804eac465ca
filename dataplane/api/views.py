"""REST faces of the data plane (API.md): versions, masking rules, access log, anomalies
and usage reports. Thin: every call goes to a service or selector. Online query and download,
which read through grants, are sharing's (``sharing.delivery.api``)."""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from catalog.selectors import items_active
from portal.access import get_visible_or_404
from portal.errors import NotPermitted

from ..models import AccessLogEntry, DataVersion
from ..policies import can_edit_masking, can_view_versions
from ..selectors import (
    access_log_visible,
    anomalies_visible,
    data_resources_visible,
    masking_rules_of,
    usage_reports_visible,
    versions_of,
)
from ..services.masking import masking_rule_delete, masking_rule_set
from ..services.monitoring import anomaly_close
from ..services.versions import version_upload
from .serializers import (
    AccessLogSerializer,
    AnomalyCloseSerializer,
    AnomalySerializer,
    MaskingRuleInputSerializer,
    MaskingRuleSerializer,
    UsageReportSerializer,
    VersionDetailSerializer,
    VersionSerializer,
    VersionUploadSerializer,
)


def _resource(request, code: str, *, policy=None, refusal: str = "", action: str = ""):
    """The resource ``code`` if the user may see it (else 404) and, with ``policy``, may
    do ``action`` on it (else 403 saying ``refusal``)."""
    resource = get_visible_or_404(request, data_resources_visible(request.user), code=code)
    if policy is not None and not policy(request.user, resource):
        raise NotPermitted(refusal, target=resource, action=action)
    return resource


def _versions_resource(request, code: str):
    return _resource(request, code, policy=can_view_versions, action="view_versions",
                     refusal=_("只有提供部门、信息中心和主管部门可以查看数据版本。"))


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



def _masking_resource(request, code: str):
    return _resource(request, code, policy=can_edit_masking, action="mask",
                     refusal=_("只有提供部门的数据管理员或数据安全管理员可以设置脱敏规则。"))


@extend_schema(tags=["data"], responses=MaskingRuleSerializer(many=True))
class MaskingRuleList(generics.GenericAPIView):
    """Every data item in force of a resource with its masking rule (S9, O3): for the
    provider's data administrator and data security officer, as on the masking page."""

    serializer_class = MaskingRuleSerializer
    pagination_class = None
    filter_backends = []

    def get(self, request, code: str):
        resource = _masking_resource(request, code)
        items = items_active(resource)
        return Response(MaskingRuleSerializer(
            items, many=True, context={"rules": masking_rules_of(resource)}).data)


@extend_schema_view(
    put=extend_schema(tags=["data"], request=MaskingRuleInputSerializer,
                      responses=MaskingRuleSerializer),
    delete=extend_schema(tags=["data"], responses={204: None}),
)
class MaskingRuleDetail(generics.GenericAPIView):
    """Set (``PUT``: ``kind``, ``params``, ``applies_to_all``, ``note``) or remove
    (``DELETE``) the masking rule of one data item."""

    serializer_class = MaskingRuleSerializer
    filter_backends = []

    def _item(self, request, code: str, item_id: int):
        resource = _masking_resource(request, code)
        return get_visible_or_404(request, items_active(resource), pk=item_id)

    def put(self, request, code: str, item_id: int):
        item = self._item(request, code, item_id)
        form = MaskingRuleInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        masking_rule_set(actor=request.user, item=item, **form.validated_data)
        return Response(MaskingRuleSerializer(
            item, context={"rules": masking_rules_of(item.resource)}).data)

    def delete(self, request, code: str, item_id: int):
        masking_rule_delete(actor=request.user, item=self._item(request, code, item_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

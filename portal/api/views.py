import django_filters
from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from portal.api.serializers import (
    DepartmentSerializer,
    GoverningRulePackSerializer,
    InboxItemSerializer,
    MeSerializer,
    NotificationSerializer,
    RegionSerializer,
    ResponsibilitySerializer,
    RulePackVersionSerializer,
)
from portal.models import Department, InboxItem, Notification
from portal.params import object_id
from portal.responsibilities import departments_listable, responsibility_list
from portal.rules import region_rules
from portal.selectors import (
    departments_visible,
    inbox_done,
    inbox_open,
    notifications_for,
    regions_all,
    rule_pack_versions,
)


class MeView(generics.RetrieveAPIView):
    """The current user with department and roles."""

    serializer_class = MeSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self):
        return self.request.user


class DepartmentFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="名称或简称")
    region = django_filters.NumberFilter(field_name="region_id")
    region_code = django_filters.CharFilter(field_name="region__code")

    class Meta:
        model = Department
        fields = ["kind", "is_active"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value))


@extend_schema(tags=["organisation"])
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Departments with their regions."""

    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilter

    def get_queryset(self):
        return departments_visible(self.request.user).order_by("region__code", "name")

    @extend_schema(responses=inline_serializer("ResponsibilityList", {
        "department": serializers.IntegerField(), "rule_pack": serializers.CharField(),
        "results": ResponsibilitySerializer(many=True)}))
    @action(detail=True, filter_backends=[], pagination_class=None)
    def responsibilities(self, request, pk=None):
        """The department's responsibility list (责任清单) under its region's rule pack:
        one's own department, any for the center and the authority (others: 404)."""
        department = get_object_or_404(departments_listable(request.user), pk=object_id(pk))
        return Response({
            "department": department.pk,
            "rule_pack": region_rules(department.region_id).pack.code,
            "results": ResponsibilitySerializer(responsibility_list(department), many=True).data,
        })


@extend_schema(tags=["organisation"])
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RegionSerializer
    filterset_fields = ["level", "parent"]

    def get_queryset(self):
        return regions_all().order_by("code")

    @extend_schema(responses=GoverningRulePackSerializer)
    @action(detail=True, url_path="rules", filter_backends=[], pagination_class=None)
    def rules(self, request, pk=None):
        """The rule pack governing the region: its own, else the nearest parent's, else the
        default pack (``inherited`` says which)."""
        region = self.get_object()
        return Response(GoverningRulePackSerializer(region_rules(region.pk),
                                                    context={"region": region}).data)


@extend_schema(tags=["organisation"])
@extend_schema_view(retrieve=extend_schema(parameters=[OpenApiParameter(
    "version", int, description="an earlier version of the pack")]))
class RulePackViewSet(viewsets.ReadOnlyModelViewSet):
    """Rule packs (docs/rules.md): every limit that differs between jurisdictions, each
    with the article it comes from, as the current version (or ``?version=``) states it."""

    serializer_class = RulePackVersionSerializer
    lookup_field = "pack__code"
    lookup_url_kwarg = "code"
    filter_backends = []

    def get_queryset(self):
        if self.action == "retrieve" and "version" in self.request.query_params:
            try:
                version = int(self.request.query_params["version"])
            except ValueError:
                raise ValidationError({"version": ["版本须为正整数。"]}) from None
            return rule_pack_versions(current_only=False).filter(version=version)
        return rule_pack_versions()


@extend_schema(tags=["inbox"])
class InboxViewSet(viewsets.ReadOnlyModelViewSet):
    """The current user's pending tasks (我的待办); ``?done=true`` for finished ones."""

    serializer_class = InboxItemSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return InboxItem.objects.none()
        done = self.request.query_params.get("done") in {"1", "true"}
        return (inbox_done if done else inbox_open)(self.request.user)


@extend_schema(tags=["inbox"])
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The current user's notifications, newest first."""

    serializer_class = NotificationSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Notification.objects.none()
        return notifications_for(self.request.user)

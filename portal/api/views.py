import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import generics, viewsets
from rest_framework.permissions import IsAuthenticated

from portal.api.serializers import (
    DepartmentSerializer,
    InboxItemSerializer,
    MeSerializer,
    NotificationSerializer,
    RegionSerializer,
)
from portal.models import Department, InboxItem, Notification
from portal.selectors import (
    departments_visible,
    inbox_done,
    inbox_open,
    notifications_for,
    regions_all,
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


@extend_schema(tags=["organisation"])
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RegionSerializer
    filterset_fields = ["level", "parent"]

    def get_queryset(self):
        return regions_all().order_by("code")


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

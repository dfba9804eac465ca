from django.urls import include, path
from rest_framework.routers import DefaultRouter

from portal.api.views import (
    DepartmentViewSet,
    InboxViewSet,
    MeView,
    NotificationViewSet,
    RegionViewSet,
    RulePackViewSet,
)

router = DefaultRouter()
router.register("departments", DepartmentViewSet, basename="department")
router.register("regions", RegionViewSet, basename="region")
router.register("rule-packs", RulePackViewSet, basename="rule-pack")
router.register("inbox", InboxViewSet, basename="inbox")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("", include(router.urls)),
]

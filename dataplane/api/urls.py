"""Routes under ``/api/v1/sharing/`` (API.md)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("access-log", views.AccessLogViewSet, basename="dataplane-accesslog")
router.register("anomalies", views.AnomalyViewSet, basename="dataplane-anomaly")
router.register("usage-reports", views.UsageReportViewSet, basename="dataplane-usagereport")
router.include_root_view = False

urlpatterns = [
    path("resources/<str:code>/versions/", views.VersionList.as_view(),
         name="dataplane-versions"),
    path("resources/<str:code>/versions/<int:pk>/", views.VersionDetail.as_view(),
         name="dataplane-version"),
    path("", include(router.urls)),
]

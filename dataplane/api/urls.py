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
    path("resources/<str:code>/masking-rules/", views.MaskingRuleList.as_view(),
         name="dataplane-masking-rules"),
    path("resources/<str:code>/masking-rules/<int:item_id>/", views.MaskingRuleDetail.as_view(),
         name="dataplane-masking-rule"),
    path("", include(router.urls)),
]

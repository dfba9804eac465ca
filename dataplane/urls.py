"""Data pages under /data/ (namespace ``dataplane``)."""

from django.urls import path

from .views import delivery, oversight, resources

app_name = "dataplane"

urlpatterns = [
    path("", resources.index, name="index"),
    path("r/<str:code>/", resources.resource_detail, name="resource"),
    path("r/<str:code>/upload/", resources.version_upload_view, name="upload"),
    path("r/<str:code>/versions/<int:pk>/", resources.version_detail, name="version_detail"),
    path("r/<str:code>/versions/<int:pk>/progress/", resources.version_progress,
         name="version_progress"),
    path("r/<str:code>/versions/<int:pk>/restore/", resources.version_restore_view,
         name="version_restore"),
    path("r/<str:code>/masking/", resources.masking, name="masking"),
    path("r/<str:code>/query/", delivery.query, name="query"),
    path("r/<str:code>/download/", delivery.download, name="download"),
    path("log/", oversight.access_log, name="access_log"),
    path("monitoring/", oversight.monitoring, name="monitoring"),
    path("anomalies/<int:pk>/", oversight.anomaly_detail, name="anomaly_detail"),
    path("reports/<int:pk>/", oversight.report_detail, name="report_detail"),
    path("tokens/", oversight.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", oversight.token_revoke, name="token_revoke"),
]

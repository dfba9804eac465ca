"""The data plane's own pages under /data/ (namespace ``dataplane``): a provider's
uploads, versions and masking rules, the access log, anomalies and usage reports.

The root URLconf mounts ``sharing.delivery.urls``, which adds the pages that read
through grants (index, resource page, query, download, monitoring, tokens) to these
under the same namespace; the data plane itself knows nothing of sharing.
"""

from django.urls import path

from .views import oversight, resources

app_name = "dataplane"

urlpatterns = [
    path("r/<str:code>/upload/", resources.version_upload_view, name="upload"),
    path("r/<str:code>/versions/<int:pk>/", resources.version_detail, name="version_detail"),
    path("r/<str:code>/versions/<int:pk>/progress/", resources.version_progress,
         name="version_progress"),
    path("r/<str:code>/versions/<int:pk>/restore/", resources.version_restore_view,
         name="version_restore"),
    path("r/<str:code>/masking/", resources.masking, name="masking"),
    path("log/", oversight.access_log, name="access_log"),
    path("anomalies/<int:pk>/", oversight.anomaly_detail, name="anomaly_detail"),
    path("reports/<int:pk>/", oversight.report_detail, name="report_detail"),
]

"""Root URLs: the site, the admin, the REST API and its schema."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from portal.metrics import metrics_view

urlpatterns = [
    path("", include("portal.urls_site")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api.urls")),
    path("sharing/", include("sharing.urls")),
    path("catalog/", include("catalog.urls")),
    path("api/v1/catalog/", include("catalog.api.urls")),
    path("assessment/", include("assessment.urls")),
    path("api/v1/assessment/", include("assessment.api.urls")),
    path("data/", include("sharing.delivery.urls")),
    path("api/v1/sharing/", include("dataplane.api.urls")),
    path("api/v1/sharing/", include("sharing.api.urls")),
    path("api/v1/services/", include("sharing.gateway.api_urls")),
    path("open/", include("opendata.urls")),
    path("api/v1/opendata/", include("opendata.api.urls")),
    path("api/3/action/", include("opendata.ckan.urls")),
    path("api/action/", include(("opendata.ckan.urls", "ckan"), namespace="ckan-action")),
    path("", include("opendata.urls_site")),
    path("metrics", metrics_view, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

handler400 = "portal.error_pages.bad_request"
handler403 = "portal.error_pages.permission_denied"
handler404 = "portal.error_pages.page_not_found"
handler500 = "portal.error_pages.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

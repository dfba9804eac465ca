"""The pages under /data/ (namespace ``dataplane``): delivery's, which read through
grants, followed by the data plane's own (``dataplane.urls``). One namespace, so a
link reads ``dataplane:<page>`` whichever app serves the page."""

from django.urls import path

from dataplane.urls import urlpatterns as dataplane_pages

from . import views

app_name = "dataplane"

urlpatterns = [
    path("", views.index, name="index"),
    path("r/<str:code>/", views.resource_detail, name="resource"),
    path("r/<str:code>/query/", views.query, name="query"),
    path("r/<str:code>/download/", views.download, name="download"),
    path("monitoring/", views.monitoring, name="monitoring"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    *dataplane_pages,
]

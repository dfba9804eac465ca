"""Open data's routes at the site root (no namespace): the DCAT catalog of the whole
site, ``/catalog.<fmt>``, and ``/robots.txt``."""

from django.urls import path

from .views import exports

urlpatterns = [
    path("catalog.<str:fmt>", exports.catalog_export, name="dcat_catalog"),
    path("robots.txt", exports.robots_txt, name="robots_txt"),
]

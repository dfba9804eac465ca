"""``/api/v1/sharing/``. A SimpleRouter (no API root): the data plane's routes share the
prefix. Online query and download of a resource are delivery's (``sharing.delivery``)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from ..delivery.api import DownloadView, RowsView
from .views import (
    FilingViewSet,
    GrantViewSet,
    NegativeListViewSet,
    ObjectionViewSet,
    ShareRequestViewSet,
    TransferViewSet,
)

router = SimpleRouter()
router.register("requests", ShareRequestViewSet, basename="sharing-request")
router.register("grants", GrantViewSet, basename="sharing-grant")
router.register("objections", ObjectionViewSet, basename="sharing-objection")
router.register("transfers", TransferViewSet, basename="sharing-transfer")
router.register("negative-list", NegativeListViewSet, basename="sharing-negative-list")
router.register("filings", FilingViewSet, basename="sharing-filing")

urlpatterns = [
    path("resources/<str:code>/rows/", RowsView.as_view(), name="sharing-data-rows"),
    path("resources/<str:code>/download/", DownloadView.as_view(), name="sharing-data-download"),
    *router.urls,
]

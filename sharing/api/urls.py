"""``/api/v1/sharing/``. A SimpleRouter (no API root): the data plane's routes share the
prefix."""

from rest_framework.routers import SimpleRouter

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

urlpatterns = router.urls

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "opendata-api"

router = DefaultRouter()
router.register("datasets", views.DatasetViewSet, basename="dataset")
router.register("requests", views.DataRequestViewSet, basename="request")
router.register("applications", views.ApplicationViewSet, basename="application")
router.register("products", views.DataProductViewSet, basename="product")

urlpatterns = [path("", include(router.urls))]

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from ..cascade.api import CascadeEntries
from .views import ChangeEventViewSet, DataItemViewSet, ProjectViewSet, ResourceViewSet

router = DefaultRouter()
router.register("resources", ResourceViewSet, basename="catalog-resource")
router.register("items", DataItemViewSet, basename="catalog-item")
router.register("change-events", ChangeEventViewSet, basename="catalog-change-event")
router.register("projects", ProjectViewSet, basename="catalog-project")

urlpatterns = [
    path("cascade/entries/", CascadeEntries.as_view(), name="catalog-cascade-entries"),
    path("", include(router.urls)),
]

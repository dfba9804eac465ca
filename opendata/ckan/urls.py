from django.urls import path

from .views import ACTIONS, UnknownAction

app_name = "ckan"

urlpatterns = [
    *[path(name, view.as_view(), name=name) for name, view in ACTIONS.items()],
    path("<str:action>", UnknownAction.as_view(), name="unknown"),
]

from django.urls import path

from . import api_views

app_name = "gateway"

urlpatterns = [
    path("openapi.json", api_views.openapi_description, name="openapi"),
    path("<str:code>/<str:operation>/", api_views.service_call, name="call"),
]

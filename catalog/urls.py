from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("mine/", views.department_catalog, name="department"),
    path("mine/submit/", views.department_submit, name="department_submit"),
    path("export.xlsx", views.export, name="export"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/<slug:action>/", views.resource_action, name="resource_action"),
    path("import/", views.import_upload, name="import"),
    path("import/template.<str:fmt>", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/problems.xlsx", views.import_report, name="import_report"),
    path("changes/", views.change_events, name="change_events"),
    path("changes/<int:pk>/", views.change_event_detail, name="change_event_detail"),
    path("census/", views.census_list, name="census_list"),
    path("census/<int:pk>/", views.census_detail, name="census_detail"),
    path("projects/", views.projects, name="projects"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
]

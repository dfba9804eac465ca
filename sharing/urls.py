from django.urls import path

from .views import filing, grants

app_name = "sharing"

urlpatterns = [
    path("filing/", filing.filing, name="filing"),
    path("filing/document/", filing.filing_document, name="filing_document"),
    path("filing/submit/", filing.filing_submit_view, name="filing_submit"),
    path("grants/", grants.grant_list, name="grant_list"),
    path("grants/<int:pk>/", grants.grant_detail, name="grant_detail"),
    path("grants/<int:pk>/revoke/", grants.grant_revoke_view, name="grant_revoke"),
]

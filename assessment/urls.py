from django.urls import path

from assessment.views import overview, plans, supervision

app_name = "assessment"

urlpatterns = [
    path("", overview.dashboard, name="dashboard"),
    # Plans, units and scores (A1–A4).
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/new/", plans.plan_create, name="plan_create"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/indicators/", plans.plan_indicators, name="plan_indicators"),
    path("plans/<int:pk>/do/<slug:action>/", plans.plan_action, name="plan_action"),
    path("plans/<int:pk>/export.<str:fmt>", plans.plan_export, name="plan_export"),
    path("plans/<int:plan_pk>/units/<int:pk>/", plans.unit_detail, name="unit_detail"),
    path("plans/<int:plan_pk>/units/<int:pk>/report.pdf", plans.unit_export, name="unit_export"),
    path("plans/<int:plan_pk>/units/<int:pk>/self/<int:indicator_pk>/",
         plans.self_assessment_post, name="self_assessment"),
    path("self-assessments/<int:pk>/return/", plans.self_assessment_return_post,
         name="self_assessment_return"),
    path("scores/<int:pk>/review/", plans.score_review_post, name="score_review"),
    path("scores/<int:pk>/object/", plans.objection_post, name="score_object"),
    path("objections/<int:pk>/answer/", plans.objection_answer_post, name="objection_answer"),
    # Rectification (A5).
    path("notices/", supervision.notice_list, name="notice_list"),
    path("notices/new/", supervision.notice_create, name="notice_create"),
    path("notices/<int:pk>/", supervision.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/do/<slug:action>/", supervision.notice_action, name="notice_action"),
    # Annual sharing reports (A6).
    path("annual-reports/", supervision.annual_report_list, name="annual_report_list"),
    path("annual-reports/prepare/", supervision.annual_reports_prepare,
         name="annual_reports_prepare"),
    path("annual-reports/<int:pk>/", supervision.annual_report_detail,
         name="annual_report_detail"),
    path("annual-reports/<int:pk>/do/<slug:action>/", supervision.annual_report_action,
         name="annual_report_action"),
    # Complaints (A7).
    path("complaints/", supervision.complaint_list, name="complaint_list"),
    path("complaints/new/", supervision.complaint_create, name="complaint_create"),
    path("complaints/<int:pk>/", supervision.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/do/<slug:action>/", supervision.complaint_action,
         name="complaint_action"),
    path("evidence/<int:pk>/", supervision.evidence_download, name="evidence"),
    # Public results (A4, HN-38): no sign-in.
    path("results/", overview.public_index, name="public_index"),
    path("results/<int:year>/", overview.public_results, name="public_results"),
    path("results/<int:year>/units/<int:pk>/", overview.public_unit, name="public_unit"),
]

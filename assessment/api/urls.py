from rest_framework.routers import DefaultRouter

from assessment.api import views

router = DefaultRouter()
router.register("plans", views.PlanViewSet, basename="assessment-plan")
router.register("indicators", views.PlanIndicatorViewSet, basename="assessment-indicator")
router.register("registry", views.RegistryViewSet, basename="assessment-registry")
router.register("units", views.UnitViewSet, basename="assessment-unit")
router.register("scores", views.ScoreViewSet, basename="assessment-score")
router.register("self-assessments", views.SelfAssessmentViewSet,
                basename="assessment-self-assessment")
router.register("objections", views.ObjectionViewSet, basename="assessment-objection")
router.register("notices", views.NoticeViewSet, basename="assessment-notice")
router.register("annual-reports", views.AnnualReportViewSet, basename="assessment-annual-report")
router.register("complaints", views.ComplaintViewSet, basename="assessment-complaint")
router.register("public/results", views.PublicResultViewSet, basename="assessment-public-result")

urlpatterns = router.urls

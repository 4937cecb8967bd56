from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from oauth2_provider.views import TokenView
from rest_framework.routers import SimpleRouter

from . import views
from .reference import ReferenceView

router = SimpleRouter()
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("staff", views.StaffViewSet, basename="staff")
router.register("competencies", views.CompetencyViewSet, basename="competency")
router.register("completions", views.CompletionViewSet, basename="completion")
router.register("levels", views.LevelViewSet, basename="level")
router.register("certificates", views.CertificateViewSet, basename="certificate")
router.register("evidence", views.EvidenceViewSet, basename="evidence")
router.register("attempts", views.AttemptViewSet, basename="attempt")
router.register("training-rules", views.TrainingRuleViewSet, basename="training-rule")
router.register("training-dues", views.TrainingDueViewSet, basename="training-due")

app_name = "api"
urlpatterns = [
    # one table, not a collection: its own route, so that the schema says object (not a list of rows)
    path("v1/coverage/", views.CoverageViewSet.as_view({"get": "summary"}), name="coverage"),
    path("v1/", include(router.urls)),
    # 1EdTech CASE 1.0 provider (ADR 0021), here and at the site root (lms_site/urls.py)
    path("ims/case/v1p0/", include("api.case_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("", ReferenceView.as_view(), name="reference"),
    path("oauth/token/", TokenView.as_view(), name="token"),
]

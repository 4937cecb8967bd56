"""The competency framework: versioned frameworks, areas, competencies and the proficiency scale."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

MODELS = ("competencyframework", "competencyarea", "competency", "proficiencylevel")
VIEW_ALL = {f"competencies.view_{model}" for model in MODELS}
# Import needs add (it creates a version); making a version current needs change; export needs view.
HR_PERMISSIONS = VIEW_ALL | {
    "competencies.add_competencyframework",
    "competencies.change_competencyframework",
}
# Advisors author curriculum against the framework: they see it, and never change it (ADR 0011).
ADVISOR_PERMISSIONS = VIEW_ALL


class CompetenciesConfig(AppConfig):
    name = "courses.competencies"
    label = "competencies"
    verbose_name = _("能力フレームワーク")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lms_site.organisation.roles import Role, role_permissions_extend

        role_permissions_extend(Role.HR, HR_PERMISSIONS)
        role_permissions_extend(Role.ADVISOR, ADVISOR_PERMISSIONS)

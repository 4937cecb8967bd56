"""The competency framework: versioned frameworks, areas, competencies and the proficiency scale."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

MODELS = ("competencyframework", "competencyarea", "competency", "proficiencylevel", "competencymapping")
VIEW_ALL = {f"competencies.view_{model}" for model in MODELS}
# Import needs add (it creates a version); making a version current needs change; export needs view.
# The framework is the platform's, one for every municipality (so the prefecture compares like with
# like): registering a version or making one current is the system administrator's, who holds every
# permission. 人事課 of any municipality reads and exports it; a town's HR changing the framework every
# other municipality measures against would be a write across municipalities (issue 13). The same holds for
# the mappings of our framework to reference frameworks (ADR 0021): everyone who reads the framework reads
# them; only the system administrator adds, changes or deletes them.
HR_PERMISSIONS = VIEW_ALL
# Advisors author curriculum against the framework: they see it, and never change it (ADR 0011).
ADVISOR_PERMISSIONS = VIEW_ALL


class CompetenciesConfig(AppConfig):
    name = "courses.competencies"
    label = "competencies"
    verbose_name = _("能力フレームワーク")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lms_site.organisation.api import Role, role_permissions_extend

        role_permissions_extend(Role.HR, HR_PERMISSIONS)
        role_permissions_extend(Role.ADVISOR, ADVISOR_PERMISSIONS)

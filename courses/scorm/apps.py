"""SCORM 1.2 and 2004 packages: uploaded by HR or advisors, shown in a lesson, run by scorm-again."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# HR and advisors upload packages (each upload becomes a draft lesson for the DX推進課 to approve).
UPLOAD_PERMISSIONS = {"scorm.add_scormpackage", "scorm.view_scormpackage"}


class ScormConfig(AppConfig):
    name = "courses.scorm"
    label = "scorm"
    verbose_name = _("SCORM 教材")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lms_site.organisation.api import Role, role_permissions_extend

        role_permissions_extend(Role.HR, UPLOAD_PERMISSIONS)
        role_permissions_extend(Role.ADVISOR, UPLOAD_PERMISSIONS)

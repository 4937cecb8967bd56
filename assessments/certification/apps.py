from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

HR_PERMISSIONS = {
    "certification.verify_evidence",
    "certification.revoke_certificate",
    "certification.view_certificate",
    "certification.view_capstone",
    "certification.view_capstonedecision",
    *(
        f"certification.{action}_{model}"
        for action in ("add", "change", "view", "delete")
        for model in ("certificationprogram", "qualification")
    ),
}


class CertificationConfig(AppConfig):
    name = "assessments.certification"
    label = "certification"
    verbose_name = _("認定")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wagtail import hooks

        from assessments.evidence import EVIDENCE_CHANGED
        from lms_site.organisation.api import Role, role_permissions_extend

        from . import checks  # noqa: F401 - registers the system checks
        from .services.level_table import levels_recompute_queue

        # Evidence → levels → certificates: assessments.evidence notifies each change once per person,
        # after the commit; the recompute task then issues what the new levels complete (ADR 0026).
        hooks.register(EVIDENCE_CHANGED, levels_recompute_queue)
        role_permissions_extend(Role.HR, HR_PERMISSIONS)
        role_permissions_extend(Role.ADVISOR, {"certification.assess_capstone"})

        from courses.api import (
            levels_provider_register,
            me_section_register,
            me_sources_register,
            requirements_provider_register,
        )

        from .me import levels_of, path_section, requirements_of, sources

        levels_provider_register(levels_of)  # /me/ shows the level table, not the course estimate
        requirements_provider_register(requirements_of)  # and the programme's requirements
        me_section_register(path_section)
        me_sources_register(sources)  # /me/'s cached content is made again when any of these rows changes

        from lms_site.notifications.services import producer_register

        from .services.certificates import certificate_expiry_producer

        producer_register(certificate_expiry_producer)  # expiry reminders go out with the morning job

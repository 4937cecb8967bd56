from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "lms_site.organisation"
    label = "organisation"
    verbose_name = _("組織")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .auth_backends import connect_signals
        from .roles import roles_sync_after_migrate

        connect_signals()

        from django.db.backends.signals import connection_created

        from .row_security import install

        connection_created.connect(install, dispatch_uid="organisation_row_security")

        from .models import Department, StaffProfile
        from .tenancy import tenant_form_fields

        tenant_form_fields(Department, StaffProfile)  # admin forms offer only the person's municipality

        from .pages import install as pages_install

        pages_install()  # a municipality's own site is changed only by its own people

        from .media import install as media_install

        media_install()  # each municipality's images and documents are its own

        # Every app's permissions exist only after its migrations, so roles are synced after all of them.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="organisation_roles_sync")

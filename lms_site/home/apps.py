from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "lms_site.home"
    label = "home"
    verbose_name = _("サイト")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lms_site.organisation.api import Role, role_permissions_extend

        from .look import connect_signals

        # A municipality's 人事課 changes its own site's look (lms_site.home.look, ADR 0024).
        role_permissions_extend(Role.HR, {"home.change_sitelook"})
        connect_signals()

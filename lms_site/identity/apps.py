from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "lms_site.identity"
    label = "identity"
    verbose_name = _("外部認証")
    default_auto_field = "django.db.models.BigAutoField"

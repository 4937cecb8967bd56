from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "lms_site.notifications"
    label = "notifications"
    verbose_name = _("お知らせ")
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    label = "courses"
    verbose_name = _("研修コース")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from courses import navigation

        navigation.connect_signals()

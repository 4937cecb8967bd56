from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetenciesConfig(AppConfig):
    name = "courses.competencies"
    label = "competencies"
    verbose_name = _("能力フレームワーク")
    default_auto_field = "django.db.models.BigAutoField"

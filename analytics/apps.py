from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# 人事課 owns targets, sees the whole municipality and may run a snapshot now.
HR_PERMISSIONS = {
    "analytics.view_organisation",
    "analytics.run_snapshot",
    "analytics.view_developmenttarget",
    "analytics.add_developmenttarget",
    "analytics.change_developmenttarget",
    "analytics.delete_developmenttarget",
}
# DX推進課 follows the whole organisation's progress, but only as the suppressed summary (no personal data).
REVIEWER_PERMISSIONS = {"analytics.view_summary"}
# A prefecture sees its municipalities' suppressed aggregates (/pref/), nothing else.
PREFECTURE_PERMISSIONS = {"analytics.view_prefecture"}


class AnalyticsConfig(AppConfig):
    name = "analytics"
    label = "analytics"
    verbose_name = _("人材育成の分析")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lms_site.organisation.api import Role, role_permissions_extend

        role_permissions_extend(Role.HR, HR_PERMISSIONS)
        role_permissions_extend(Role.REVIEWER, REVIEWER_PERMISSIONS)
        role_permissions_extend(Role.PREFECTURE, PREFECTURE_PERMISSIONS)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    label = "api"
    verbose_name = _("外部連携API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lms_site.organisation.api import Role, role_permissions_extend

        # 人事課 keeps its municipality's Learning Record Stores (the admin's 設定 › 学習記録ストア).
        role_permissions_extend(
            Role.HR,
            {f"api.{action}_lrsendpoint" for action in ("view", "add", "change", "delete")},
        )

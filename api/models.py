"""A machine client of the REST API: an OAuth 2.0 application (django-oauth-toolkit) held by one municipality.

Each client signs in with the client-credentials grant and acts for its municipality's 人事課 on the data
the API exposes, read-only or also writing (its scopes). It has a service user of its own, so that the
personal-data access log names it like any person (ADR 0017).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms_site.organisation.tenancy import TenantManager

SCOPES = ("read", "write")


class ApiClient(models.Model):
    municipality = models.ForeignKey(
        "organisation.Municipality", on_delete=models.CASCADE, related_name="+", verbose_name=_("自治体")
    )
    name = models.CharField(_("名称"), max_length=100, help_text=_("例: 人事給与システム"))
    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="api_client"
    )
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_client"
    )
    scopes = models.CharField(_("スコープ"), max_length=50, default="read")
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True)

    objects = TenantManager("municipality")

    class Meta:
        verbose_name = _("APIクライアント")
        verbose_name_plural = _("APIクライアント")
        ordering = ["municipality", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="api_client_name_once")]

    def __str__(self) -> str:
        return f"{self.name} ({self.municipality_id})"

    @property
    def scope_set(self) -> set[str]:
        return set(self.scopes.split())

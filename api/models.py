"""A machine client of the REST API: an OAuth 2.0 application (django-oauth-toolkit) held by one municipality.

Each client signs in with the client-credentials grant and acts for its municipality's 人事課 on the data
the API exposes, read-only or also writing (its scopes). It has a service user of its own, so that the
personal-data access log names it like any person (ADR 0017).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms_site.organisation.api import TenantManager

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


def _validate_statements_url(value: str) -> None:
    from .xapi import endpoint_problem

    if problem := endpoint_problem(value):
        from django.core.exceptions import ValidationError

        raise ValidationError(problem)


class LrsEndpoint(models.Model):
    """A municipality's xAPI Learning Record Store: learning records go there as statements (issue 16).

    ``sent_until`` and ``sent_until_key`` are the high-water mark: the time and the key of the last record
    the LRS accepted, in the order ``api.xapi`` sends them. The secret is sealed with AES-GCM under a key
    derived from the key-encryption key (``CREDENTIAL_KEK``, else ``SECRET_KEY``), never stored in the clear.
    """

    municipality = models.ForeignKey(
        "organisation.Municipality", on_delete=models.CASCADE, related_name="+", verbose_name=_("自治体")
    )
    name = models.CharField(_("名称"), max_length=100, help_text=_("例: 県の学習記録ストア"))
    statements_url = models.URLField(
        _("statements エンドポイント"),
        max_length=500,
        validators=[_validate_statements_url],
        help_text=_("例: https://lrs.example.lg.jp/xAPI/statements/"),
    )
    key = models.CharField(_("キー"), max_length=200)
    sealed_secret = models.TextField(_("シークレット(暗号化)"))
    enabled = models.BooleanField(_("有効"), default=True)
    sent_until = models.DateTimeField(_("送信済みの時点"), null=True, blank=True)
    sent_until_key = models.CharField(_("送信済みの記録"), max_length=50, blank=True)
    last_sent_at = models.DateTimeField(_("最終送信日時"), null=True, blank=True)
    last_error = models.TextField(_("最後のエラー"), blank=True)
    last_error_at = models.DateTimeField(_("最後のエラー日時"), null=True, blank=True)
    # Held by the run sending to this store (``api.xapi.send_pending``) until then: a second run, e.g. a
    # `manage.py lrs send` while the beat's run is going, leaves the store to it. Renewed at each batch;
    # a run that died lets it lapse.
    sending_until = models.DateTimeField(_("送信中(期限)"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    objects = TenantManager("municipality")

    class Meta:
        verbose_name = _("学習記録ストア(LRS)")
        verbose_name_plural = _("学習記録ストア(LRS)")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="lrs_endpoint_name_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.municipality_id})"

    @property
    def secret(self) -> str:
        from .xapi import unseal

        return unseal(self.sealed_secret)

    @secret.setter
    def secret(self, value: str) -> None:
        from .xapi import seal

        self.sealed_secret = seal(value)

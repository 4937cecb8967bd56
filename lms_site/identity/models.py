"""A municipality's identity provider: which allauth app signs in whose staff, and how to find them.

allauth keeps the protocol side as a ``SocialApp`` row (OpenID Connect: client id, secret, the issuer in
``settings``; SAML 2.0: the IdP's entity id, sign-on URL and certificate in ``settings``); this
row says which municipality's staff it signs in and which claim carries the employee number that links an
account to the HR record (ADR 0020). Accounts themselves are allauth's ``SocialAccount``: one per
(provider, subject), never keyed on an e-mail address.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lms_site.organisation.api import Municipality


class Protocol(models.TextChoices):
    OIDC = "oidc", "OpenID Connect"
    SAML = "saml", "SAML 2.0"


class IdentityProvider(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="identity_providers",
        verbose_name=_("自治体"),
    )
    app = models.OneToOneField(
        "socialaccount.SocialApp",
        on_delete=models.CASCADE,
        related_name="identity_provider",
        verbose_name=_("接続設定"),
    )
    protocol = models.CharField(_("方式"), max_length=10, choices=Protocol.choices, default=Protocol.OIDC)
    employee_number_claim = models.CharField(
        _("職員番号のクレーム名"),
        max_length=100,
        default="employee_number",
        help_text=_(
            "人事データの職員番号を持つ項目(OpenID Connect: ID トークンまたは UserInfo のクレーム、"
            "SAML: アサーションの属性名)"
        ),
    )
    email_fallback = models.BooleanField(
        _("確認済みメールアドレスでの照合を許可"),
        default=False,
        help_text=_("職員番号のクレームがないとき、提供元が確認済みとするメールアドレスで職員を照合する"),
    )
    is_enabled = models.BooleanField(_("有効"), default=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("外部認証プロバイダ")
        verbose_name_plural = _("外部認証プロバイダ")
        ordering = ["municipality", "app__name"]

    def __str__(self) -> str:
        return f"{self.app.name}({self.get_protocol_display()})"

    @property
    def slug(self) -> str:
        """The provider id in the sign-in and callback URLs (``/accounts/oidc/<slug>/...``)."""
        return self.app.provider_id

    @property
    def login_path(self) -> str:
        """Where the sign-in button POSTs (allauth's start view of the protocol)."""
        from django.urls import reverse

        if self.protocol == Protocol.SAML:
            return reverse("saml_login", kwargs={"organization_slug": self.app.client_id})
        return reverse("openid_connect_login", kwargs={"provider_id": self.slug})

    @property
    def form_origin(self) -> str:
        """The origin the sign-in (and an OpenID Connect sign-out) sends the browser to, for the pages'
        ``form-action`` policy: the issuer's, or the SAML IdP's single sign-on service's."""
        from lms_site.security import origin_of

        if self.protocol == Protocol.SAML:
            return origin_of((self.app.settings.get("idp") or {}).get("sso_url", ""))
        return origin_of(self.app.settings.get("server_url", ""))

    @property
    def issuer(self) -> str:
        """The OpenID Connect issuer, or the SAML IdP's entity id."""
        if self.protocol == Protocol.SAML:
            return (self.app.settings.get("idp") or {}).get("entity_id", "")
        return self.app.settings.get("server_url", "")

"""The OpenID Connect and SAML 2.0 sign-in URLs, under /accounts/ (allauth's names, so that its redirects
resolve)."""

from django.urls import path
from django.views.generic import TemplateView

from . import mfa, oidc, saml

urlpatterns = [
    path("mfa/setup/", mfa.setup, name="mfa_setup"),
    path("mfa/verify/", mfa.verify, name="mfa_verify"),
    path("mfa/recover/", mfa.recover, name="mfa_recover"),
    path("mfa/verify/key/", mfa.verify_with_key, name="mfa_verify_key"),
    path("mfa/keys/", mfa.security_keys, name="mfa_keys"),
    path("mfa/recovery-codes/", mfa.recovery_codes, name="mfa_recovery_codes"),
    path("accounts/oidc/<str:provider_id>/login/", oidc.login, name="openid_connect_login"),
    path("accounts/oidc/<str:provider_id>/login/callback/", oidc.callback, name="openid_connect_callback"),
    path("accounts/saml/<str:organization_slug>/login/", saml.login, name="saml_login"),
    path("accounts/saml/<str:organization_slug>/acs/", saml.acs, name="saml_acs"),
    path("accounts/saml/<str:organization_slug>/acs/finish/", saml.finish_acs, name="saml_finish_acs"),
    path("accounts/saml/<str:organization_slug>/sls/", saml.sls, name="saml_sls"),
    path("accounts/saml/<str:organization_slug>/metadata/", saml.metadata, name="saml_metadata"),
    path(
        "accounts/cancelled/",
        TemplateView.as_view(
            template_name="socialaccount/authentication_error.html",
            extra_context={"auth_error": {"code": "cancelled"}},
        ),
        name="socialaccount_login_cancelled",
    ),
]

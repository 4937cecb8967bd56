"""The OpenID Connect sign-in URLs, under /accounts/ (allauth's names, so that its redirects resolve)."""

from django.urls import path
from django.views.generic import TemplateView

from . import mfa, oidc

urlpatterns = [
    path("mfa/setup/", mfa.setup, name="mfa_setup"),
    path("mfa/verify/", mfa.verify, name="mfa_verify"),
    path("accounts/oidc/<str:provider_id>/login/", oidc.login, name="openid_connect_login"),
    path("accounts/oidc/<str:provider_id>/login/callback/", oidc.callback, name="openid_connect_callback"),
    path(
        "accounts/cancelled/",
        TemplateView.as_view(
            template_name="socialaccount/authentication_error.html",
            extra_context={"auth_error": {"code": "cancelled"}},
        ),
        name="socialaccount_login_cancelled",
    ),
]

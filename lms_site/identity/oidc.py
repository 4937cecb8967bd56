"""allauth's OpenID Connect client, with what a municipality's sign-in needs on top (ADR 0020).

- **nonce**: every authorisation request carries a fresh nonce, kept in allauth's state for that request;
  the ID token must carry it back (allauth sends none).
- **signature always checked** against the provider's published keys, also when the token came straight
  from the token endpoint (allauth skips that check there, which the specification allows over TLS; a
  municipal network may end TLS at a proxy).
- **issuer pinned** to the one registered for the provider, not to whatever its discovery document says.
- **PKCE** (S256) on by default.
- a disabled provider's URLs are 404.

The views are allauth's own two (start, callback) with this adapter; the provider class replaces allauth's
``openid_connect`` provider through ``SOCIALACCOUNT_PROVIDERS`` (same id, so allauth's models and URL names
are unchanged).
"""

from __future__ import annotations

import secrets

from allauth.socialaccount.internal import jwtkit, statekit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404, HttpRequest
from django.utils.crypto import constant_time_compare

NONCE = "nonce"


class MunicipalOpenIDConnectProvider(OpenIDConnectProvider):
    pkce_enabled_default = True

    def get_default_scope(self):
        return ["openid", "profile", "email"]

    def redirect(self, request: HttpRequest, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        # The nonce is also kept in the stashed state (extra keyword arguments go there).
        return super().redirect(
            request, process, next_url, data, auth_params={**auth_params, NONCE: nonce}, nonce=nonce, **kwargs
        )


class MunicipalOpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    expected_nonce: str | None = None

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        claims = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=app.settings["server_url"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )
        nonce, expected = claims.get(NONCE), self.expected_nonce
        if not (expected and isinstance(nonce, str) and constant_time_compare(nonce, expected)):
            raise OAuth2Error("The ID token's nonce is not the one sent with this sign-in.")
        return claims


def _enabled_app(provider_id: str):
    from .models import IdentityProvider

    provider = (
        IdentityProvider.objects.filter(app__provider_id=provider_id, is_enabled=True)
        .select_related("app")
        .first()
    )
    if provider is None:
        raise Http404
    return provider


def login(request: HttpRequest, provider_id: str):
    provider = _enabled_app(provider_id)
    # allauth's confirmation page posts, then redirects to the provider
    request.csp_form_origins = [provider.form_origin]
    return OAuth2LoginView.adapter_view(MunicipalOpenIDConnectAdapter(request, provider_id))(request)


def callback(request: HttpRequest, provider_id: str):
    _enabled_app(provider_id)
    adapter = MunicipalOpenIDConnectAdapter(request, provider_id)
    # The view pops the state before the token is decoded; read the nonce sent with it first.
    stashed = statekit.get_states(request).get(request.GET.get("state", ""))
    if stashed and len(stashed) == 3 and stashed[2] == provider_id:
        adapter.expected_nonce = stashed[0].get(NONCE)
    return OAuth2CallbackView.adapter_view(adapter)(request)

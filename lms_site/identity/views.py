"""Signing out: the local session always; the provider's too where the session came from one that offers
RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0), so that the next person at a shared
counter PC is not signed straight back in."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect

from . import saml
from .adapter import SESSION_PROVIDER_KEY, SESSION_SAML_LOGOUT_KEY
from .models import IdentityProvider, Protocol
from .services import discovery_document

logger = logging.getLogger("lms_site.identity")


class SignOutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        slug = request.session.get(SESSION_PROVIDER_KEY)
        saml_session = request.session.get(SESSION_SAML_LOGOUT_KEY)
        response = super().post(request, *args, **kwargs)
        end_session = _end_session_url(request, slug, saml_session) if slug else None
        return HttpResponseRedirect(end_session) if end_session else response


def _end_session_url(request, slug: str, saml_session: dict | None) -> str | None:
    provider = (
        IdentityProvider.objects.filter(app__provider_id=slug, is_enabled=True).select_related("app").first()
    )
    if provider is None:
        return None
    if provider.protocol == Protocol.SAML:  # single logout, where the IdP offers it (saml.logout_url)
        try:
            return saml.logout_url(request, provider.app, saml_session)
        except Exception:  # the local session has ended; the IdP's stays
            logger.warning("no SAML logout request could be made for %s", slug, exc_info=True)
            return None
    try:
        endpoint = discovery_document(provider.issuer).get("end_session_endpoint")
    except Exception:  # the local session has ended: a provider that cannot be asked keeps its own
        logger.warning("provider %s could not be asked for its end_session_endpoint", slug, exc_info=True)
        return None
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        return None
    # the provider sends the browser back to the site's home page
    query = {"client_id": provider.app.client_id, "post_logout_redirect_uri": request.build_absolute_uri("/")}
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"

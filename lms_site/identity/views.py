"""Signing out: the local session always; the provider's too where the session came from one that offers
RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0), so that the next person at a shared
counter PC is not signed straight back in."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect

from .adapter import SESSION_PROVIDER_KEY
from .models import IdentityProvider, Protocol

logger = logging.getLogger("lms_site.identity")


class SignOutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        slug = request.session.get(SESSION_PROVIDER_KEY)
        response = super().post(request, *args, **kwargs)
        end_session = _end_session_url(request, slug) if slug else None
        return HttpResponseRedirect(end_session) if end_session else response


def _end_session_url(request, slug: str) -> str | None:
    from allauth.socialaccount.adapter import get_adapter

    # SAML providers: the local session ends; single logout at the IdP is not asked for (yet).
    provider = (
        IdentityProvider.objects.filter(app__provider_id=slug, is_enabled=True, protocol=Protocol.OIDC)
        .select_related("app")
        .first()
    )
    if provider is None:
        return None
    try:
        with get_adapter().get_requests_session() as session:
            response = session.get(f"{provider.issuer}/.well-known/openid-configuration")
        response.raise_for_status()
        endpoint = response.json().get("end_session_endpoint")
    except Exception:  # the local session has ended: a provider that cannot be asked keeps its own
        logger.warning("provider %s could not be asked for its end_session_endpoint", slug, exc_info=True)
        return None
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        return None
    query = {"client_id": provider.app.client_id, "post_logout_redirect_uri": post_logout_url(request)}
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"


def post_logout_url(request=None) -> str:
    """Where the provider sends the browser after signing out: the site's home page."""
    from django.conf import settings

    if request is not None:
        return request.build_absolute_uri("/")
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/"

"""allauth's adapters: nobody signs up; a provider's account is linked to an HR record or refused."""

from __future__ import annotations

import logging
from typing import NoReturn

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.shortcuts import render

from lms_site.security import FORM_ORIGINS_SESSION_KEY, origin_of

from .models import IdentityProvider, Protocol
from .services import (
    SAML_NAMEID_PERSISTENT,
    Refusal,
    claims_of,
    log_refusal,
    saml_name_id_refusal,
    saml_refusal,
    staff_for_sign_in,
)

logger = logging.getLogger("lms_site.identity")

# The backend whose get_user leaves leavers out (organisation.auth_backends); allauth would otherwise pick
# the first backend that has get_user, which is Axes' (it answers nobody).
SESSION_BACKEND = "lms_site.organisation.auth_backends.CachedModelBackend"
SESSION_PROVIDER_KEY = "identity_provider"
# A SAML session: the NameID and session index the IdP named it by, for single logout (``saml``).
SESSION_SAML_LOGOUT_KEY = "saml_logout"


class NoSignupAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False

    def post_login(self, request, user, *, signal_kwargs=None, **kwargs):
        """Remember which provider signed this session in, so that signing out can end its session too."""
        sociallogin = (signal_kwargs or {}).get("sociallogin")
        if sociallogin is not None:
            request.session[SESSION_PROVIDER_KEY] = sociallogin.account.provider
            # signing out posts to the site, which redirects to the provider: the page's policy allows it
            app_settings = sociallogin.account.get_provider().app.settings
            issuer = app_settings.get("server_url", "")
            if issuer:  # OpenID Connect
                request.session[FORM_ORIGINS_SESSION_KEY] = [origin_of(issuer)]
            saml_logout = getattr(sociallogin, "saml_logout", None)
            if saml_logout:  # SAML: single logout names the session as the IdP did
                request.session[SESSION_SAML_LOGOUT_KEY] = saml_logout
                slo_url = app_settings.get("idp", {}).get("slo_url", "")
                if slo_url and app_settings.get("advanced", {}).get("logout_request_signed"):
                    request.session[FORM_ORIGINS_SESSION_KEY] = [origin_of(slo_url)]
        return super().post_login(request, user, signal_kwargs=signal_kwargs, **kwargs)


class MunicipalSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def pre_social_login(self, request, sociallogin) -> None:
        """Link a first sign-in to its HR record, or refuse it; check a linked one is still allowed."""
        account = sociallogin.account
        provider = (
            IdentityProvider.objects.select_related("municipality", "app")
            .filter(app__provider_id=account.provider, is_enabled=True)
            .first()
        )
        if provider is None:
            self._refuse(request, None, account.uid, Refusal("no_provider", ""))
        name_id_format = getattr(sociallogin, "name_id_format", None)
        if provider.protocol == Protocol.SAML and name_id_format != SAML_NAMEID_PERSISTENT:
            self._refuse(request, provider, account.uid, saml_name_id_refusal(name_id_format))
        linked_user = sociallogin.user if sociallogin.is_existing else None
        claims = claims_of(account.extra_data, provider.protocol)
        staff = staff_for_sign_in(provider, claims, linked_user=linked_user)
        if isinstance(staff, Refusal):
            self._refuse(request, provider, account.uid, staff)
        user = staff.user
        user.backend = SESSION_BACKEND
        if sociallogin.is_existing:
            sociallogin.user.backend = SESSION_BACKEND
        else:
            sociallogin.connect(request, user)
            logger.info("linked: provider=%s subject=%s staff=%s", provider.slug, account.uid, staff.pk)

    def _refuse(self, request, provider, subject: str, refusal: Refusal) -> NoReturn:
        log_refusal(provider, subject, refusal)
        response = render(
            request, "identity/refused.html", {"refusal": refusal, "provider": provider}, status=403
        )
        raise ImmediateHttpResponse(response)

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        saml_errors = (extra_context or {}).get("saml_errors")
        if saml_errors:
            # A SAML response that failed its checks (signature, audience, ...): refused with the reason.
            reason = (extra_context or {}).get("saml_last_error_reason") or ", ".join(saml_errors)
            identity_provider = (
                IdentityProvider.objects.select_related("municipality", "app")
                .filter(app__provider_id=getattr(getattr(provider, "app", None), "provider_id", None))
                .first()
            )
            logger.warning("SAML response rejected: %s", reason)
            self._refuse(request, identity_provider, "-", saml_refusal(reason))
        logger.warning(
            "sign-in failed: provider=%s error=%s exception=%r",
            getattr(getattr(provider, "app", None), "provider_id", "-"),
            error,
            exception,
        )

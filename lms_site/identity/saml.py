"""allauth's SAML 2.0 service provider (python3-saml), one per municipality's IdP (ADR 0020).

The views are allauth's own (``allauth.socialaccount.providers.saml``), under allauth's URL names, which
its views reverse: ``saml_login`` (start), ``saml_acs`` (the IdP POSTs the response here) and
``saml_finish_acs`` (where that POST is checked, in our session), ``saml_metadata`` (our SP metadata; its
URL is our entity id) and ``saml_sls`` (single logout). The URL's ``organization_slug`` is the
``SocialApp``'s client id, which ``saml_provider_add`` sets to the provider's slug. What the response
must be (signed assertion, our audience) is in the app's settings (``services.saml_app_settings``); the
NameID must be persistent (``MunicipalSAMLProvider``, the adapter); a disabled provider's URLs are 404.
"""

from __future__ import annotations

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.providers.saml import views
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from django.http import Http404, HttpRequest, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt


class MunicipalSAMLProvider(SAMLProvider):
    """allauth's SAML provider, which also keeps the NameID's format on the sign-in: the account's uid is
    the NameID, so only a persistent one may link (the adapter refuses others: a transient one would link a
    new account at each sign-in, an e-mail address may pass to someone else)."""

    def sociallogin_from_response(self, request, response):
        login = super().sociallogin_from_response(request, response)
        login.name_id_format = response.get_nameid_format()
        return login


def _enabled_app(organization_slug: str):
    from .models import IdentityProvider, Protocol

    provider = (
        IdentityProvider.objects.filter(
            app__provider="saml", app__client_id=organization_slug, protocol=Protocol.SAML, is_enabled=True
        )
        .select_related("app")
        .first()
    )
    if provider is None:
        raise Http404
    return provider


def _only_enabled(view, *, exempt: bool = False):
    def wrapped(request: HttpRequest, organization_slug: str):
        provider = _enabled_app(organization_slug)
        request.csp_form_origins = [provider.form_origin]  # a confirmation page's form leads to the IdP
        # python3-saml checks the response's Destination against a URL built from the Host header, allauth
        # builds the ACS URL with get_host(): one validated host for both (and no KeyError without one).
        request.META["HTTP_HOST"] = request.get_host()
        return view(request, organization_slug=organization_slug)

    wrapped.__name__ = wrapped.__qualname__ = getattr(view, "__name__", "saml_view")
    wrapped = login_not_required(wrapped)
    return csrf_exempt(wrapped) if exempt else wrapped


login = _only_enabled(views.login)
acs = _only_enabled(views.acs, exempt=True)  # the IdP's POST carries no CSRF token; its signature counts
finish_acs = _only_enabled(views.finish_acs)


def _no_single_logout(request: HttpRequest, organization_slug: str):
    """Single logout is not offered (yet): an unsigned logout request would let any page end a person's
    session here, so none is taken. The URL stays, as allauth names it in our metadata."""
    return HttpResponseBadRequest(_("シングルログアウトには対応していません。"), content_type="text/plain")


sls = _only_enabled(_no_single_logout, exempt=True)
metadata = _only_enabled(views.metadata)

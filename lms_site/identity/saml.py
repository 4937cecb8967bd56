"""allauth's SAML 2.0 service provider (python3-saml), one per municipality's IdP (ADR 0020).

The views are allauth's own (``allauth.socialaccount.providers.saml``), under allauth's URL names, which
its views reverse: ``saml_login`` (start), ``saml_acs`` (the IdP POSTs the response here) and
``saml_finish_acs`` (where that POST is checked, in our session), ``saml_metadata`` (our SP metadata; its
URL is our entity id) and ``saml_sls`` (single logout, ours: ``single_logout``). The URL's
``organization_slug`` is the ``SocialApp``'s client id, which ``saml_provider_add`` sets to the provider's
slug. What the response must be (signed assertion, our audience) is in the app's settings
(``services.saml_app_settings``); the NameID must be persistent (``MunicipalSAMLProvider``, the adapter);
a disabled provider's URLs are 404.

Single logout (HTTP-Redirect binding), where the IdP's metadata names a logout service and the provider
has our signing key (``services.saml_sp_key_pair``): signing out here sends the IdP a signed
LogoutRequest for the session's NameID and session index (``logout_url``); the IdP's LogoutRequest (it
signs out everywhere) ends our session only if it is signed by the IdP's certificate and names this
session's NameID; its LogoutResponse is checked the same way. Unsigned messages are refused: anyone can
make a browser fetch a URL, and a logout that anyone can trigger is a denial of service.
"""

from __future__ import annotations

import logging

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.saml import views
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from allauth.socialaccount.providers.saml.utils import build_auth
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponseBadRequest, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from onelogin.saml2.errors import OneLogin_Saml2_Error
from onelogin.saml2.logout_request import OneLogin_Saml2_Logout_Request

from lms_site import sealing

from .adapter import SESSION_PROVIDER_KEY, SESSION_SAML_LOGOUT_KEY

logger = logging.getLogger("lms_site.identity")
PENDING_LOGOUT_KEY = "saml_logout_request_id"


class MunicipalSAMLProvider(SAMLProvider):
    """allauth's SAML provider, which also keeps the NameID's format on the sign-in: the account's uid is
    the NameID, so only a persistent one may link (the adapter refuses others: a transient one would link a
    new account at each sign-in, an e-mail address may pass to someone else)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Our signing key is stored sealed (``services.saml_sp_key_pair``); python3-saml reads it from the
        # settings: a copy for this provider object holds it unsealed, the stored settings never do.
        advanced = self.app.settings.get("advanced", {})
        if advanced.get("sealed_private_key") and "private_key" not in advanced:
            from .services import SAML_SP_KEY_PURPOSE

            key = sealing.unseal(advanced["sealed_private_key"], purpose=SAML_SP_KEY_PURPOSE)
            self.app.settings = {**self.app.settings, "advanced": {**advanced, "private_key": key}}

    def sociallogin_from_response(self, request, response):
        login = super().sociallogin_from_response(request, response)
        login.name_id_format = response.get_nameid_format()
        login.saml_logout = {
            "name_id": response.get_nameid(),
            "name_id_format": response.get_nameid_format(),
            "nq": response.get_nameid_nq(),
            "spnq": response.get_nameid_spnq(),
            "session_index": response.get_session_index(),
        }
        return login


def offers_single_logout(app) -> bool:
    return bool(
        app.settings.get("idp", {}).get("slo_url")
        and app.settings.get("advanced", {}).get("logout_request_signed")
    )


def logout_url(request: HttpRequest, app, session: dict | None) -> str | None:
    """The IdP's logout URL with our signed LogoutRequest for the session signed in as ``session``
    (``SESSION_SAML_LOGOUT_KEY``), or None where the IdP or the session offers no single logout. Call it
    after the local session has ended: the request's id is kept in the new one, for the IdP's answer."""
    if not session or not offers_single_logout(app):
        return None
    request.META["HTTP_HOST"] = request.get_host()
    auth = build_auth(request, app.get_provider(request))
    url = auth.logout(
        return_to=request.build_absolute_uri("/"),
        name_id=session.get("name_id"),
        session_index=session.get("session_index"),
        nq=session.get("nq"),
        name_id_format=session.get("name_id_format"),
        spnq=session.get("spnq"),
    )
    request.session[PENDING_LOGOUT_KEY] = auth.get_last_request_id()
    return url


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


def _refused(reason: str, detail: str = "") -> HttpResponseBadRequest:
    logger.warning("SAML logout message refused: %s %s", reason, detail)
    return HttpResponseBadRequest(reason, content_type="text/plain; charset=utf-8")


def single_logout(request: HttpRequest, organization_slug: str):
    """The IdP's LogoutRequest or LogoutResponse (HTTP-Redirect binding), signed by the IdP's certificate."""
    data = request.GET
    kind = next((name for name in ("SAMLRequest", "SAMLResponse") if name in data), None)
    app = get_adapter().get_app(request, provider="saml", client_id=organization_slug)
    if not offers_single_logout(app):
        return _refused(_("この IdP とのシングルログアウトは設定されていません。"), organization_slug)
    if request.method != "GET" or kind is None:
        return _refused(_("ログアウトの要求または応答(HTTP-Redirect バインディング)がありません。"))
    if not data.get("Signature") or not data.get("SigAlg"):
        return _refused(_("署名のないログアウトの要求・応答は受け付けません。"), kind)
    auth = build_auth(request, app.get_provider(request))
    ours = request.session.get(SESSION_SAML_LOGOUT_KEY) or {}
    this_provider = request.session.get(SESSION_PROVIDER_KEY) == app.provider_id
    keep_session = True
    if kind == "SAMLRequest" and request.user.is_authenticated and this_provider and ours:
        try:  # python3-saml's safe parser; the signature is checked by process_slo below
            xml = OneLogin_Saml2_Logout_Request(auth.get_settings(), data["SAMLRequest"]).get_xml()
            named = OneLogin_Saml2_Logout_Request.get_nameid(xml)
        except Exception:  # unreadable: process_slo refuses it with the reason
            named = None
        keep_session = named != ours.get("name_id")  # a logout for someone else ends nobody's session here
    try:
        redirect_to = auth.process_slo(
            keep_local_session=keep_session,
            request_id=request.session.pop(PENDING_LOGOUT_KEY, None) if kind == "SAMLResponse" else None,
            delete_session_cb=lambda: logout(request),
        )
    except OneLogin_Saml2_Error as error:
        return _refused(_("ログアウトの要求・応答を処理できませんでした: {error}").format(error=error))
    if auth.get_errors():
        reason = auth.get_last_error_reason() or ", ".join(auth.get_errors())
        return _refused(_("ログアウトの要求・応答を受け付けませんでした: {reason}").format(reason=reason))
    if kind == "SAMLRequest":
        ended = not keep_session
        logger.info("SAML single logout from the IdP: provider=%s ended=%s", app.provider_id, ended)
    return HttpResponseRedirect(redirect_to or "/")


sls = _only_enabled(single_logout, exempt=True)
metadata = _only_enabled(views.metadata)

"""A second factor for local accounts that see personal data or author content (issue 14, ADR 0020).

With ``MFA_REQUIRED`` on (production's default), a person who holds such rights and signed in with a local
password must prove a TOTP code (RFC 6238, any authenticator app) before the site does anything else for
them: first they set one up, afterwards they enter a code once per session. Until then every request but
these pages and signing out is sent here (the API answers 403), so none of their rights takes effect,
whichever page or interface it would be used through. A session that came from the municipality's
identity provider counts as strong already (the provider applies the municipality's own policy).

allauth's MFA app keeps the authenticator (its ``Authenticator`` model, codes accepted once only); the
secret is sealed at rest with a key derived from the key-encryption key (never stored in the clear).

Once the app is set up, a person may add security keys or the phone's or PC's own authenticator
(WebAuthn: allauth's ``webauthn`` type on python-fido2, the browser's own ``navigator.credentials``; keys
are added only in a proved session) and prove later sessions with one instead of a code.

Setting up the app also issues ten one-time recovery codes (allauth's ``RecoveryCodes``, from a sealed seed),
shown once the app is confirmed and again on ``/mfa/recovery-codes/`` in a proved session: a person whose
phone is lost or replaced proves the session with one of them instead, then sets up the new phone. Each
code works once; wrong ones count toward the same five as wrong TOTP codes; using one is logged.
"""

from __future__ import annotations

import json
import logging

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, validate_totp_code
from allauth.mfa.webauthn.internal import auth as webauthn
from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from lms_site import sealing

from .adapter import SESSION_PROVIDER_KEY

logger = logging.getLogger("lms_site.identity")

VERIFIED_KEY = "mfa_verified"
PENDING_SECRET_KEY = "mfa_pending_secret"  # noqa: S105 - a session key's name, not a secret
FAILURES_KEY = "mfa_failures"
MAX_FAILURES = 5
# Rights that make a second factor necessary: personal data, reports on people, the admin (authoring,
# approving, importing), acting for every municipality.
PRIVILEGED_PERMISSIONS = (
    "organisation.view_personal_data",
    "organisation.view_department_reports",
    "wagtailadmin.access_admin",
    "organisation.act_platform_wide",
)
OPEN_PREFIXES = ("/mfa/", "/logout/", "/i18n/", "/static/", "/favicon")
# Read by machines (the API, and the CASE provider at the site root, ADR 0021): answered, not redirected.
MACHINE_PREFIXES = ("/api/", "/ims/case/")


def needs_second_factor(user) -> bool:
    """Whether ``user`` holds rights that need a second factor (permissions come from the cached set)."""
    if user.is_superuser or user.is_staff or getattr(user, "dx_advisor", False):
        return True
    permissions = user.get_all_permissions()
    return any(permission in permissions for permission in PRIVILEGED_PERMISSIONS)


def session_is_strong(session) -> bool:
    return bool(session.get(VERIFIED_KEY) or session.get(SESSION_PROVIDER_KEY))


def totp_of(user) -> TOTP | None:
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return TOTP(authenticator) if authenticator else None


def security_keys_of(user) -> list[Authenticator]:
    return list(
        Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).order_by("created_at", "pk")
    )


def recovery_codes_of(user) -> RecoveryCodes | None:
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).first()
    return RecoveryCodes(authenticator) if authenticator else None


class SecondFactorMiddleware:
    """Sends a privileged local session to set up or enter its TOTP code first (after authentication)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            getattr(settings, "MFA_REQUIRED", False)
            and user.is_authenticated
            and not session_is_strong(request.session)
            and not request.path.startswith(OPEN_PREFIXES)
            and needs_second_factor(user)
        ):
            if request.path.startswith(MACHINE_PREFIXES):
                message = _("二要素認証(TOTP)を済ませてから利用してください。")
                return JsonResponse({"detail": message}, status=403)
            step = "verify" if totp_of(user) else "setup"
            target = reverse(f"mfa_{step}")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(target)
        return self.get_response(request)


class CodeForm(forms.Form):
    """A code of ``DIGITS`` digits (spaces and hyphens, as people copy them from a printout, are dropped)."""

    DIGITS = 6
    code = forms.CharField(label=gettext_lazy("確認コード(6桁)"))

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split()).replace("-", "")
        if not (code.isascii() and code.isdigit() and len(code) == self.DIGITS):
            raise forms.ValidationError(self.wrong_shape_message())
        return code

    def wrong_shape_message(self) -> str:
        return _("確認コードは6桁の数字です。")


class RecoveryCodeForm(CodeForm):
    DIGITS = mfa_settings.RECOVERY_CODE_DIGITS
    code = forms.CharField(label=gettext_lazy("回復コード"))

    def wrong_shape_message(self) -> str:
        return _("回復コードは%(digits)d桁の数字です。") % {"digits": self.DIGITS}


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return "/"


def _count_failure(request) -> HttpResponseRedirect | None:
    """Count a wrong code or key; after ``MAX_FAILURES`` in one session, sign out (guessing ends there)."""
    failures = request.session.get(FAILURES_KEY, 0) + 1
    if failures >= MAX_FAILURES:
        logout(request)
        return HttpResponseRedirect(reverse("login"))
    request.session[FAILURES_KEY] = failures
    return None


def _failed(request, form) -> HttpResponseRedirect | None:
    if (response := _count_failure(request)) is not None:
        return response
    form.add_error("code", _("確認コードが正しくないか、すでに使われています。"))
    return None


def _verified(request, *, then: str | None = None):
    """Mark the session proved (a new session key) and go on to ``next``, or first to ``then``."""
    target = _next(request)
    request.session.pop(PENDING_SECRET_KEY, None)
    request.session.pop(FAILURES_KEY, None)
    request.session.cycle_key()
    request.session[VERIFIED_KEY] = True
    if then:
        return HttpResponseRedirect(reverse(then) + "?" + urlencode({"next": target}))
    return HttpResponseRedirect(target)


@login_required
def setup(request):
    """Set up an authenticator app: the secret as a QR code and as text, then one code to confirm it."""
    if totp_of(request.user):
        return HttpResponseRedirect(reverse("mfa_verify") + "?" + urlencode({"next": _next(request)}))
    secret = request.session.get(PENDING_SECRET_KEY)
    if not secret:
        secret = request.session[PENDING_SECRET_KEY] = generate_totp_secret()
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if validate_totp_code(secret, form.cleaned_data["code"]):
            with transaction.atomic():
                TOTP.activate(request.user, secret)
                RecoveryCodes.activate(request.user)
            return _verified(request, then="mfa_recovery_codes")
        if (response := _failed(request, form)) is not None:
            return response
    adapter = SealedMFAAdapter()
    url = adapter.build_totp_url(request.user, secret)
    context = {"form": form, "secret": secret, "qr_svg": adapter.build_totp_svg(url), "next": _next(request)}
    return render(request, "identity/mfa_setup.html", context, status=400 if form.errors else 200)


@login_required
def verify(request):
    """Enter the code from the authenticator app set up earlier (once per session)."""
    totp = totp_of(request.user)
    if totp is None:
        return HttpResponseRedirect(reverse("mfa_setup") + "?" + urlencode({"next": _next(request)}))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp.validate_code(form.cleaned_data["code"]):
            return _verified(request)
        if (response := _failed(request, form)) is not None:
            return response
    context = {"form": form, "next": _next(request), **_key_sign_in(request)}
    return render(request, "identity/mfa_verify.html", context, status=400 if form.errors else 200)


def _key_sign_in(request) -> dict:
    """What the verify page needs to offer the person's security keys (WebAuthn): the browser's request
    options (a new challenge, kept in the session until it is answered), or nothing without a key."""
    if not security_keys_of(request.user):
        return {}
    return {"key_options": {"request_options": webauthn.begin_authentication(request.user)}}


MAX_CREDENTIAL_BYTES = 16_384  # a WebAuthn response is a few hundred bytes to a few KB


def _credential(request) -> dict | None:
    raw = request.POST.get("credential", "")
    if not raw or len(raw) > MAX_CREDENTIAL_BYTES:
        return None
    try:
        credential = json.loads(raw)
    except ValueError:
        return None
    return credential if isinstance(credential, dict) else None


@login_required
@require_http_methods(["POST"])
def verify_with_key(request):
    """The browser's answer (WebAuthn assertion) to the challenge the verify page gave: proves the session
    if one of the person's own keys signed this session's challenge (a challenge is answered once)."""
    credential = _credential(request)
    try:
        if credential is None:
            raise ValidationError("unreadable")
        key = webauthn.complete_authentication(request.user, credential)
    except (ValidationError, ValueError, TypeError, KeyError):
        webauthn.clear_state()
        if (response := _count_failure(request)) is not None:
            return response
        logger.warning("security key refused: user=%s", request.user.pk)
        context = {
            "form": CodeForm(),
            "next": _next(request),
            "key_error": _("セキュリティキーで確認できませんでした。登録したキーでもう一度お試しください。"),
            **_key_sign_in(request),
        }
        return render(request, "identity/mfa_verify.html", context, status=400)
    key.record_usage()
    return _verified(request)


@login_required
def recover(request):
    """Prove the session with a one-time recovery code instead of the app (a lost or replaced phone)."""
    if totp_of(request.user) is None:
        return HttpResponseRedirect(reverse("mfa_setup") + "?" + urlencode({"next": _next(request)}))
    form = RecoveryCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = recovery_codes_of(request.user)
        if codes is not None and codes.validate_code(form.cleaned_data["code"]):
            left = len(codes.get_unused_codes())
            logger.warning("recovery code used: user=%s codes_left=%d", request.user.pk, left)
            return _verified(request, then="mfa_recovery_codes")
        if (response := _failed(request, form)) is not None:
            return response
    context = {"form": form, "next": _next(request)}
    return render(request, "identity/mfa_recover.html", context, status=400 if form.errors else 200)


def _unless_proved(request, here: str) -> HttpResponseRedirect | None:
    """Where a page that changes how the person proves themselves sends them first: to set up the app if
    they have none, else to prove this session with a code; ``None`` when the session is proved."""
    if totp_of(request.user) is None:
        return HttpResponseRedirect(reverse("mfa_setup") + "?" + urlencode({"next": _next(request)}))
    if not request.session.get(VERIFIED_KEY):
        return HttpResponseRedirect(reverse("mfa_verify") + "?" + urlencode({"next": here}))
    return None


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """The unused recovery codes, to print or save (``?download``); a POST replaces them all with new ones.

    Only in a session proved by a code (or by the municipality's provider): a stolen password alone never
    shows them.
    """
    if (response := _unless_proved(request, reverse("mfa_recovery_codes"))) is not None:
        return response
    if request.method == "POST":
        with transaction.atomic():
            Authenticator.objects.filter(user=request.user, type=Authenticator.Type.RECOVERY_CODES).delete()
            RecoveryCodes.activate(request.user)
        logger.info("recovery codes replaced: user=%s", request.user.pk)
        return HttpResponseRedirect(reverse("mfa_recovery_codes") + "?" + urlencode({"next": _next(request)}))
    codes = recovery_codes_of(request.user) or RecoveryCodes.activate(request.user)
    unused = codes.get_unused_codes()
    codes.mark_as_viewed()
    if "download" in request.GET:
        title = _("%(site)s の回復コード(%(user)s)") % {
            "site": settings.WAGTAIL_SITE_NAME,
            "user": request.user.get_username(),
        }
        lines = [title, _("各コードは一度だけ使えます。"), *unused]
        response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="recovery-codes.txt"'
        response["Cache-Control"] = "no-store"
        return response
    left = ngettext(
        "使える回復コードは残り %(count)d 個です。",
        "使える回復コードは残り %(count)d 個です。",
        len(unused),
    ) % {"count": len(unused)}
    context = {"codes": unused, "left": left, "running_low": len(unused) <= 3, "next": _next(request)}
    response = render(request, "identity/mfa_recovery_codes.html", context)
    response["Cache-Control"] = "no-store"
    return response


class SecurityKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("キーの名前"),
        max_length=50,
        help_text=gettext_lazy("例: 庁舎PCの指紋認証、USB セキュリティキー"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def security_keys(request):
    """The person's security keys (WebAuthn): listed, added (a name and the browser's new credential for
    this session's challenge) and removed; only in a session proved by a code, as for recovery codes."""
    here = reverse("mfa_keys")
    if (response := _unless_proved(request, here)) is not None:
        return response
    form = SecurityKeyForm(request.POST or None)
    status = 200
    if request.method == "POST" and "remove" in request.POST:
        key = request.POST["remove"]
        mine = Authenticator.objects.filter(user=request.user, type=Authenticator.Type.WEBAUTHN)
        if not (key.isascii() and key.isdigit() and mine.filter(pk=int(key)).delete()[0]):
            raise Http404
        logger.info("security key removed: user=%s", request.user.pk)
        return HttpResponseRedirect(here)
    if request.method == "POST" and form.is_valid():
        credential = _credential(request)
        try:
            if credential is None:
                raise ValidationError("unreadable")
            webauthn.complete_registration(credential)
        except (ValidationError, ValueError, TypeError, KeyError):
            form.add_error(
                None, _("セキュリティキーを登録できませんでした。もう一度「キーを登録」を押してください。")
            )
        else:
            webauthn.WebAuthn.add(request.user, form.cleaned_data["name"], credential)
            logger.info("security key added: user=%s", request.user.pk)
            return HttpResponseRedirect(here)
    if form.errors:
        status = 400
    keys = [
        {
            "pk": key.pk,
            "name": key.data.get("name", ""),
            "created_at": key.created_at,
            "last_used_at": key.last_used_at,
        }
        for key in security_keys_of(request.user)
    ]
    options = {"creation_options": webauthn.begin_registration(request.user, passwordless=False)}
    response = render(
        request, "identity/mfa_keys.html", {"form": form, "keys": keys, "key_options": options}, status=status
    )
    response["Cache-Control"] = "no-store"
    return response


class SealedMFAAdapter(DefaultMFAAdapter):
    """allauth's MFA adapter, sealing TOTP secrets at rest (``lms_site.sealing``)."""

    def get_totp_issuer(self) -> str:
        return settings.WAGTAIL_SITE_NAME

    def get_totp_label(self, user) -> str:
        return user.get_username()

    def encrypt(self, text: str) -> str:
        return sealing.seal(text, purpose=b"totp")

    def decrypt(self, encrypted_text: str) -> str:
        return sealing.unseal(encrypted_text, purpose=b"totp")

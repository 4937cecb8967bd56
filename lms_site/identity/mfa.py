"""A second factor for local accounts that see personal data or author content (issue 14, ADR 0020).

With ``MFA_REQUIRED`` on (production's default), a person who holds such rights and signed in with a local
password must prove a TOTP code (RFC 6238, any authenticator app) before the site does anything else for
them: first they set one up, afterwards they enter a code once per session. Until then every request but
these pages and signing out is sent here (the API answers 403), so none of their rights takes effect,
whichever page or interface it would be used through. A session that came from the municipality's
identity provider counts as strong already (the provider applies the municipality's own policy).

allauth's MFA app keeps the authenticator (its ``Authenticator`` model, codes accepted once only); the
secret is sealed at rest with a key derived from the key-encryption key (never stored in the clear).
"""

from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, validate_totp_code
from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms_site import sealing

from .adapter import SESSION_PROVIDER_KEY

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
            if request.path.startswith("/api/"):
                message = _("二要素認証(TOTP)を済ませてから利用してください。")
                return JsonResponse({"detail": message}, status=403)
            step = "verify" if totp_of(user) else "setup"
            target = reverse(f"mfa_{step}")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(target)
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("確認コード(6桁)"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("確認コードは6桁の数字です。"))
        return code


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return "/"


def _failed(request, form) -> HttpResponseRedirect | None:
    """Count a wrong code; after ``MAX_FAILURES`` in one session, sign out (guessing ends there)."""
    failures = request.session.get(FAILURES_KEY, 0) + 1
    if failures >= MAX_FAILURES:
        logout(request)
        return HttpResponseRedirect(reverse("login"))
    request.session[FAILURES_KEY] = failures
    form.add_error("code", _("確認コードが正しくないか、すでに使われています。"))
    return None


def _verified(request):
    request.session.pop(PENDING_SECRET_KEY, None)
    request.session.pop(FAILURES_KEY, None)
    request.session.cycle_key()
    request.session[VERIFIED_KEY] = True
    return HttpResponseRedirect(_next(request))


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
            TOTP.activate(request.user, secret)
            return _verified(request)
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
    context = {"form": form, "next": _next(request)}
    return render(request, "identity/mfa_verify.html", context, status=400 if form.errors else 200)


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

"""Security middleware and the rate-limited login view.

- ``ContentSecurityPolicyMiddleware``: a strict policy on the learner-facing HTML pages (scripts only from
  our origin or with this request's nonce), a looser one on the two admin sites, whose own templates carry
  inline scripts we do not control.
- ``csp``: the context processor that exposes the nonce as ``{{ csp_nonce }}`` to templates.
- ``DatabaseUnavailableMiddleware``: a database that cannot be reached gives a friendly 503 page, not a
  traceback. The page renders from a template alone (no session, no user, no database).
- Sign-in limits (django-axes, ADR 0013): ``LOGIN_FAILURE_LIMIT`` failures per account from any address, and
  the much looser ``LOGIN_ADDRESS_FAILURE_LIMIT`` per client address, within ``LOGIN_FAILURE_WINDOW``
  seconds, on every login form (the admins' too); a locked sign-in gets the 429 page. The client address
  comes from ``TRUSTED_PROXY_COUNT`` proxies, counted from the right of X-Forwarded-For.
- ``SignInView``: tells a leaver who gave the right password why they cannot sign in.
- ``IdleTimeoutMiddleware``: personal-data roles are signed out after ``PERSONAL_DATA_IDLE_TIMEOUT`` idle
  seconds.
"""

import base64
import hashlib
import ipaddress
import logging
import re
import secrets
import sys
import time
import unicodedata
from functools import cache
from urllib.parse import urlsplit

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.db.models import Sum
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults

logger = logging.getLogger(__name__)

ADMIN_PREFIXES = ("/admin/", "/django-admin/")


def _sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@cache
def _known_inline_sources() -> tuple[str, ...]:
    """Hashes of the inline scripts that the XBlock runtime emits without a nonce.

    The quiz XBlock's fragment carries its JavaScript inline (web_fragments renders
    ``<script>\\n{text}\\n</script>``); the text is our own package's static file. No event-handler
    attribute is allowed (no ``'unsafe-hashes'``): handlers are attached from static files.
    """
    from dx_assessment.base import static_text

    return (_sha256_source("\n" + static_text("dx_assessment.js") + "\n"),)


# Forms may post only to the site itself, and to the origins a request names (the municipality's identity
# provider: the login page's sign-in buttons and, for a session that came from it, signing out redirect
# there, and Chromium applies form-action to the redirects after a form is sent).
FORM_ORIGINS_SESSION_KEY = "csp_form_origins"


def learner_policy(
    nonce: str, form_origins: tuple[str, ...] = (), frame_ancestors: tuple[str, ...] = ()
) -> str:
    """``frame_ancestors``: the LMS that launched this session (lti.middleware); by default none may frame."""
    script_src = " ".join(("'self'", f"'nonce-{nonce}'", *_known_inline_sources()))
    form_action = " ".join(("'self'", *form_origins))
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {script_src}",
            # plotly.js inserts <style> elements at run time; style attributes cannot run code.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            # Lesson videos are embeds (YouTube and other oEmbed providers), always over HTTPS.
            "frame-src 'self' https:",
            "object-src 'none'",
            "base-uri 'self'",
            f"form-action {form_action}",
            "frame-ancestors " + (" ".join(frame_ancestors) or "'none'"),
        )
    )


# Wagtail's and Django's admin templates carry inline scripts and styles of their own; this policy only
# forbids plugins, foreign <base> and framing by other sites (Wagtail previews frame the admin itself).
ADMIN_POLICY = "object-src 'none'; base-uri 'self'; frame-ancestors 'self'"


class ContentSecurityPolicyMiddleware:
    """Give every request a fresh nonce and every HTML response a Content-Security-Policy header."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if "Content-Security-Policy" in response.headers:
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        if request.path.startswith(ADMIN_PREFIXES):
            response.headers["Content-Security-Policy"] = ADMIN_POLICY
        else:
            response.headers["Content-Security-Policy"] = learner_policy(
                request.csp_nonce, _form_origins(request), getattr(request, "csp_frame_ancestors", ())
            )
        return response


def _form_origins(request) -> tuple[str, ...]:
    origins = list(getattr(request, "csp_form_origins", ()))
    session = getattr(request, "session", None)
    if session is not None:
        origins += session.get(FORM_ORIGINS_SESSION_KEY, [])
    # only well-formed http(s) origins reach the header (they come from registered issuers)
    return tuple(sorted({o for o in origins if re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+", o)}))


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def csp(request) -> dict[str, str]:
    """``{{ csp_nonce }}`` for ``<script nonce="…">`` in templates."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


def database_unavailable_response() -> HttpResponse:
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response


class DatabaseUnavailableMiddleware:
    """Turn a database that cannot be reached into a 503 page that needs nothing but a template.

    This covers errors raised by views. Middleware that reads the session before the view (the idle
    timeout, django-axes) raises before any ``process_exception`` runs; Django turns that into its 500
    handler, and ``server_error`` below gives the same 503 for it.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable for %s %s", request.method, request.path, exc_info=exception)
        return database_unavailable_response()


def page_not_found(request, exception, template_name="404.html"):
    """``handler404``: the friendly page, except under /api/, where a machine expects the documented JSON."""
    if request.path.startswith("/api/v1/"):
        return JsonResponse({"detail": gettext("見つかりません。")}, status=404)
    return defaults.page_not_found(request, exception, template_name)


def server_error(request, template_name="500.html"):
    """``handler500``: the friendly 503 when the error being handled is an unreachable database.

    Django calls the handler inside its ``except`` block, so ``sys.exc_info()`` is the uncaught error.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        return database_unavailable_response()
    return defaults.server_error(request, template_name)


# --- sign-in limits (django-axes, ADR 0013) ---------------------------------------------------------------


def client_address(request) -> str:
    """The client's address as our own proxies saw it, never a value the client wrote.

    With ``TRUSTED_PROXY_COUNT`` = 0 (no proxy): ``REMOTE_ADDR``. Behind N proxies, each of which appends the
    address it received the request from to X-Forwarded-For, the client is the Nth entry from the right;
    anything left of it was written by the client. With fewer entries than proxies the leftmost is taken.
    A value that is not an IP address gives ``REMOTE_ADDR``.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if e.strip()]
    if not entries:
        return remote
    candidate = entries[-proxies] if len(entries) >= proxies else entries[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def sign_in_username(request, credentials) -> str | None:
    """The user name failures are counted under, written as the login form would read it (NFKC, stripped)
    and case-folded, so that variants of one account's name share one count."""
    name = credentials.get("username") if credentials else getattr(request, "POST", {}).get("username")
    if name is None:
        return None
    return unicodedata.normalize("NFKC", str(name)).strip().casefold()[:255]


class SignInLimitHandler(AxesDatabaseHandler):
    """Axes' database handler with two limits: ``AXES_FAILURE_LIMIT`` failures per account (any address),
    and the much looser ``LOGIN_ADDRESS_FAILURE_LIMIT`` per client address (any account), both within
    ``AXES_COOLOFF_TIME``. The account's count alone decides while the address is under its own limit, so
    colleagues behind one NAT address cannot lock each other out with a few wrong passwords.
    ``AXES_LOCKOUT_PARAMETERS`` is ``["username", "ip_address"]``: Axes hands us one set of attempts each."""

    def get_failures(self, request, credentials=None) -> int:
        by_account, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if by_address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(by_account, settings.AXES_FAILURE_LIMIT)
        return by_account

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful sign-in clears that account's failures only, never its address's (else anyone with an
        account could reset the address count between guesses at other accounts)."""
        username = sign_in_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """The 429 page in the user's language, with ``Retry-After``."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    logger.warning("Sign-in refused: too many failures for an account or from %s", client_address(request))
    response = TemplateResponse(request, "429.html", {"minutes": seconds // 60}, status=429)
    response["Retry-After"] = str(seconds)
    return response.render()


class SignInForm(AuthenticationForm):
    """Django's form, telling a leaver who gave the right password why they cannot sign in."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "leaver": _(
            "この利用者は退職または所属の終了により利用できなくなっています。"
            "引き続き利用する必要がある場合は、人事課にお問い合わせください。"
        ),
    }

    leaver = False

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "sign_in_refused_leaver", False):
                self.leaver = True
                raise ValidationError(self.error_messages["leaver"], code="leaver") from None
            raise


class SignInView(auth_views.LoginView):
    """Django's login view with our form; Axes (backend and middleware) refuses locked accounts with 429."""

    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        """The municipalities' own sign-in buttons come first (lms_site.identity, ADR 0020)."""
        from lms_site.identity.models import IdentityProvider

        try:
            providers = list(
                IdentityProvider.objects.filter(is_enabled=True).select_related("app", "municipality")
            )
        except DatabaseError:  # the page still serves (without the buttons) while the database is down
            providers = []
        self.request.csp_form_origins = [provider.form_origin for provider in providers]
        return super().get_context_data(identity_providers=providers, **kwargs)


# --- idle timeout for personal-data roles -----------------------------------------------------------------

IDLE_KEY = "idle_timeout"
SEEN_KEY = "last_seen"


@receiver(user_logged_in, dispatch_uid="lms_site-idle-timeout-start")
def idle_timeout_start(sender, request, user, **kwargs) -> None:
    """At sign-in on any login form: a holder of ``view_personal_data`` gets ``PERSONAL_DATA_IDLE_TIMEOUT``
    seconds of idle time; others keep the normal session. Decided once per sign-in, so that learners'
    requests cost nothing."""
    seconds = settings.PERSONAL_DATA_IDLE_TIMEOUT
    session = getattr(request, "session", None)
    if seconds and session is not None and user.has_perm("organisation.view_personal_data"):
        session[IDLE_KEY] = seconds
        session[SEEN_KEY] = int(time.time())


class IdleTimeoutMiddleware:
    """Signs out a personal-data session idle for longer than its limit (after AuthenticationMiddleware).

    The time of the last request is written at most once a minute, not on every request."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        limit = session.get(IDLE_KEY) if session is not None else None
        if limit:
            now = int(time.time())
            seen = session.get(SEEN_KEY, now)
            if now - seen > limit:
                logout(request)
                messages.info(request, _("一定時間操作がなかったため、ログアウトしました。"))
                return redirect_to_login(request.get_full_path())
            if now - seen >= 60:
                session[SEEN_KEY] = now
        return self.get_response(request)

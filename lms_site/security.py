"""Security middleware and the rate-limited login view.

- ``ContentSecurityPolicyMiddleware``: a strict policy on the learner-facing HTML pages (scripts only from
  our origin or with this request's nonce), a looser one on the two admin sites, whose own templates carry
  inline scripts we do not control.
- ``csp``: the context processor that exposes the nonce as ``{{ csp_nonce }}`` to templates.
- ``DatabaseUnavailableMiddleware``: a database that cannot be reached gives a friendly 503 page, not a
  traceback. The page renders from a template alone (no session, no user, no database).
- Login rate limiting: at most ``LOGIN_FAILURE_LIMIT`` failed logins per user name and client address within
  ``LOGIN_FAILURE_WINDOW`` seconds. Two authentication backends count and refuse on every login form (the
  admins' too); ``RateLimitedLoginView`` answers a locked login with a 429 page. The counts live in the
  cache (Redis in production); with the cache down, logins go on unlimited and a warning is logged.
"""

import base64
import hashlib
import logging
import secrets
from functools import cache

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse

from lms_site.cache import cache_call

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


def learner_policy(nonce: str) -> str:
    script_src = " ".join(("'self'", f"'nonce-{nonce}'", *_known_inline_sources()))
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
            "form-action 'self'",
            "frame-ancestors 'none'",
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
            response.headers["Content-Security-Policy"] = learner_policy(request.csp_nonce)
        return response


def csp(request) -> dict[str, str]:
    """``{{ csp_nonce }}`` for ``<script nonce="…">`` in templates."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


class DatabaseUnavailableMiddleware:
    """Turn a database that cannot be reached into a 503 page that needs nothing but a template."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable for %s %s", request.method, request.path, exc_info=exception)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response


# --- login rate limiting -------------------------------------------------------------------------------


def client_address(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or the header a trusted proxy sets (``CLIENT_IP_HEADER``)."""
    header = getattr(settings, "CLIENT_IP_HEADER", None)
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def _failure_key(username: str, address: str) -> str:
    digest = hashlib.sha256(f"{username.strip().lower()}\0{address}".encode()).hexdigest()
    return f"login-failures:{digest}"


def _cache_call(method: str, *args, default=None, **kwargs):
    """A cache call that logs and gives ``default`` when the cache (Redis) is down: logins go on."""
    return cache_call(method, *args, default=default, log=logger, what="login rate limit", **kwargs)


def login_failures(*, username: str, address: str) -> int:
    return _cache_call("get", _failure_key(username, address), default=0) or 0


def login_failure_record(*, username: str, address: str) -> None:
    """Count a failure; the window runs from the first failure (a later one does not extend it)."""
    key = _failure_key(username, address)
    if not _cache_call("add", key, 1, timeout=settings.LOGIN_FAILURE_WINDOW, default=True):
        _cache_call("incr", key)


def login_failures_clear(*, username: str, address: str) -> None:
    _cache_call("delete", _failure_key(username, address))


class LoginRateLimitBackend(BaseBackend):
    """First in ``AUTHENTICATION_BACKENDS``: refuses a locked user name and address on every login form
    (ours, Wagtail's admin and Django's admin), before any password is checked."""

    def get_user(self, user_id):
        # force_login() (tests, and any code logging a user in without a password) records the first
        # backend in the session; the session must then resolve to the user as ModelBackend would.
        return ModelBackend().get_user(user_id)

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or not username:
            return None
        if login_failures(username=username, address=client_address(request)) >= settings.LOGIN_FAILURE_LIMIT:
            raise PermissionDenied("too many failed logins")
        return None


class LoginFailureBackend(BaseBackend):
    """Last in ``AUTHENTICATION_BACKENDS``: reached only when no backend accepted the credentials."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and username:
            login_failure_record(username=username, address=client_address(request))
        return None


class RateLimitedLoginView(auth_views.LoginView):
    """Django's login view, answering 429 to a user name and address with too many recent failures."""

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        address = client_address(request)
        if login_failures(username=username, address=address) >= settings.LOGIN_FAILURE_LIMIT:
            logger.warning("Login refused: too many failures for a user name from %s", address)
            response = TemplateResponse(
                request, "429.html", {"minutes": settings.LOGIN_FAILURE_WINDOW // 60}, status=429
            )
            response["Retry-After"] = str(settings.LOGIN_FAILURE_WINDOW)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        login_failures_clear(
            username=self.request.POST.get("username", ""), address=client_address(self.request)
        )
        return super().form_valid(form)

"""Production settings: cookies only over HTTPS, HSTS, and the security middleware in place."""

import json

from tests.test_settings import PRODUCTION_ENV, manage

SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in ("
    "'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', "
    "'SECURE_SSL_REDIRECT', 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', 'MIDDLEWARE', "
    "'AUTHENTICATION_BACKENDS', 'DEBUG')}))"
)


def test_production_cookies_are_secure_and_the_security_middleware_is_on():
    result = manage("shell", "-c", SHOW, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])

    assert values["DEBUG"] is False
    assert (
        values["SESSION_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_SECURE"]
    )
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] and values["X_FRAME_OPTIONS"] == "DENY"
    assert "lms_site.security.ContentSecurityPolicyMiddleware" in values["MIDDLEWARE"]
    assert "lms_site.security.DatabaseUnavailableMiddleware" in values["MIDDLEWARE"]
    assert values["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert values["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"
    assert "lms_site.security.IdleTimeoutMiddleware" in values["MIDDLEWARE"]


def test_the_old_client_ip_header_setting_refuses_to_start():
    """DJANGO_CLIENT_IP_HEADER trusted a value the client writes (ADR 0013): a deployment still setting it
    must not start and silently keep trusting it."""
    result = manage("check", env={**PRODUCTION_ENV, "DJANGO_CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR"})

    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXY_COUNT" in result.stderr

"""Pages of a session that came in through an LTI launch may be framed by that LMS (ADR 0023).

For such a session only: CSP ``frame-ancestors`` names the registration's platform origin instead of
``'none'``, X-Frame-Options is dropped, and over HTTPS the session and CSRF cookies are ``SameSite=None;
Secure`` so that the iframe, which is a third-party context in the LMS's page, keeps them. Every other
session, and the admin sites, keep the site's defaults. Placed between the CSP middleware (which reads
``request.csp_frame_ancestors``) and the session middleware (whose cookie it adjusts).
"""

import re

from django.conf import settings

from lms_site.security import ADMIN_PREFIXES

from .services import SESSION_KEY

ORIGIN = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+")


class LtiFrameMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        launched = session.get(SESSION_KEY) if session is not None else None
        if not launched or request.path.startswith(ADMIN_PREFIXES):
            return response
        origin = launched.get("origin", "")
        if ORIGIN.fullmatch(origin):
            request.csp_frame_ancestors = (origin,)
            response.headers.pop("X-Frame-Options", None)
        if request.is_secure():
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
                if name in response.cookies:
                    response.cookies[name]["samesite"] = "None"
                    response.cookies[name]["secure"] = True
        return response

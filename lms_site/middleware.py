"""Language selection: the user's explicit choice (cookie), otherwise Japanese, whatever the browser says."""

from django.conf import settings
from django.utils import translation


class DefaultLanguageMiddleware:
    """Japanese is the platform's default; ``Accept-Language`` is deliberately not consulted.

    Staff share PCs whose browsers are often set to English; the language switcher sets the cookie.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

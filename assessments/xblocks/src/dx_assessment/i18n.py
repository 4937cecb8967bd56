"""Translation of the blocks' interface through the runtime's XBlock ``i18n`` service.

Source strings are English; the Japanese catalog ships in this package as
``translations/ja/LC_MESSAGES/text.po`` and its compiled ``text.mo``. That is the place and the domain
Open edX's ``XBlockI18nService`` looks in (``<directory of the block's module>/translations``, domain
``text``), so under Open edX the service itself returns Japanese when the learner's language is ja.

Runtimes whose i18n service is Django's translation module (the xblock-sdk workbench, the site's own
runtime) do not know this catalog. For them, a string the service leaves untranslated is looked up in
the bundled catalog for the service's active language (``service.get_language()``). A service without
``get_language`` (XBlock's ``NullI18nService``) leaves the English source strings.

Only the interface is translated; questions are shown in the language they were written in.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from importlib import resources
from typing import Any

DOMAIN = "text"


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


def to_locale(language: str) -> str:
    """Turn a language code into a locale name: "ja" -> "ja", "en-us" -> "en_US"."""
    lang, _, country = language.replace("_", "-").partition("-")
    return f"{lang.lower()}_{country.upper()}" if country else lang.lower()


@lru_cache(maxsize=32)
def bundled_catalog(language: str) -> gettext.NullTranslations:
    """The catalog shipped in the package for ``language`` (NullTranslations when there is none)."""
    localedir = resources.files(__package__).joinpath("translations")
    return gettext.translation(
        DOMAIN, localedir=str(localedir), languages=[to_locale(language)], fallback=True
    )


def service_language(service: Any) -> str | None:
    """The active language of a Django-style i18n service, or None if the service cannot tell."""
    get_language = getattr(service, "get_language", None)
    if not callable(get_language):
        return None
    language = get_language()
    return language if isinstance(language, str) and language else None


class Translator:
    """``gettext``/``ngettext`` of a block: the runtime's service first, then the bundled catalog."""

    def __init__(self, service: Any) -> None:
        self.service = service
        self.language = service_language(service) if service is not None else None
        self.bundled = bundled_catalog(self.language) if self.language else gettext.NullTranslations()

    def _service_call(self, *names: str) -> Any:
        for name in names:
            function = getattr(self.service, name, None) if self.service is not None else None
            if callable(function):
                return function
        return None

    def gettext(self, message: str) -> str:
        function = self._service_call("gettext", "ugettext")
        translated = str(function(message)) if function else message
        return self.bundled.gettext(message) if translated == message else translated

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        function = self._service_call("ngettext", "ungettext")
        english = singular if number == 1 else plural
        translated = str(function(singular, plural, number)) if function else english
        return self.bundled.ngettext(singular, plural, number) if translated == english else translated

    __call__ = gettext

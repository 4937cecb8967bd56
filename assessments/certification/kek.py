"""The key-encryption key (KEK) that seals the issuer keys at rest (``openbadges.keys.seal_private_key``).

``DJANGO_CREDENTIAL_KEK`` (settings ``CREDENTIAL_KEK``): 32 random bytes in URL-safe base64, e.g.
``python -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"``. Production
settings refuse to start without it. Development and tests, which may leave it unset, derive a fixed
default from ``SECRET_KEY`` (so changing their SECRET_KEY makes existing keys unreadable: the error says
which KEK sealed them). Keep the KEK out of the database and its backups: that separation is the point.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .openbadges import keys

ENVIRONMENT_VARIABLE = "DJANGO_CREDENTIAL_KEK"


def kek_problem() -> str | None:
    """What is wrong with the configured KEK (None: nothing); the system check reports it."""
    text = getattr(settings, "CREDENTIAL_KEK", "") or ""
    if not text:
        if getattr(settings, "CREDENTIAL_KEK_REQUIRED", False):
            return (
                f"{ENVIRONMENT_VARIABLE} is not set: the certificate signing keys cannot be sealed or "
                "opened without it."
            )
        return None
    try:
        keys.kek_from_text(text)
    except keys.InvalidKey as error:
        return f"{ENVIRONMENT_VARIABLE} is malformed: {error}."
    return None


def configured_kek() -> bytes:
    """The KEK to seal and open issuer keys with; ImproperlyConfigured when it is missing or malformed."""
    problem = kek_problem()
    if problem:
        raise ImproperlyConfigured(problem)
    text = getattr(settings, "CREDENTIAL_KEK", "") or ""
    if text:
        return keys.kek_from_text(text)
    return hashlib.sha256(b"dx-credential-kek-default\0" + str(settings.SECRET_KEY).encode()).digest()

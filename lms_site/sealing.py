"""Small secrets kept in the database, sealed at rest (TOTP seeds, an LRS's Basic-auth secret).

AES-256-GCM under a key derived, per purpose, from the key-encryption key (``CREDENTIAL_KEK``; development
and tests, which may leave it unset, use ``SECRET_KEY``), with the purpose as associated data, so that a
value sealed for one purpose does not open for another. Changing the key makes stored values unreadable:
they are entered again (an LRS secret) or set up again (``manage.py mfa_reset``).
"""

import base64
import hashlib
import os

from django.conf import settings

PREFIX = "v1:"


def _key(purpose: bytes) -> bytes:
    base = getattr(settings, "CREDENTIAL_KEK", "") or settings.SECRET_KEY
    return hashlib.sha256(b"dx-platform " + purpose + b" secrets\0" + base.encode()).digest()


def seal(text: str, *, purpose: bytes) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    sealed = AESGCM(_key(purpose)).encrypt(nonce, text.encode(), purpose)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(sealed: str, *, purpose: bytes) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    raw = base64.urlsafe_b64decode(sealed.removeprefix(PREFIX))
    return AESGCM(_key(purpose)).decrypt(raw[:12], raw[12:], purpose).decode()

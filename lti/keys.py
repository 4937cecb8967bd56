"""The tool's signing keys: made, sealed at rest, published, rotated (ADR 0023).

The private key is sealed with ``lms_site.sealing`` (purpose ``lti-tool-key``); the key id is the RFC 7638
thumbprint, which is also what PyLTI1p3 puts in the ``kid`` header of what it signs.
"""

import json

from django.db import transaction
from django.utils import timezone
from jwcrypto.jwk import JWK

from lms_site.sealing import seal, unseal

from .models import ToolKey

PURPOSE = b"lti-tool-key"


def public_jwk(public_pem: str) -> dict:
    jwk = json.loads(JWK.from_pem(public_pem.encode()).export_public())
    return {**jwk, "alg": "RS256", "use": "sig"}


@transaction.atomic
def key_create() -> ToolKey:
    """A new RSA key, live from now; the keys live before it are retired (kept in the JWKS for the grace)."""
    key = JWK.generate(kty="RSA", size=2048)
    private_pem = key.export_to_pem(private_key=True, password=None).decode()
    public_pem = key.export_to_pem().decode()
    kid = public_jwk(public_pem)["kid"]
    now = timezone.now()
    ToolKey.objects.filter(retired_at__isnull=True).update(retired_at=now)
    return ToolKey.objects.create(
        kid=kid, private_key_sealed=seal(private_pem, purpose=PURPOSE), public_key=public_pem, created_at=now
    )


def current_key() -> ToolKey:
    """The key that signs: the newest live one, made on first use."""
    key = ToolKey.objects.filter(retired_at__isnull=True).first()
    return key if key is not None else key_create()


def private_pem(key: ToolKey) -> str:
    return unseal(key.private_key_sealed, purpose=PURPOSE)


def jwks() -> dict:
    current_key()
    return {"keys": [public_jwk(key.public_key) for key in ToolKey.objects.published()]}

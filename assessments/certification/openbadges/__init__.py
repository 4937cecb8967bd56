"""Open Badges credentials for certificates: OB 3.0 signed credentials and OB 2.0 hosted badges. Pure.

No Django, no ORM, no network (an import-linter contract keeps it so): the certification services turn a
certificate into the plain inputs below and store or serve the dicts that come back.

* ``keys``: Ed25519 issuer keys; ``did:key`` (default, resolves offline) and ``did:web`` (production
  option for a municipality's own domain) DIDs and documents.
* ``ob3``: the ``OpenBadgeCredential`` (VC 2.0) with an ``eddsa-rdfc-2022`` Data Integrity proof:
  :func:`open_badge_credential`, :func:`sign`, :func:`verify`, :func:`schema_errors`.
* ``ob2``: OB 2.0 hosted verification: :func:`issuer_profile`, :func:`badge_class`, :func:`assertion`,
  :func:`revoked_assertion`, the salted recipient hash and :func:`recipient_matches`.
* ``jsonld``: the vendored JSON-LD contexts and the offline document loader behind canonicalisation.

``tools/credential-verifier`` checks our credentials with the Digital Credentials Consortium's verifier
(``tests/openbadges`` runs it), so "verifies" means more than agreeing with ourselves.
"""

from .jsonld import ContextNotVendored, UndefinedTerm, UnsupportedCharacter
from .keys import (
    InvalidKey,
    did_document,
    did_key,
    did_key_verification_method,
    did_web,
    did_web_document,
    did_web_url,
    generate_private_key,
    private_key_from_text,
    private_key_to_text,
    public_key_from_multibase,
    public_key_multibase,
)
from .ob2 import (
    Alignment,
    assertion,
    badge_class,
    issuer_profile,
    new_salt,
    recipient_identity_hash,
    recipient_matches,
    revoked_assertion,
)
from .ob3 import (
    Achievement,
    Issuer,
    Recipient,
    VerificationResult,
    open_badge_credential,
    schema_errors,
    sign,
    verify,
)

__all__ = [
    "Achievement",
    "Alignment",
    "ContextNotVendored",
    "InvalidKey",
    "Issuer",
    "Recipient",
    "UndefinedTerm",
    "UnsupportedCharacter",
    "VerificationResult",
    "assertion",
    "badge_class",
    "did_document",
    "did_key",
    "did_key_verification_method",
    "did_web",
    "did_web_document",
    "did_web_url",
    "generate_private_key",
    "issuer_profile",
    "new_salt",
    "open_badge_credential",
    "private_key_from_text",
    "private_key_to_text",
    "public_key_from_multibase",
    "public_key_multibase",
    "recipient_identity_hash",
    "recipient_matches",
    "revoked_assertion",
    "schema_errors",
    "sign",
    "verify",
]

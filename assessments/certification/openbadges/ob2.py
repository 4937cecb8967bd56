"""Open Badges 2.0 hosted verification objects: issuer profile, badge class, assertion. Pure.

OB 2.0 is still what many backpacks and LMSs import, so a certificate is also published this way, next
to its OB 3.0 credential (``ob3``). *Hosted* verification means there is no signature: the assertion is
a JSON document served at its own ``id`` URL on the issuer's domain, and a verifier trusts it because
it fetched it from there (``verification: {"type": "hosted"}``). The three documents link by URL:
assertion ``badge`` → badge class, badge class ``issuer`` → issuer profile.

The recipient is never named in the assertion: ``recipient.identity`` is ``sha256$<hex>`` of the email
address followed by a per-assertion salt (:func:`recipient_identity_hash`), so only someone who already
knows the address can check it (:func:`recipient_matches`). The address is trimmed and lowercased first,
as backpacks match addresses case-insensitively.

A revoked hosted assertion is answered with HTTP 410 Gone and the body of :func:`revoked_assertion`.
The builders write the plain JSON that the OB 2.0 context (``https://w3id.org/openbadges/v2``) defines;
nothing here expands it (that context is not vendored).
"""

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
HASH_ALGORITHM = "sha256"
REVOKED_STATUS = 410


@dataclass(frozen=True)
class Alignment:
    """A competency the badge certifies, as an alignment target (shared by OB 2.0 and OB 3.0).

    ``target_url`` is the competency's public page (e.g. its CASE ``CFItem`` URI), ``target_code`` its code
    within ``target_framework``; ``target_type`` is written by OB 3.0 only (2.0 has no such property).
    """

    target_name: str
    target_url: str
    target_code: str | None = None
    target_framework: str | None = None
    target_description: str | None = None
    target_type: str = "CFItem"


def new_salt() -> str:
    """A fresh random salt for one recipient identity (store it with the certificate)."""
    return secrets.token_hex(16)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def recipient_identity_hash(email: str, salt: str) -> str:
    """``sha256$<hex>`` of the normalised address followed by ``salt`` (OB 2.0's and 3.0's IdentityHash)."""
    digest = hashlib.sha256((normalise_email(email) + salt).encode("utf-8")).hexdigest()
    return f"{HASH_ALGORITHM}${digest}"


def recipient_matches(assertion: Mapping[str, Any], email: str) -> bool:
    """Whether ``email`` is the assertion's email recipient (hashed with its salt, or in plain text)."""
    recipient = assertion.get("recipient") or {}
    identity = recipient.get("identity")
    if recipient.get("type") != "email" or not isinstance(identity, str):
        return False
    if not recipient.get("hashed"):
        return hmac.compare_digest(normalise_email(identity), normalise_email(email))
    if not identity.startswith(f"{HASH_ALGORITHM}$"):
        return False
    expected = recipient_identity_hash(email, recipient.get("salt") or "")
    return hmac.compare_digest(identity.lower(), expected)


def _drop_none(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if value is not None}


def _datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("OB dates need a timezone (an aware datetime)")
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def issuer_profile(
    *,
    id: str,
    name: str,
    url: str,
    email: str,
    description: str | None = None,
    image: str | None = None,
) -> dict[str, Any]:
    """The issuer's Profile, served at ``id`` (its ``url`` is the municipality's home page)."""
    return _drop_none(
        {
            "@context": OB2_CONTEXT,
            "type": "Issuer",
            "id": id,
            "name": name,
            "url": url,
            "email": email,
            "description": description,
            "image": image,
        }
    )


def badge_class(
    *,
    id: str,
    name: str,
    description: str,
    issuer: str,
    criteria_narrative: str,
    criteria_url: str | None = None,
    image: str | None = None,
    alignments: Iterable[Alignment] = (),
    tags: Iterable[str] = (),
) -> dict[str, Any]:
    """The BadgeClass, served at ``id``; ``issuer`` is the profile's URL; ``image`` a URL or a data URI.

    OB 2.0 expects every badge class to have an image; leave it out only where the consumer accepts that.
    """
    criteria = _drop_none({"id": criteria_url, "narrative": criteria_narrative})
    alignment = [
        _drop_none(
            {
                "targetName": target.target_name,
                "targetUrl": target.target_url,
                "targetDescription": target.target_description,
                "targetFramework": target.target_framework,
                "targetCode": target.target_code,
            }
        )
        for target in alignments
    ]
    return _drop_none(
        {
            "@context": OB2_CONTEXT,
            "type": "BadgeClass",
            "id": id,
            "name": name,
            "description": description,
            "image": image,
            "criteria": criteria,
            "issuer": issuer,
            "alignment": alignment or None,
            "tags": list(tags) or None,
        }
    )


def assertion(
    *,
    id: str,
    badge: str,
    email: str,
    salt: str,
    issued_on: datetime,
    expires: datetime | None = None,
    revoked: bool = False,
    revocation_reason: str | None = None,
    evidence: str | None = None,
) -> dict[str, Any]:
    """The hosted Assertion, served at ``id``; ``badge`` is the badge class's URL.

    A revoked assertion should rather be answered with :func:`revoked_assertion`; ``revoked`` here is for
    a consumer that wants the full document with its revocation flag.
    """
    if revocation_reason and not revoked:
        raise ValueError("a revocation reason needs revoked=True")
    return _drop_none(
        {
            "@context": OB2_CONTEXT,
            "type": "Assertion",
            "id": id,
            "recipient": {
                "type": "email",
                "hashed": True,
                "salt": salt,
                "identity": recipient_identity_hash(email, salt),
            },
            "badge": badge,
            "verification": {"type": "hosted"},
            "issuedOn": _datetime(issued_on),
            "expires": _datetime(expires),
            "evidence": evidence,
            "revoked": True if revoked else None,
            "revocationReason": revocation_reason if revoked else None,
        }
    )


def revoked_assertion(*, id: str, reason: str | None = None) -> dict[str, Any]:
    """The body served (with HTTP 410 Gone, :data:`REVOKED_STATUS`) at a revoked assertion's URL."""
    return _drop_none(
        {
            "@context": OB2_CONTEXT,
            "type": "Assertion",
            "id": id,
            "revoked": True,
            "revocationReason": reason,
        }
    )

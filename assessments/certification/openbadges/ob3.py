"""Open Badges 3.0 credentials: build, sign (``eddsa-rdfc-2022``), verify, check the schema. Pure.

An OB 3.0 ``OpenBadgeCredential`` is a W3C Verifiable Credential (data model 2.0) whose subject holds the
``Achievement`` (the certification, with an ``alignment`` per competency it certifies). It carries its own
proof, so it verifies anywhere, offline, long after our site is gone: a ``DataIntegrityProof`` with the
``eddsa-rdfc-2022`` cryptosuite (W3C *Data Integrity EdDSA Cryptosuites v1.0*):

1. the credential without its proof, and the proof options (the proof without ``proofValue``, under the
   credential's ``@context``), are each canonicalised to N-Quads with RDF Dataset Canonicalization
   (RDFC-1.0, pyld's ``URDNA2015``) against the vendored contexts (``jsonld``);
2. hashData = SHA-256(canonical proof options) ‖ SHA-256(canonical credential) (:func:`hash_data`);
3. ``proofValue`` = multibase base58btc (``z…``) of the Ed25519 signature of hashData.

So the signature covers the credential's meaning, not its bytes: reordering keys or re-indenting keeps it
valid; any change to a value, to the proof options or to the key named fails :func:`verify`. The issuer
is a DID (``keys``); a proof counts only if its key is controlled by the credential's ``issuer``.

The recipient is identified as in OB 2.0: a salted ``sha256$…`` of the email address in an
``IdentityObject`` (plus their name for display), or by a DID of theirs as ``credentialSubject.id``.
Revocation reaches offline verifiers through ``credentialStatus``: a ``BitstringStatusListEntry``
(``status``) naming a bit of the issuer's signed status list.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld.jsonld import JsonLdError

from . import jsonld
from .keys import InvalidKey, base58btc_decode, base58btc_encode, verification_key
from .ob2 import Alignment, recipient_identity_hash

CONTEXT = [jsonld.CREDENTIALS_V2, jsonld.OB_V3P0]
CREDENTIAL_TYPE = ["VerifiableCredential", "OpenBadgeCredential"]
PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "ob_v3p0_achievementcredential_schema.json"
CANONICALISATION_ERRORS = (
    jsonld.ContextNotVendored,
    jsonld.UndefinedTerm,
    jsonld.UnsupportedCharacter,
    JsonLdError,
)


@dataclass(frozen=True)
class Issuer:
    """The issuing municipality: its DID (``keys.did_key`` or ``keys.did_web``), name and home page."""

    id: str
    name: str
    url: str | None = None


@dataclass(frozen=True)
class Recipient:
    """The person certified: a display name, and their email (hashed with ``salt``) and/or a DID of theirs."""

    name: str
    email: str | None = None
    salt: str | None = None
    id: str | None = None

    def __post_init__(self) -> None:
        if not (self.email or self.id):
            raise ValueError("a recipient needs an email (hashed) or an id: OB 3.0 requires one")
        if self.email and not self.salt:
            raise ValueError("a hashed email needs a salt (ob2.new_salt())")


@dataclass(frozen=True)
class Achievement:
    """What was achieved: the certification programme, its criteria and the competencies it certifies."""

    id: str
    name: str
    description: str
    criteria_narrative: str
    alignments: tuple[Alignment, ...] = field(default=())
    achievement_type: str = "Certification"
    image: str | None = None


@dataclass(frozen=True)
class VerificationResult:
    verified: bool
    errors: tuple[str, ...] = ()


def _datetime(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("credential dates need a timezone (an aware datetime)")
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _drop_none(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if value is not None}


def _alignment(target: Alignment) -> dict[str, Any]:
    return _drop_none(
        {
            "type": ["Alignment"],
            "targetName": target.target_name,
            "targetUrl": target.target_url,
            "targetDescription": target.target_description,
            "targetCode": target.target_code,
            "targetFramework": target.target_framework,
            "targetType": target.target_type,
        }
    )


def _achievement(achievement: Achievement) -> dict[str, Any]:
    return _drop_none(
        {
            "id": achievement.id,
            "type": ["Achievement"],
            "achievementType": achievement.achievement_type,
            "name": achievement.name,
            "description": achievement.description,
            "criteria": {"narrative": achievement.criteria_narrative},
            "image": {"id": achievement.image, "type": "Image"} if achievement.image else None,
            "alignment": [_alignment(target) for target in achievement.alignments] or None,
        }
    )


def _subject(recipient: Recipient, achievement: Achievement) -> dict[str, Any]:
    identifier = None
    if recipient.email:
        identifier = [
            {
                "type": "IdentityObject",
                "identityHash": recipient_identity_hash(recipient.email, recipient.salt or ""),
                "identityType": "emailAddress",
                "hashed": True,
                "salt": recipient.salt,
            }
        ]
    return _drop_none(
        {
            "id": recipient.id,
            "type": ["AchievementSubject"],
            "name": recipient.name,
            "identifier": identifier,
            "achievement": _achievement(achievement),
        }
    )


def open_badge_credential(
    *,
    credential_id: str,
    issuer: Issuer,
    recipient: Recipient,
    achievement: Achievement,
    valid_from: datetime,
    valid_until: datetime | None = None,
    credential_status: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The unsigned ``OpenBadgeCredential``; ``credential_id`` is the URL its JSON is served at.

    ``credential_status`` is its ``credentialStatus`` (``status.status_entry``), or None for none.
    """
    return _drop_none(
        {
            "@context": list(CONTEXT),
            "id": credential_id,
            "type": list(CREDENTIAL_TYPE),
            "name": achievement.name,
            "issuer": _drop_none(
                {"id": issuer.id, "type": ["Profile"], "name": issuer.name, "url": issuer.url}
            ),
            "validFrom": _datetime(valid_from),
            "validUntil": _datetime(valid_until) if valid_until else None,
            "credentialSubject": _subject(recipient, achievement),
            "credentialStatus": dict(credential_status) if credential_status else None,
        }
    )


# -- eddsa-rdfc-2022 ---------------------------------------------------------------------------------------


def hash_data(
    document: Mapping[str, Any],
    proof_options: Mapping[str, Any],
    *,
    loader: jsonld.DocumentLoader | None = None,
) -> bytes:
    """SHA-256(canonical proof options) ‖ SHA-256(canonical document): the 64 bytes that are signed.

    ``document`` is the credential without ``proof``; ``proof_options`` the proof without ``proofValue``.
    The proof options are canonicalised under the document's ``@context`` unless they carry their own.
    """
    options = {"@context": document["@context"], **proof_options}
    canonical_options = jsonld.canonize(options, loader=loader)
    canonical_document = jsonld.canonize(document, loader=loader)
    return (
        hashlib.sha256(canonical_options.encode("utf-8")).digest()
        + hashlib.sha256(canonical_document.encode("utf-8")).digest()
    )


def sign(
    credential: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    *,
    created: datetime | None = None,
    loader: jsonld.DocumentLoader | None = None,
) -> dict[str, Any]:
    """A copy of ``credential`` with an ``eddsa-rdfc-2022`` DataIntegrityProof (in a one-item ``proof`` list).

    ``verification_method`` names the public half of ``private_key`` (``keys.did_key_verification_method``
    or a did:web document's method). Raises ``jsonld.UndefinedTerm`` for a property the contexts do not
    define (it would go unsigned), ``jsonld.ContextNotVendored`` for an unknown context and
    ``jsonld.UnsupportedCharacter`` for a control character in a text. ``loader`` replaces the vendored
    contexts (tests use it for the W3C test vector's example context).
    """
    if "proof" in credential:
        raise ValueError("the credential already has a proof")
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": _datetime(created or datetime.now(UTC)),
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    signature = private_key.sign(hash_data(credential, proof, loader=loader))
    return {**credential, "proof": [{**proof, "proofValue": "z" + base58btc_encode(signature)}]}


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _proof_errors(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    *,
    issuer: str | None,
    check_issuer: bool,
    did_documents: Mapping[str, Mapping[str, Any]] | None,
    loader: jsonld.DocumentLoader | None,
) -> list[str]:
    if not isinstance(proof, Mapping):
        return ["a proof is not a JSON object"]
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return [f"unsupported proof {proof.get('type')!r} / {proof.get('cryptosuite')!r}"]
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        return [f"proof purpose is {proof.get('proofPurpose')!r}, not {PROOF_PURPOSE!r}"]
    proof_value = proof.get("proofValue")
    if not isinstance(proof_value, str) or not proof_value.startswith("z"):
        return ["proofValue is not multibase base58btc"]
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    if "@context" in options:
        context, own = document["@context"], options["@context"]
        context, own = (value if isinstance(value, list) else [value] for value in (context, own))
        if context[: len(own)] != own:
            return ["the proof's @context is not a prefix of the credential's"]
        document = {**document, "@context": options["@context"]}
    try:
        key = verification_key(str(proof.get("verificationMethod")), did_documents=did_documents)
        if check_issuer and key.controller != issuer:
            return [f"the signing key belongs to {key.controller}, not to the issuer {issuer}"]
        signature = base58btc_decode(proof_value[1:])
        key.public_key.verify(signature, hash_data(document, options, loader=loader))
    except InvalidKey as error:
        return [str(error)]
    except InvalidSignature:
        return ["the signature does not match the credential (changed after signing, or another key)"]
    except CANONICALISATION_ERRORS as error:
        return [f"cannot canonicalise the credential: {error}"]
    return []


def verify(
    credential: Mapping[str, Any],
    *,
    did_documents: Mapping[str, Mapping[str, Any]] | None = None,
    check_issuer: bool = True,
    loader: jsonld.DocumentLoader | None = None,
) -> VerificationResult:
    """Whether every proof of ``credential`` is a valid ``eddsa-rdfc-2022`` proof by its issuer's key.

    did:key methods resolve offline; a did:web issuer's document is passed in ``did_documents``. With
    ``check_issuer=False`` the key need not belong to the ``issuer`` (the W3C test vectors' issuer is a
    URL, not a DID); never so for our own certificates, or anyone could re-sign them with their own key.
    This checks authenticity only: dates (``validFrom``/``validUntil``) and revocation are the caller's.
    """
    proofs = credential.get("proof")
    if isinstance(proofs, Mapping):
        proofs = [proofs]
    if not proofs or "@context" not in credential:
        return VerificationResult(False, ("the credential has no proof" if not proofs else "no @context",))
    document = {key: value for key, value in credential.items() if key != "proof"}
    errors = []
    for proof in proofs:
        errors += _proof_errors(
            document,
            proof,
            issuer=_issuer_id(credential),
            check_issuer=check_issuer,
            did_documents=did_documents,
            loader=loader,
        )
    return VerificationResult(not errors, tuple(errors))


# -- the 1EdTech JSON schema -------------------------------------------------------------------------------


@cache
def _schema_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def schema_errors(credential: Mapping[str, Any]) -> list[str]:
    """Where ``credential`` breaks the vendored 1EdTech OB 3.0 AchievementCredential schema ([]: nowhere)."""
    errors = sorted(_schema_validator().iter_errors(credential), key=lambda error: list(error.absolute_path))
    return [f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}" for error in errors]

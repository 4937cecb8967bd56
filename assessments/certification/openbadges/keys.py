"""Ed25519 issuer keys and the DIDs that name them (``did:key``, ``did:web``). Pure: no Django, no network.

A certificate credential is signed with one Ed25519 key. Its public half is published as a DID so that any
verifier can find it:

* ``did:key`` (the default): the DID *is* the public key, ``did:key:z6Mk…`` = multibase base58btc of the
  multicodec header ``0xed 0x01`` (ed25519-pub) and the 32 key bytes. It resolves offline, in any
  verifier, with nothing to host; the verification method is ``did:key:z6Mk…#z6Mk…``. Its drawback: the
  DID changes with the key, so rotating the key changes the issuer's identity.
* ``did:web`` (the production option for a municipality with its own domain): ``did:web:city.example.lg.jp``
  names the document published at ``https://city.example.lg.jp/.well-known/did.json``
  (:func:`did_web_url`), which lists the current key(s) (:func:`did_web_document`). The identity stays
  with the domain across key rotations; verifiers must fetch the document over HTTPS (our own
  :func:`verification_key` takes it from the caller instead).

At rest the private key is sealed (:func:`seal_private_key`: AES-256-GCM under a key-encryption key that
lives only in the environment, bound to its public key); the database holds only the sealed form and the
KEK's id. :func:`private_key_to_text` (the raw seed in base64) is for tests and explicit exports only.
"""

import base64
import binascii
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

ED25519_PUB_MULTICODEC = b"\xed\x01"
BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
MULTIBASE_BASE58BTC = "z"
DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
VERIFICATION_RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "capabilityDelegation",
    "capabilityInvocation",
)


class InvalidKey(ValueError):
    """A key, multibase value or DID that is not what it claims to be."""


# -- base58btc (Bitcoin alphabet), as multibase 'z' uses it ------------------------------------------------


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(BASE58_ALPHABET[remainder])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        index = BASE58_ALPHABET.find(char)
        if index < 0:
            raise InvalidKey(f"{char!r} is not a base58btc character")
        number = number * 58 + index
    leading_zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * leading_zeros + body


# -- private keys ------------------------------------------------------------------------------------------


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_to_text(private_key: Ed25519PrivateKey) -> str:
    """The key's raw 32-byte seed in base64: what to put in the secret store."""
    seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(seed).decode("ascii")


def private_key_from_text(text: str) -> Ed25519PrivateKey:
    """The key stored by :func:`private_key_to_text`."""
    try:
        seed = base64.b64decode(text.strip(), validate=True)
    except ValueError as error:  # binascii.Error, or a non-ASCII character
        raise InvalidKey("the private key is not valid base64") from error
    if len(seed) != 32:
        raise InvalidKey(f"an Ed25519 private key is a 32-byte seed, not {len(seed)} bytes")
    return Ed25519PrivateKey.from_private_bytes(seed)


# -- public keys as multibase and did:key ------------------------------------------------------------------


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """``z6Mk…``: the Multikey ``publicKeyMultibase`` of an Ed25519 public key."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return MULTIBASE_BASE58BTC + base58btc_encode(ED25519_PUB_MULTICODEC + raw)


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """The Ed25519 key of a ``z6Mk…`` multibase value (raises :class:`InvalidKey` for anything else)."""
    if not value.startswith(MULTIBASE_BASE58BTC):
        raise InvalidKey(f"{value!r} is not multibase base58btc (it must start with 'z')")
    decoded = base58btc_decode(value[1:])
    if not decoded.startswith(ED25519_PUB_MULTICODEC) or len(decoded) != 34:
        raise InvalidKey(f"{value!r} is not an Ed25519 public key (multicodec 0xed01 and 32 bytes)")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


def did_key(public_key: Ed25519PublicKey) -> str:
    return "did:key:" + public_key_multibase(public_key)


def did_key_verification_method(public_key: Ed25519PublicKey) -> str:
    """``did:key:z6Mk…#z6Mk…``: the id a proof's ``verificationMethod`` names."""
    multibase = public_key_multibase(public_key)
    return f"did:key:{multibase}#{multibase}"


def did_document(did: str) -> dict[str, Any]:
    """The DID document of an Ed25519 ``did:key``, derived from the DID alone (the did:key method)."""
    if not did.startswith("did:key:"):
        raise InvalidKey(f"{did!r} is not a did:key; only did:key documents can be derived offline")
    multibase = did.removeprefix("did:key:")
    public_key_from_multibase(multibase)
    method_id = f"{did}#{multibase}"
    method = {"id": method_id, "type": "Multikey", "controller": did, "publicKeyMultibase": multibase}
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": [method],
        **{relationship: [method_id] for relationship in VERIFICATION_RELATIONSHIPS},
    }


# -- did:web -----------------------------------------------------------------------------------------------


def did_web(domain: str, *path: str) -> str:
    """``did:web:city.example.lg.jp`` (or ``…:certificates`` with a path); a port is percent-encoded."""
    domain = domain.strip().lower().removeprefix("https://").rstrip("/")
    if not domain or "/" in domain:
        raise InvalidKey(f"{domain!r} is not a bare domain name")
    return ":".join(["did:web", quote(domain, safe=""), *(quote(part, safe="") for part in path)])


def did_web_url(did: str) -> str:
    """Where a did:web document is published: ``/.well-known/did.json``, or ``/<path>/did.json``."""
    if not did.startswith("did:web:"):
        raise InvalidKey(f"{did!r} is not a did:web")
    domain, *path = did.removeprefix("did:web:").split(":")
    location = "/".join(unquote(part) for part in path) if path else ".well-known"
    return f"https://{unquote(domain)}/{location}/did.json"


def did_web_document(did: str, public_key: Ed25519PublicKey, *, key_id: str = "key-1") -> dict[str, Any]:
    """The ``did.json`` to publish at :func:`did_web_url` for a did:web whose assertion key is ``public_key``.

    Rotating the key: publish a document with a new ``key_id`` for the new key, keeping the old method
    (in ``verificationMethod`` and ``assertionMethod``) as long as credentials signed with it must verify.
    """
    method_id = f"{did}#{key_id}"
    method = {
        "id": method_id,
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": public_key_multibase(public_key),
    }
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": [method],
        "authentication": [method_id],
        "assertionMethod": [method_id],
    }


# -- resolving a proof's verification method ---------------------------------------------------------------


@dataclass(frozen=True)
class VerificationKey:
    """A resolved verification method: the DID that controls it and its public key."""

    controller: str
    public_key: Ed25519PublicKey


def verification_key(
    verification_method: str, *, did_documents: Mapping[str, Mapping[str, Any]] | None = None
) -> VerificationKey:
    """The assertion key a proof names: derived for did:key, looked up in ``did_documents`` for others.

    ``did_documents`` ({DID: document}) is how a did:web document reaches this offline code; the method
    must be listed under the document's ``assertionMethod``. Raises :class:`InvalidKey` otherwise.
    """
    did, _, _ = verification_method.partition("#")
    if did.startswith("did:key:"):
        document: Mapping[str, Any] = did_document(did)
    elif did_documents and did in did_documents:
        document = did_documents[did]
    else:
        raise InvalidKey(f"cannot resolve {did!r} offline (did:key only, or pass its DID document)")
    if document.get("id") != did:
        raise InvalidKey(f"the DID document given for {did!r} is the document of {document.get('id')!r}")
    assertion = document.get("assertionMethod", [])
    embedded = [ref for ref in assertion if isinstance(ref, Mapping)]
    if verification_method not in [ref if isinstance(ref, str) else ref.get("id") for ref in assertion]:
        raise InvalidKey(f"{verification_method!r} is not an assertion method of {did!r}")
    for method in [*document.get("verificationMethod", []), *embedded]:
        if method.get("id") == verification_method and method.get("controller") == did:
            return VerificationKey(did, public_key_from_multibase(method.get("publicKeyMultibase", "")))
    raise InvalidKey(f"{did!r} has no Multikey verification method {verification_method!r}")


# -- private keys at rest: sealed with a key-encryption key (KEK) ------------------------------------------

KEK_BYTES = 32
SEALED_VERSION = "v1"


class WrongKeyEncryptionKey(InvalidKey):
    """A sealed private key cannot be opened with the key-encryption key given (another KEK, or tampered)."""


def kek_from_text(text: str) -> bytes:
    """The 32-byte KEK from its text form: URL-safe base64 (``Fernet.generate_key()`` makes one)."""
    try:
        kek = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError) as error:
        raise InvalidKey("the key-encryption key is not URL-safe base64") from error
    if len(kek) != KEK_BYTES:
        raise InvalidKey(f"the key-encryption key must be {KEK_BYTES} bytes, not {len(kek)}")
    return kek


def kek_id(kek: bytes) -> str:
    """A short public name of a KEK (16 hex digits of a hash), stored next to what it sealed."""
    return hashlib.sha256(b"dx-credential-kek-id\0" + kek).hexdigest()[:16]


def seal_private_key(private_key: Ed25519PrivateKey, kek: bytes, *, context: str) -> str:
    """``v1:<kek id>:<base64url(nonce ‖ AES-256-GCM ciphertext)>`` of the key's seed.

    ``context`` (e.g. the public key's multibase) is authenticated with it: a sealed key copied onto
    another row does not open there. Nothing in the result reveals the seed without the KEK.
    """
    seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    nonce = os.urandom(12)
    sealed = AESGCM(kek).encrypt(nonce, seed, context.encode("utf-8"))
    token = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
    return f"{SEALED_VERSION}:{kek_id(kek)}:{token}"


def open_private_key(sealed: str, kek: bytes, *, context: str) -> Ed25519PrivateKey:
    """The key :func:`seal_private_key` sealed; :class:`WrongKeyEncryptionKey` names the KEK it needs."""
    version, sealed_with, token = [*sealed.split(":", 2), "", ""][:3]
    if version != SEALED_VERSION or not token:
        raise InvalidKey("the sealed private key is not in the v1 format")
    if sealed_with != kek_id(kek):
        raise WrongKeyEncryptionKey(
            f"the private key was sealed with key-encryption key {sealed_with}, but the configured "
            f"key-encryption key is {kek_id(kek)} (DJANGO_CREDENTIAL_KEK changed or is wrong)"
        )
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        seed = AESGCM(kek).decrypt(raw[:12], raw[12:], context.encode("utf-8"))
    except (binascii.Error, ValueError, InvalidTag) as error:
        raise WrongKeyEncryptionKey(
            "the sealed private key does not open with the configured key-encryption key "
            "(tampered, or sealed for another key)"
        ) from error
    return Ed25519PrivateKey.from_private_bytes(seed)

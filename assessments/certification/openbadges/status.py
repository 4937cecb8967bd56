"""W3C Bitstring Status List v1.0: revocation that an offline verifier can check. Pure.

A credential names one bit in a published list (``credentialStatus``, a ``BitstringStatusListEntry``
with ``statusPurpose`` revocation); the issuer signs and serves the list as a
``BitstringStatusListCredential``; bit set = revoked. A verifier holding the credential fetches the list
(any copy of it: it is signed) and needs nothing else from us.

* :func:`encode_list` / :func:`decode_list`: the bits, most significant bit of the first byte = index 0,
  GZIP-compressed, multibase base64url without padding (``u…``), as the spec and the DCC verifier expect.
* :data:`MIN_LENGTH` (131,072 bits, 16 KiB): the spec's minimum, so that one list hides each holder among
  many (herd privacy).
* :func:`list_index`: the index of the n-th certificate put in a list, a keyed permutation of
  ``0..length-1``: indices look random (issue order is not published) yet are unique and never reused,
  because n only grows.
* :func:`status_entry`, :func:`status_list_credential`: the JSON; the VC 2.0 context defines every term,
  so no further context is needed (``jsonld``).
"""

import base64
import gzip
import hashlib
import hmac
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from . import jsonld

MIN_LENGTH = 131_072
REVOCATION = "revocation"
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = ["VerifiableCredential", "BitstringStatusListCredential"]


def encode_list(set_indexes: Iterable[int], *, length: int = MIN_LENGTH) -> str:
    """``u`` + base64url(GZIP(bits)): the ``encodedList`` with the given indexes set."""
    if length < MIN_LENGTH or length % 8:
        raise ValueError(f"a status list has at least {MIN_LENGTH} bits, in whole bytes")
    bits = bytearray(length // 8)
    for index in set_indexes:
        if not 0 <= index < length:
            raise ValueError(f"status index {index} is outside the list (0..{length - 1})")
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode_list(encoded: str) -> bytes:
    """The raw bits of an ``encodedList``."""
    if not encoded.startswith("u"):
        raise ValueError("an encodedList is multibase base64url: it starts with 'u'")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def is_set(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def list_index(n: int, *, secret: bytes, length: int = MIN_LENGTH) -> int:
    """The status index of the ``n``-th entry (0-based) of a list: a permutation of ``range(length)``.

    A 4-round Feistel network keyed by ``secret`` on the smallest even number of bits covering ``length``,
    cycle-walking until the value falls inside the list: distinct ``n`` give distinct indices.
    """
    if not 0 <= n < length:
        raise ValueError(f"a list of {length} bits has no entry number {n}")
    half = max(1, ((length - 1).bit_length() + 1) // 2)
    mask = (1 << half) - 1
    value = n
    while True:
        left, right = value >> half, value & mask
        for round_number in range(4):
            digest = hmac.new(secret, bytes([round_number]) + right.to_bytes(8, "big"), hashlib.sha256)
            left, right = right, left ^ (int.from_bytes(digest.digest()[:8], "big") & mask)
        value = (left << half) | right
        if value < length:
            return value


def status_entry(*, list_url: str, index: int, purpose: str = REVOCATION) -> dict[str, Any]:
    """The credential's ``credentialStatus``: which bit of which list says whether it is revoked."""
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(
    *,
    list_url: str,
    issuer: str,
    encoded_list: str,
    valid_from: datetime,
    purpose: str = REVOCATION,
) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` served at ``list_url`` (sign it with ``ob3.sign``)."""
    if valid_from.tzinfo is None:
        raise ValueError("valid_from needs a timezone")
    return {
        "@context": [jsonld.CREDENTIALS_V2],
        "id": list_url,
        "type": list(LIST_CREDENTIAL_TYPE),
        "issuer": issuer,
        "validFrom": valid_from.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded_list,
        },
    }

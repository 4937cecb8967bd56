"""Issuer keys and DIDs: the did:key spec's test vectors, key storage, did:web, resolving a proof's key."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from assessments.certification.openbadges import keys

# From the did:key method spec's test vectors (w3c-ccg/did-method-key, test-vectors/ed25519-x25519.json):
# seed → did:key and the raw public key in base58btc.
DID_KEY_VECTORS = [
    (
        "0000000000000000000000000000000000000000000000000000000000000000",
        "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
        "4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS",
    ),
    (
        "0000000000000000000000000000000000000000000000000000000000000001",
        "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG",
        "6ASf5EcmmEHTgDJ4X4ZT5vT6iHVJBXPg5AN5YoTCpGWt",
    ),
    (
        "0000000000000000000000000000000000000000000000000000000000000004",
        "did:key:z6MkwW6aqMnjgrhJXFUko3NnZPGzVpkNzhYK7yEhnsibmLwL",
        "J3qYF7YJMKCqQke47UQwiHizgFUXapHxRxKmxbkar89x",
    ),
]


@pytest.mark.parametrize(("seed", "did", "public_base58"), DID_KEY_VECTORS)
def test_did_key_of_a_seed_matches_the_spec_test_vector(seed, did, public_base58):
    public_key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed)).public_key()

    assert keys.did_key(public_key) == did
    assert keys.did_key_verification_method(public_key) == f"{did}#{did.removeprefix('did:key:')}"
    raw = keys.public_key_from_multibase(did.removeprefix("did:key:")).public_bytes_raw()
    assert keys.base58btc_encode(raw) == public_base58


def test_did_key_round_trips_through_multibase_for_a_fresh_key():
    public_key = keys.generate_private_key().public_key()
    multibase = keys.public_key_multibase(public_key)

    assert multibase.startswith("z6Mk")
    assert keys.public_key_from_multibase(multibase).public_bytes_raw() == public_key.public_bytes_raw()


def test_base58btc_keeps_leading_zero_bytes():
    for data in (b"", b"\0", b"\0\0\x01\xff", bytes(range(40))):
        assert keys.base58btc_decode(keys.base58btc_encode(data)) == data
    assert keys.base58btc_encode(b"\0\0\x01") == "112"


def test_multibase_that_is_not_an_ed25519_key_is_refused():
    x25519 = "z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW"  # the vector's key-agreement key
    for value in (x25519, "6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", "z0OIl"):
        with pytest.raises(keys.InvalidKey):
            keys.public_key_from_multibase(value)


def test_private_key_stored_as_text_loads_back_to_the_same_key():
    private_key = keys.generate_private_key()
    text = keys.private_key_to_text(private_key)
    loaded = keys.private_key_from_text(text)

    assert len(text) == 44  # base64 of the 32-byte seed
    assert loaded.public_key().public_bytes_raw() == private_key.public_key().public_bytes_raw()
    assert loaded.sign(b"message") == private_key.sign(b"message")  # Ed25519 is deterministic


@pytest.mark.parametrize("text", ["not base64!", "AAAA", ""])
def test_private_key_text_that_is_not_a_32_byte_seed_is_refused(text):
    with pytest.raises(keys.InvalidKey):
        keys.private_key_from_text(text)


def test_did_key_document_lists_its_key_as_assertion_method():
    did = DID_KEY_VECTORS[0][1]
    document = keys.did_document(did)
    method_id = f"{did}#{did.removeprefix('did:key:')}"

    assert document["id"] == did
    assert document["verificationMethod"] == [
        {
            "id": method_id,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": did.removeprefix("did:key:"),
        }
    ]
    assert document["assertionMethod"] == [method_id]
    assert keys.verification_key(method_id).controller == did


def test_did_web_names_the_domain_and_the_url_of_its_document():
    assert keys.did_web("City.Wakaba.example.lg.jp") == "did:web:city.wakaba.example.lg.jp"
    assert keys.did_web_url("did:web:city.wakaba.example.lg.jp") == (
        "https://city.wakaba.example.lg.jp/.well-known/did.json"
    )
    with_path_and_port = keys.did_web("localhost:8443", "issuers", "dx")
    assert with_path_and_port == "did:web:localhost%3A8443:issuers:dx"
    assert keys.did_web_url(with_path_and_port) == "https://localhost:8443/issuers/dx/did.json"


def test_did_web_key_resolves_only_from_its_published_document():
    public_key = keys.generate_private_key().public_key()
    did = keys.did_web("city.wakaba.example.lg.jp")
    document = keys.did_web_document(did, public_key)

    resolved = keys.verification_key(f"{did}#key-1", did_documents={did: document})
    assert resolved.controller == did
    assert resolved.public_key.public_bytes_raw() == public_key.public_bytes_raw()
    with pytest.raises(keys.InvalidKey, match="cannot resolve"):
        keys.verification_key(f"{did}#key-1")
    with pytest.raises(keys.InvalidKey, match="not an assertion method"):
        keys.verification_key(f"{did}#key-2", did_documents={did: document})
    with pytest.raises(keys.InvalidKey, match="is the document of"):
        keys.verification_key(
            f"{did}#key-1", did_documents={did: {**document, "id": "did:web:elsewhere.example"}}
        )


KEK = bytes(range(32))


def test_a_sealed_key_opens_with_its_kek_and_context_only():
    private_key = keys.generate_private_key()
    context = keys.public_key_multibase(private_key.public_key())
    sealed = keys.seal_private_key(private_key, KEK, context=context)

    assert sealed.startswith(f"v1:{keys.kek_id(KEK)}:")
    assert keys.private_key_to_text(private_key) not in sealed
    opened = keys.open_private_key(sealed, KEK, context=context)
    assert opened.sign(b"m") == private_key.sign(b"m")
    other = bytes(32)
    with pytest.raises(
        keys.WrongKeyEncryptionKey, match=f"sealed with key-encryption key {keys.kek_id(KEK)}"
    ):
        keys.open_private_key(sealed, other, context=context)
    with pytest.raises(keys.WrongKeyEncryptionKey, match="does not open"):
        keys.open_private_key(sealed, KEK, context="z6MkSomethingElse")
    tampered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(keys.WrongKeyEncryptionKey):
        keys.open_private_key(tampered, KEK, context=context)
    with pytest.raises(keys.InvalidKey, match="v1 format"):
        keys.open_private_key(keys.private_key_to_text(private_key), KEK, context=context)


@pytest.mark.parametrize("text", ["", "short", "AAAA", "é" * 44, "A" * 44])
def test_a_kek_is_32_bytes_of_url_safe_base64(text):
    with pytest.raises(keys.InvalidKey):
        keys.kek_from_text(text)


def test_a_kek_in_url_safe_base64_loads():
    import base64

    assert keys.kek_from_text(base64.urlsafe_b64encode(KEK).decode()) == KEK

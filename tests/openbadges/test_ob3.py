"""OB 3.0 credentials: schema validity, eddsa-rdfc-2022 signing and verification, the W3C test vector."""

import copy
import hashlib
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from assessments.certification.openbadges import jsonld, keys, ob2, ob3
from tests.openbadges import EMAIL, ISSUER_DID, ISSUER_KEY, SALT, certificate_credential, signed_certificate


def test_signed_credential_validates_against_the_1edtech_schema():
    credential = signed_certificate()

    assert ob3.schema_errors(credential) == []
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert "credentialStatus" not in credential
    assert "id" not in credential["credentialSubject"]


def test_schema_check_reports_what_is_missing():
    credential = signed_certificate()
    del credential["credentialSubject"]["achievement"]["criteria"]
    credential["proof"] = credential["proof"][0]  # the 2024 schema wants a list

    errors = ob3.schema_errors(credential)

    assert any(error.startswith("credentialSubject/achievement") and "criteria" in error for error in errors)
    assert any(error.startswith("proof") for error in errors)


def test_credential_carries_the_competency_alignments_and_a_hashed_email():
    subject = certificate_credential()["credentialSubject"]
    identity = subject["identifier"][0]

    assert [a["targetCode"] for a in subject["achievement"]["alignment"]] == ["DATA-01", "BPR-01"]
    assert {a["targetType"] for a in subject["achievement"]["alignment"]} == {"CFItem"}
    assert identity["identityHash"] == ob2.recipient_identity_hash(EMAIL, SALT)
    assert identity["identityHash"] != ob2.recipient_identity_hash("taro@example.jp", SALT)
    assert (identity["type"], identity["identityType"], identity["hashed"]) == (
        "IdentityObject",
        "emailAddress",
        True,
    )
    assert EMAIL not in json.dumps(subject)


def test_verify_accepts_the_signed_credential_in_any_key_order_and_layout():
    credential = signed_certificate()
    proof = credential["proof"][0]

    assert ob3.verify(credential) == ob3.VerificationResult(True, ())
    assert (proof["type"], proof["cryptosuite"], proof["proofPurpose"]) == (
        "DataIntegrityProof",
        "eddsa-rdfc-2022",
        "assertionMethod",
    )
    assert proof["proofValue"].startswith("z")
    reserialised = json.loads(json.dumps(credential, sort_keys=True, indent=4, ensure_ascii=True))
    assert ob3.verify(reserialised).verified


def _tampered(change):
    credential = copy.deepcopy(signed_certificate())
    change(credential)
    return credential


OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes.fromhex("01" * 32))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda c: c["credentialSubject"].update(name="山田 太郎"), id="recipient-name"),
        pytest.param(lambda c: c.update(validUntil="2039-03-31T14:59:59Z"), id="validUntil"),
        pytest.param(lambda c: c.pop("validUntil"), id="validUntil-removed"),
        pytest.param(
            lambda c: c["credentialSubject"]["achievement"]["alignment"].pop(), id="one-competency-removed"
        ),
        pytest.param(
            lambda c: c["proof"][0].update(proofValue=c["proof"][0]["proofValue"][:-2] + "11"),
            id="proofValue",
        ),
        pytest.param(
            lambda c: c["proof"][0].update(
                verificationMethod=keys.did_key_verification_method(OTHER_KEY.public_key())
            ),
            id="verificationMethod-another-key",
        ),
        pytest.param(lambda c: c["proof"][0].update(created="2020-01-01T00:00:00Z"), id="proof-created"),
        pytest.param(lambda c: c.pop("proof"), id="proof-removed"),
    ],
)
def test_verify_rejects_a_tampered_credential(change):
    result = ob3.verify(_tampered(change))

    assert not result.verified
    assert result.errors


def test_another_key_fails_on_the_signature_itself_not_only_on_the_issuer_check():
    other_method = keys.did_key_verification_method(OTHER_KEY.public_key())
    credential = _tampered(lambda c: c["proof"][0].update(verificationMethod=other_method))

    result = ob3.verify(credential, check_issuer=False)

    assert not result.verified
    assert "signature does not match" in result.errors[0]


def test_a_credential_re_signed_with_someone_elses_key_is_not_the_issuers():
    unsigned = certificate_credential()
    forged = ob3.sign(unsigned, OTHER_KEY, keys.did_key_verification_method(OTHER_KEY.public_key()))

    assert ob3.verify(forged, check_issuer=False).verified  # the mathematics is fine...
    result = ob3.verify(forged)
    assert not result.verified  # ...but the key is not the issuer's
    assert f"not to the issuer {ISSUER_DID}" in result.errors[0]


def test_did_web_issuer_verifies_with_its_published_document_only():
    did = keys.did_web("city.wakaba.example.lg.jp")
    credential = certificate_credential(issuer=ob3.Issuer(id=did, name="若葉市"))
    signed = ob3.sign(credential, ISSUER_KEY, f"{did}#key-1")
    document = keys.did_web_document(did, ISSUER_KEY.public_key())

    assert ob3.verify(signed, did_documents={did: document}).verified
    assert "cannot resolve" in ob3.verify(signed).errors[0]
    rotated = keys.did_web_document(did, OTHER_KEY.public_key())
    assert not ob3.verify(signed, did_documents={did: rotated}).verified


def test_signing_refuses_what_would_not_be_signed_or_not_verify_elsewhere():
    with pytest.raises(jsonld.UndefinedTerm):
        ob3.sign({**certificate_credential(), "favouriteColour": "blue"}, ISSUER_KEY, "did:key:x#x")
    with pytest.raises(jsonld.ContextNotVendored, match=r"example\.org/context"):
        ob3.sign(
            {**certificate_credential(), "@context": [*ob3.CONTEXT, "https://example.org/context"]},
            ISSUER_KEY,
            "did:key:x#x",
        )
    bell = certificate_credential(recipient=ob3.Recipient(name="山田\x07花子", email=EMAIL, salt=SALT))
    with pytest.raises(jsonld.UnsupportedCharacter, match="U\\+0007"):
        ob3.sign(bell, ISSUER_KEY, "did:key:x#x")
    with pytest.raises(ValueError, match="already has a proof"):
        ob3.sign(signed_certificate(), ISSUER_KEY, "did:key:x#x")


def test_inputs_that_break_the_spec_are_refused():
    with pytest.raises(ValueError, match="email"):
        ob3.Recipient(name="山田 花子")
    with pytest.raises(ValueError, match="salt"):
        ob3.Recipient(name="山田 花子", email=EMAIL)
    with pytest.raises(ValueError, match="timezone"):
        certificate_credential(valid_from=datetime(2026, 4, 1))  # noqa: DTZ001 -- the naive date under test
    holder = ob3.Recipient(name="山田 花子", id="did:key:z6Mkholder")
    assert certificate_credential(recipient=holder)["credentialSubject"]["id"] == "did:key:z6Mkholder"


# -- the W3C test vector ------------------------------------------------------------------------------------
# "Data Integrity EdDSA Cryptosuites v1.0", section "Representation: eddsa-rdfc-2022" (w3c/vc-di-eddsa,
# TestVectors/eddsa-rdfc-2022/): key pair, unsigned credential, proof options, and the expected canonical
# proof options, combined hash and proofValue. Its second context is the W3C examples context (a plain
# @vocab), served here as an extra document since it is not vendored for production use.

EXAMPLES_CONTEXT = "https://www.w3.org/ns/credentials/examples/v2"
VECTOR_LOADER = jsonld.document_loader(
    {EXAMPLES_CONTEXT: {"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}}
)
VECTOR_PRIVATE_KEY_MULTIBASE = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
VECTOR_PUBLIC_KEY_MULTIBASE = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
VECTOR_UNSIGNED = {
    "@context": ["https://www.w3.org/ns/credentials/v2", EXAMPLES_CONTEXT],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}
VECTOR_METHOD = f"did:key:{VECTOR_PUBLIC_KEY_MULTIBASE}#{VECTOR_PUBLIC_KEY_MULTIBASE}"
VECTOR_PROOF_OPTIONS = {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-rdfc-2022",
    "created": "2023-02-24T23:36:38Z",
    "verificationMethod": VECTOR_METHOD,
    "proofPurpose": "assertionMethod",
}
VECTOR_CANONICAL_PROOF_OPTIONS = (
    '_:c14n0 <http://purl.org/dc/terms/created> "2023-02-24T23:36:38Z"'
    "^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n"
    "_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<https://w3id.org/security#DataIntegrityProof> .\n"
    '_:c14n0 <https://w3id.org/security#cryptosuite> "eddsa-rdfc-2022"'
    "^^<https://w3id.org/security#cryptosuiteString> .\n"
    "_:c14n0 <https://w3id.org/security#proofPurpose> <https://w3id.org/security#assertionMethod> .\n"
    f"_:c14n0 <https://w3id.org/security#verificationMethod> <{VECTOR_METHOD}> .\n"
)
VECTOR_COMBINED_HASH = (
    "bea7b7acfbad0126b135104024a5f1733e705108f42d59668b05c0c50004c6b0"
    "517744132ae165a5349155bef0bb0cf2258fff99dfe1dbd914b938d775a36017"
)
VECTOR_PROOF_VALUE = (
    "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme"
)


def _vector_private_key() -> Ed25519PrivateKey:
    decoded = keys.base58btc_decode(VECTOR_PRIVATE_KEY_MULTIBASE[1:])
    assert decoded[:2] == b"\x80\x26"  # multicodec ed25519-priv
    return Ed25519PrivateKey.from_private_bytes(decoded[2:])


def test_w3c_vector_key_pair_matches():
    assert keys.public_key_multibase(_vector_private_key().public_key()) == VECTOR_PUBLIC_KEY_MULTIBASE


def test_w3c_vector_canonical_proof_options_and_hash_data_are_reproduced():
    options = {"@context": VECTOR_UNSIGNED["@context"], **VECTOR_PROOF_OPTIONS}

    assert jsonld.canonize(options, loader=VECTOR_LOADER) == VECTOR_CANONICAL_PROOF_OPTIONS
    assert hashlib.sha256(VECTOR_CANONICAL_PROOF_OPTIONS.encode()).hexdigest() == VECTOR_COMBINED_HASH[:64]
    assert (
        ob3.hash_data(VECTOR_UNSIGNED, VECTOR_PROOF_OPTIONS, loader=VECTOR_LOADER).hex()
        == VECTOR_COMBINED_HASH
    )


def test_w3c_vector_proof_value_is_reproduced_by_our_signer():
    signed = ob3.sign(
        VECTOR_UNSIGNED,
        _vector_private_key(),
        VECTOR_METHOD,
        created=datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC),
        loader=VECTOR_LOADER,
    )

    assert signed["proof"] == [{**VECTOR_PROOF_OPTIONS, "proofValue": VECTOR_PROOF_VALUE}]


def test_w3c_vector_signed_credential_is_accepted_by_our_verifier_and_rejected_once_changed():
    signed = {**VECTOR_UNSIGNED, "proof": {**VECTOR_PROOF_OPTIONS, "proofValue": VECTOR_PROOF_VALUE}}
    changed = {**signed, "credentialSubject": {**signed["credentialSubject"], "alumniOf": "Another School"}}

    # the vector's issuer is a URL, not the key's DID, so only the signature is checked
    assert ob3.verify(signed, check_issuer=False, loader=VECTOR_LOADER).verified
    assert not ob3.verify(changed, check_issuer=False, loader=VECTOR_LOADER).verified
    assert not ob3.verify(signed, loader=VECTOR_LOADER).verified

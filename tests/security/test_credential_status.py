"""Issue 12, item 12: a revoked Open Badges 3.0 credential no longer verifies, offline too.

The attack: HR revokes a certificate, but its holder keeps the credential.json they downloaded; it had no
``credentialStatus``, so every verifier (the DCC's verifier-core here) still said "verified". Now each
credential names a bit in its issuer's signed W3C Bitstring Status List, served at a stable URL; after the
revocation that bit is set, and the same verifier, handed the list, says "revoked".
"""

import base64
import gzip
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from assessments.certification import services
from assessments.certification.models import Certificate, StatusList
from assessments.certification.openbadges import ob3, status
from lms_site.organisation.roles import Role
from tests.certification.conftest import framework, framework_csv, other_city, person, programs  # noqa: F401
from tests.certification.test_certificates import TODAY, basic_holder  # noqa: F401
from tests.openbadges.test_dcc_verifier import dcc_verify  # noqa: F401

REASON = "本人の申し出により取り消し"


def _get_json(client, url: str):
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200, url
    return response


@pytest.fixture
def certificate(basic_holder):  # noqa: F811
    return services.certificates_issue_due(user=basic_holder, on=TODAY)[0]


def _credential_and_list(client, certificate) -> tuple[dict, dict, str]:
    """What a verifier gets anonymously: the credential, and the status list it names."""
    credential = _get_json(
        client, reverse("certification:certificate_credential", args=[certificate.uuid])
    ).json()
    list_url = credential["credentialStatus"]["statusListCredential"]
    return credential, _get_json(client, list_url).json(), list_url


def _revoke_as_hr(client, certificate, municipality) -> None:
    client.force_login(person("hr", municipality, Role.HR))
    response = client.post(
        reverse("certification:hr_certificate_revoke", args=[certificate.uuid]), {"reason": REASON}
    )
    assert response.status_code == 302
    client.logout()


def test_the_dcc_verifier_says_valid_before_and_revoked_after_hr_revokes(
    client,
    certificate,
    municipality,
    dcc_verify,  # noqa: F811
):
    credential, status_list, list_url = _credential_and_list(client, certificate)
    code, result = dcc_verify(credential, {list_url: status_list})
    assert (code, result["verified"], result["errors"]) == (0, True, [])
    assert {step["id"]: step["valid"] for step in result["log"]}["revocation_status"] is True

    _revoke_as_hr(client, certificate, municipality)

    kept, status_list, _ = _credential_and_list(client, certificate)
    assert kept == credential  # the holder's copy is all a verifier needs, with the list
    code, result = dcc_verify(credential, {list_url: status_list})
    assert (code, result["verified"]) == (1, False)
    assert {step["id"]: step["valid"] for step in result["log"]}["revocation_status"] is False
    assert result["errors"] == ["revocation_status: not valid"]


def test_the_credential_names_its_entry_and_the_list_is_signed_by_the_issuer(client, certificate):
    credential, status_list, list_url = _credential_and_list(client, certificate)

    entry = credential["credentialStatus"]
    certificate.refresh_from_db()
    assert entry == {
        "id": f"{list_url}#{certificate.status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(certificate.status_index),
        "statusListCredential": list_url,
    }
    assert ob3.schema_errors(credential) == [] and ob3.verify(credential).verified
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status_list["issuer"] == credential["issuer"]["id"]
    assert status_list["credentialSubject"]["statusPurpose"] == "revocation"
    assert ob3.verify(status_list).verified
    bits = gzip.decompress(
        base64.urlsafe_b64decode(status_list["credentialSubject"]["encodedList"][1:] + "==")
    )
    assert len(bits) * 8 == 131_072 and not any(bits)


def test_the_list_is_served_with_a_short_cache_and_re_signed_only_after_a_change(
    client, certificate, municipality
):
    credential, first, list_url = _credential_and_list(client, certificate)
    response = _get_json(client, list_url)
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == first  # cached by version: the same signed document

    _revoke_as_hr(client, certificate, municipality)

    revoked = _get_json(client, list_url).json()
    bits = status.decode_list(revoked["credentialSubject"]["encodedList"])
    assert status.is_set(bits, int(credential["credentialStatus"]["statusListIndex"]))
    assert sum(bin(byte).count("1") for byte in bits) == 1
    assert ob3.verify(revoked).verified and revoked["proof"] != first["proof"]


def test_a_forged_list_signed_by_another_key_does_not_pass(client, certificate, dcc_verify):  # noqa: F811
    from tests.openbadges import ISSUER_KEY, ISSUER_METHOD

    credential, status_list, list_url = _credential_and_list(client, certificate)
    forged = {key: value for key, value in status_list.items() if key != "proof"}
    forged = ob3.sign(forged, ISSUER_KEY, ISSUER_METHOD)

    code, result = dcc_verify(credential, {list_url: forged})

    assert (code, result["verified"]) == (1, False)


def test_indices_are_unique_and_not_in_issue_order(basic_holder, municipality):  # noqa: F811
    services.certificates_issue_due(user=basic_holder, on=TODAY)
    for n in range(6):
        other = person(f"holder{n}", municipality, Role.LEARNER)
        for evidence in basic_holder.evidence.all():
            evidence.pk, evidence.user = None, other
            evidence.save()
        services.certificates_issue_due(user=other, on=TODAY)
    rows = list(Certificate.objects.order_by("pk").values_list("status_list", "status_index"))

    assert len(rows) == 7 and len(set(rows)) == 7 and len({row[0] for row in rows}) == 1
    indices = [row[1] for row in rows]
    assert set(indices) != set(range(7))  # a keyed permutation, not the issue order 0, 1, 2 …
    assert StatusList.objects.get().allocated == 7


def test_an_unknown_status_list_is_404(client, db):
    import uuid

    assert (
        client.get(reverse("certification:certificate_status_list", args=[uuid.uuid4()])).status_code == 404
    )

"""Issue 12, item 13: the city's signing key is sealed at rest, and it can be rotated.

The attack: ``IssuerKey.private_key`` was the base64 Ed25519 seed, so any backup or ``dumpdata`` could
forge the city's certificates. Now the database holds the key only sealed with a key-encryption key
(KEK) from the environment: a dump contains the seed in no encoding, and a wrong KEK gives a clear error
rather than a signature. ``rotate_issuer_key`` makes a new key active; what the old one signed still
verifies, in the DCC verifier too.
"""

import base64
import io
import json
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.certification import services
from assessments.certification.checks import credential_kek_is_configured
from assessments.certification.models import Certificate, IssuerKey
from assessments.certification.openbadges import keys, ob3
from assessments.certification.services.credentials import private_key_of
from lms_site.organisation.roles import Role
from tests.certification.conftest import framework, framework_csv, other_city, person, programs  # noqa: F401
from tests.certification.test_certificates import TODAY, basic_holder  # noqa: F401
from tests.openbadges.test_dcc_verifier import dcc_verify  # noqa: F401
from tests.test_settings import PRODUCTION_ENV, manage

OTHER_KEK = base64.urlsafe_b64encode(b"\x07" * 32).decode()


def _encodings(private_key) -> list[str]:
    """The seed (and the whole key) in every encoding a thief might look for."""
    seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    der = private_key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    found = [seed.hex(), seed.hex().upper(), keys.base58btc_encode(seed), der.hex()]
    for raw in (seed, der):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(raw).decode()
            found += [text, text.rstrip("=")]
    found.append(private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode())
    return found


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.fixture
def certificate(basic_holder):  # noqa: F811
    return services.certificates_issue_due(user=basic_holder, on=TODAY)[0]


def test_dumpdata_holds_no_usable_private_key(certificate):
    private_key = private_key_of(IssuerKey.objects.get())
    out = io.StringIO()

    call_command("dumpdata", "certification", "organisation", stdout=out)

    dump = out.getvalue()
    assert IssuerKey.objects.count() == 1 and '"certification.issuerkey"' in dump
    for encoded in _encodings(private_key):
        assert encoded not in dump
    for text in _strings(json.loads(dump)):  # nothing in it loads as a key, whatever its field
        with pytest.raises(keys.InvalidKey):
            keys.private_key_from_text(text)


def test_the_sealed_key_names_its_kek_and_opens_only_with_it(certificate, settings):
    row = IssuerKey.objects.get()
    assert row.sealed_private_key.startswith(f"v1:{row.kek_id}:")

    settings.CREDENTIAL_KEK = OTHER_KEK
    with pytest.raises(keys.WrongKeyEncryptionKey, match=f"sealed with key-encryption key {row.kek_id}"):
        private_key_of(row)
    with pytest.raises(CommandError, match="DJANGO_CREDENTIAL_KEK changed or is wrong"):
        call_command("rotate_issuer_key", stdout=io.StringIO())
    assert IssuerKey.objects.get().retired_at is None  # the refused rotation changed nothing


def test_a_sealed_key_copied_onto_another_key_does_not_open(certificate, other_city):  # noqa: F811
    theirs = services.credentials.active_issuer_key(other_city)
    ours = IssuerKey.objects.exclude(pk=theirs.pk).get()
    theirs.sealed_private_key = ours.sealed_private_key

    with pytest.raises(keys.WrongKeyEncryptionKey, match="does not open"):
        private_key_of(theirs)


def test_a_malformed_kek_is_a_system_check_error(settings):
    settings.CREDENTIAL_KEK = "not-a-key"
    assert [error.id for error in credential_kek_is_configured()] == ["certification.E002"]
    settings.CREDENTIAL_KEK = OTHER_KEK
    assert credential_kek_is_configured() == []


def test_production_refuses_to_start_without_a_kek():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_CREDENTIAL_KEK"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_CREDENTIAL_KEK must be set" in result.stderr


def test_production_reports_a_malformed_kek():
    result = manage("check", env={**PRODUCTION_ENV, "DJANGO_CREDENTIAL_KEK": "short"})
    assert result.returncode != 0
    assert "certification.E002" in result.stderr and "DJANGO_CREDENTIAL_KEK is malformed" in result.stderr


def _verify_with_its_list(client, dcc_verify, credential):  # noqa: F811
    list_url = credential["credentialStatus"]["statusListCredential"]
    status_list = client.get(urlsplit(list_url).path).json()
    return dcc_verify(credential, {list_url: status_list})


def test_rotation_new_key_signs_new_certificates_old_ones_still_verify(
    client,
    certificate,
    basic_holder,  # noqa: F811
    municipality,
    dcc_verify,  # noqa: F811
):
    old = IssuerKey.objects.get()
    old_credential = certificate.credential
    out = io.StringIO()

    call_command("rotate_issuer_key", "--municipality", municipality.code, stdout=out)

    new = IssuerKey.objects.get(retired_at__isnull=True)
    assert new.pk != old.pk and IssuerKey.objects.get(pk=old.pk).retired_at is not None
    assert f"retired {old.did}; active {new.did}" in out.getvalue()
    later = person("later", municipality, Role.LEARNER)
    for evidence in basic_holder.evidence.all():
        evidence.pk, evidence.user = None, later
        evidence.save()
    renewed = services.certificates_issue_due(user=later, on=TODAY)[0]
    assert renewed.credential["proof"][0]["verificationMethod"] == new.verification_method
    assert renewed.credential["issuer"]["id"] == new.did and renewed.status_list.issuer_key == new
    assert old_credential["proof"][0]["verificationMethod"] == old.verification_method
    for credential in (old_credential, renewed.credential):
        code, result = _verify_with_its_list(client, dcc_verify, credential)
        assert (code, result["verified"], result["errors"]) == (0, True, [])

    # The retired key still signs its own list: a revocation after the rotation reaches the old credential.
    client.force_login(person("hr", municipality, Role.HR))
    client.post(reverse("certification:hr_certificate_revoke", args=[certificate.uuid]), {"reason": "誤発行"})
    client.logout()
    code, result = _verify_with_its_list(client, dcc_verify, old_credential)
    assert (code, result["verified"]) == (1, False)
    code, result = _verify_with_its_list(client, dcc_verify, renewed.credential)
    assert (code, result["verified"]) == (0, True)


def test_the_city_publishes_every_key_it_signed_with(client, certificate, municipality):
    old = IssuerKey.objects.get()
    call_command("rotate_issuer_key", stdout=io.StringIO())
    new = IssuerKey.objects.get(retired_at__isnull=True)

    published = client.get(reverse("certification:certificate_keys", args=[municipality.code])).json()

    assert [(k["id"], k["status"]) for k in published["keys"]] == [(old.did, "retired"), (new.did, "active")]
    assert published["keys"][0]["didDocument"]["assertionMethod"] == [old.verification_method]
    assert "sealed" not in json.dumps(published) and old.sealed_private_key not in json.dumps(published)


def test_rotating_an_unknown_municipality_is_refused(db):
    with pytest.raises(CommandError, match="No municipality has the code '000000'"):
        call_command("rotate_issuer_key", "--municipality", "000000", stdout=io.StringIO())
    assert not IssuerKey.objects.exists()


def test_signing_still_verifies_after_a_rotation_with_ob3(certificate):
    call_command("rotate_issuer_key", stdout=io.StringIO())
    certificate = Certificate.objects.get(pk=certificate.pk)
    assert ob3.verify(certificate.credential).verified


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_plain_keys_and_lists_existing_certificates(
    database_owner,
):  # migrations: the owner's
    """Data written before this change: a plain base64 key and a credential without credentialStatus."""
    import datetime

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from tests.openbadges import certificate_credential

    before = [("certification", "0002_capstones_certificates")]
    after = [("certification", "0003_credential_keys_status")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    municipality = old.get_model("organisation", "Municipality").objects.create(code="999993", name="旧市")
    user = old.get_model("auth", "User").objects.create(username="old-holder")
    program = old.get_model("certification", "CertificationProgram").objects.create(code="OLD", name="旧認定")
    private_key = keys.generate_private_key()
    plain = keys.private_key_to_text(private_key)
    old.get_model("certification", "IssuerKey").objects.create(municipality=municipality, private_key=plain)
    did = keys.did_key(private_key.public_key())
    unsigned = certificate_credential(issuer=ob3.Issuer(id=did, name="旧市"))
    credential = ob3.sign(unsigned, private_key, keys.did_key_verification_method(private_key.public_key()))
    old.get_model("certification", "Certificate").objects.create(
        user=user,
        program=program,
        municipality=municipality,
        recipient_name="旧 太郎",
        recipient_salt="00",
        issued_on=datetime.date(2026, 4, 1),
        credential=credential,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    # back to every app's latest migration (row-level security too), for the check below, which reads
    # through today's models (later migrations add columns), and for the next tests
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    check_the_migrated_key_and_certificate(did, plain, private_key, unsigned)


def check_the_migrated_key_and_certificate(did, plain, private_key, unsigned):
    key = IssuerKey.objects.get(municipality__code="999993")
    certificate = Certificate.objects.get(user__username="old-holder")
    assert key.did == did and plain not in key.sealed_private_key
    assert private_key_of(key).sign(b"m") == private_key.sign(b"m")
    assert certificate.status_list.issuer_key == key and certificate.status_index is not None
    migrated = certificate.credential
    assert migrated["credentialStatus"]["statusListIndex"] == str(certificate.status_index)
    assert migrated["issuer"]["id"] == did and ob3.verify(migrated).verified
    assert {k: v for k, v in migrated.items() if k not in ("proof", "credentialStatus")} == unsigned

"""Open Badges documents of a certificate: the signed OB 3.0 credential (made once, at issue) and the OB 2.0
hosted issuer, badge class and assertion (made on request, so a revocation shows at once).

The pure work (JSON-LD, canonicalisation, Ed25519, hashing) is ``openbadges``; this module supplies the
facts from the database: the municipality as issuer with its active key (``IssuerKey``, created on first
use, sealed at rest with the KEK of ``kek``; ``issuer_key_rotate``) and the status list entry through which
a revocation reaches offline verifiers (``StatusList``), the
programme as achievement aligned to the competencies its rules name (by their CASE identifiers), and the
recipient (name, and the email only as a salted hash). URLs are absolute, under the origin a
certificate's status list was made under: the municipality's own site's, or the platform's
``WAGTAILADMIN_BASE_URL`` (``hosts``; a signed credential's URLs never move).
"""

import datetime
import secrets
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from lms_site.organisation.api import Municipality

from ..hosts import PLATFORM, municipality_base, origin
from ..kek import configured_kek
from ..models import Certificate, CertificationProgram, IssuerKey, ProgramRequirement, StatusList
from ..openbadges import keys, ob2, ob3, status


def absolute(path: str, base: str = PLATFORM) -> str:
    return origin(base) + path


def certificate_base(certificate: Certificate) -> str:
    """The base ``certificate``'s documents are published under: its status list's (``hosts``)."""
    if certificate.status_list_id is not None:
        return certificate.status_list.base_url
    return municipality_base(certificate.municipality)


def _new_issuer_key(municipality: Municipality) -> IssuerKey:
    private_key = keys.generate_private_key()
    public = keys.public_key_multibase(private_key.public_key())
    kek = configured_kek()
    return IssuerKey(
        municipality=municipality,
        public_key=public,
        sealed_private_key=keys.seal_private_key(private_key, kek, context=public),
        kek_id=keys.kek_id(kek),
    )


def active_issuer_key(municipality: Municipality) -> IssuerKey:
    """The municipality's active signing key, created (once, even under concurrency) on first use."""
    found = IssuerKey.objects.filter(municipality=municipality, retired_at__isnull=True).first()
    if found is None:
        try:
            with transaction.atomic():
                found = _new_issuer_key(municipality)
                found.save()
        except IntegrityError:
            found = IssuerKey.objects.get(municipality=municipality, retired_at__isnull=True)
    return found


def private_key_of(issuer_key: IssuerKey) -> Ed25519PrivateKey:
    """The key's private half, opened with the configured KEK (``keys.WrongKeyEncryptionKey`` if it is not
    the KEK that sealed it)."""
    private_key = keys.open_private_key(
        issuer_key.sealed_private_key, configured_kek(), context=issuer_key.public_key
    )
    if keys.public_key_multibase(private_key.public_key()) != issuer_key.public_key:
        raise keys.InvalidKey(f"the sealed private key of {issuer_key.did} is not the key of its public half")
    return private_key


@transaction.atomic
def issuer_key_rotate(*, municipality: Municipality) -> tuple[IssuerKey | None, IssuerKey]:
    """Retire the active key (it stays, so what it signed still verifies) and make a new one active.

    Returns (retired or None, new). New certificates are signed by the new key and listed in its own
    status list; certificates signed by the old one keep the old key's list (their issuer).
    """
    retired = (
        IssuerKey.objects.select_for_update()
        .filter(municipality=municipality, retired_at__isnull=True)
        .first()
    )
    if retired is not None:
        private_key_of(retired)  # refuse to rotate under a wrong KEK: the old lists must stay signable
        retired.retired_at = timezone.now()
        retired.save(update_fields=["retired_at"])
    new = _new_issuer_key(municipality)
    new.save()
    return retired, new


# -- status lists (W3C Bitstring Status List, revocation) --------------------------------------------------


def status_list_url(status_list: StatusList) -> str:
    return absolute(
        reverse("certification:certificate_status_list", args=[status_list.uuid]), status_list.base_url
    )


def status_allocate(*, certificate: Certificate, issuer_key: IssuerKey) -> None:
    """Give ``certificate`` the next entry of the key's status list (a new list when it is full), one
    published where its municipality publishes now (``hosts.municipality_base``).

    The UPDATE that claims the entry comes first, so concurrent issues never get the same entry (on
    SQLite too); an entry is never handed out twice, even if its certificate is never saved.
    """
    base = municipality_base(certificate.municipality)
    while True:
        status_list = (
            StatusList.objects.filter(issuer_key=issuer_key, base_url=base, allocated__lt=F("length"))
            .order_by("-pk")
            .first()
        )
        if status_list is None:
            status_list = StatusList.objects.create(
                issuer_key=issuer_key, base_url=base, index_secret=secrets.token_hex(32)
            )
        claimed = StatusList.objects.filter(pk=status_list.pk, allocated__lt=F("length")).update(
            allocated=F("allocated") + 1
        )
        if claimed:
            break
    entry = StatusList.objects.values_list("allocated", flat=True).get(pk=status_list.pk) - 1
    certificate.status_list = status_list
    certificate.status_index = status.list_index(
        entry, secret=bytes.fromhex(status_list.index_secret), length=status_list.length
    )


def status_list_credential(status_list: StatusList) -> dict:
    """The signed ``BitstringStatusListCredential`` of ``status_list``, re-signed only when a revocation
    changed it since it was last signed (``version``)."""
    version = StatusList.objects.values_list("version", flat=True).get(pk=status_list.pk)
    if status_list.credential and status_list.credential_version == version:
        return status_list.credential
    revoked = Certificate.objects.filter(status_list=status_list, revoked_at__isnull=False).values_list(
        "status_index", flat=True
    )
    issuer_key = status_list.issuer_key
    unsigned = status.status_list_credential(
        list_url=status_list_url(status_list),
        issuer=issuer_key.did,
        encoded_list=status.encode_list(revoked, length=status_list.length),
        valid_from=timezone.now(),
        purpose=status_list.purpose,
    )
    signed = ob3.sign(unsigned, private_key_of(issuer_key), issuer_key.verification_method)
    StatusList.objects.filter(pk=status_list.pk, version=version).update(
        credential=signed, credential_version=version
    )
    status_list.credential, status_list.credential_version = signed, version
    return signed


def status_list_changed(*, certificate: Certificate) -> None:
    """A certificate's status changed: its list is re-signed on its next request."""
    if certificate.status_list_id is not None:
        StatusList.objects.filter(pk=certificate.status_list_id).update(version=F("version") + 1)


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _end_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=ZoneInfo(settings.TIME_ZONE))


def achievement_competencies(certificate: Certificate) -> list[dict]:
    """The competencies the programme's rules name, with the minimum level: what the certificate attests."""
    return program_competencies(certificate.program_id)


def program_competencies(program_id: int) -> list[dict]:
    rows = ProgramRequirement.objects.filter(program_id=program_id).select_related("competency")
    return [
        {
            "code": r.competency.code,
            "name": r.competency.name,
            "level": r.min_level,
            "identifier": r.competency.identifier,
        }
        for r in rows.order_by("sort_order", "pk")
    ]


def _alignments(program_id: int) -> tuple[ob2.Alignment, ...]:
    return tuple(
        ob2.Alignment(
            target_name=f"{c['code']} {c['name']}",
            target_url=f"urn:uuid:{c['identifier']}",
            target_code=c["code"],
            target_framework="自治体DX推進 能力項目",
            target_description=f"Lv{c['level']}",
        )
        for c in program_competencies(program_id)
    )


def _criteria(program: CertificationProgram) -> str:
    return program.description or program.name


def badge_url(municipality: Municipality, program: CertificationProgram, base: str = PLATFORM) -> str:
    return absolute(reverse("certification:certificate_badge", args=[municipality.code, program.code]), base)


def issuer_url(municipality: Municipality, base: str = PLATFORM) -> str:
    return absolute(reverse("certification:certificate_issuer", args=[municipality.code]), base)


def credential_sign(*, certificate: Certificate) -> dict:
    """The OB 3.0 ``OpenBadgeCredential`` for ``certificate``, signed with its municipality's active key,
    with a ``credentialStatus`` entry in that key's status list (allocated here)."""
    municipality = certificate.municipality
    issuer_key = active_issuer_key(municipality)
    private_key = private_key_of(issuer_key)
    if certificate.status_list_id is None:
        status_allocate(certificate=certificate, issuer_key=issuer_key)
    elif certificate.status_list.issuer_key_id != issuer_key.pk:
        raise ValueError("a certificate's credential is signed by the key of its status list")
    base = certificate.status_list.base_url
    issuer = ob3.Issuer(
        id=issuer_key.did,
        name=municipality.name,
        url=f"https://{municipality.domain}/" if municipality.domain else None,
    )
    credential = ob3.open_badge_credential(
        credential_id=absolute(
            reverse("certification:certificate_credential", args=[certificate.uuid]), base
        ),
        issuer=issuer,
        recipient=ob3.Recipient(
            name=certificate.recipient_name,
            email=certificate.user.email or None,
            salt=certificate.recipient_salt,
            # Without an email, the certificate's own URN identifies the subject (no personal data).
            id=None if certificate.user.email else f"urn:uuid:{certificate.uuid}",
        ),
        achievement=ob3.Achievement(
            id=badge_url(municipality, certificate.program, base),
            name=certificate.program.name,
            description=certificate.program.description or certificate.program.name,
            criteria_narrative=_criteria(certificate.program),
            alignments=_alignments(certificate.program_id),
        ),
        valid_from=_start_of(certificate.issued_on),
        valid_until=_end_of(certificate.expires_on) if certificate.expires_on else None,
        credential_status=status.status_entry(
            list_url=status_list_url(certificate.status_list), index=certificate.status_index
        ),
    )
    return ob3.sign(credential, private_key, issuer_key.verification_method)


def ob2_issuer(municipality: Municipality, base: str = PLATFORM) -> dict:
    return ob2.issuer_profile(
        id=issuer_url(municipality, base),
        name=municipality.name,
        url=f"https://{municipality.domain}/" if municipality.domain else settings.WAGTAILADMIN_BASE_URL,
        email=settings.DEFAULT_FROM_EMAIL,
    )


def ob2_badge_class(municipality: Municipality, program: CertificationProgram, base: str = PLATFORM) -> dict:
    return ob2.badge_class(
        id=badge_url(municipality, program, base),
        name=program.name,
        description=program.description or program.name,
        issuer=issuer_url(municipality, base),
        criteria_narrative=_criteria(program),
        alignments=_alignments(program.pk),
    )


def ob2_assertion(certificate: Certificate) -> dict:
    """The hosted assertion; for a revoked certificate, the revocation notice hosted verification expects."""
    base = certificate_base(certificate)
    assertion_id = absolute(reverse("certification:certificate_assertion", args=[certificate.uuid]), base)
    if certificate.revoked_at is not None:
        # The reason is HR's internal record (it may name a disciplinary measure): never published.
        return ob2.revoked_assertion(id=assertion_id)
    return ob2.assertion(
        id=assertion_id,
        badge=badge_url(certificate.municipality, certificate.program, base),
        email=certificate.user.email or f"{certificate.user.get_username()}@invalid",
        salt=certificate.recipient_salt,
        issued_on=_start_of(certificate.issued_on),
        expires=_end_of(certificate.expires_on) if certificate.expires_on else None,
        evidence=absolute(reverse("certification:certificate", args=[certificate.uuid]), base),
    )


def issuer_keys_document(municipality: Municipality) -> dict:
    """Every signing key of ``municipality``: its DID, DID document, and when it was active."""
    rows = IssuerKey.objects.filter(municipality=municipality).order_by("created_at", "pk")
    return {
        "issuer": municipality.name,
        "keys": [
            {
                "id": key.did,
                "verificationMethod": key.verification_method,
                "status": "retired" if key.retired_at else "active",
                "created": key.created_at.isoformat(timespec="seconds"),
                "retired": key.retired_at.isoformat(timespec="seconds") if key.retired_at else None,
                "didDocument": keys.did_document(key.did),
            }
            for key in rows
        ],
    }

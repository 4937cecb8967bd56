"""Open Badges documents of a certificate: the signed OB 3.0 credential (made once, at issue) and the OB 2.0
hosted issuer, badge class and assertion (made on request, so a revocation shows at once).

The pure work (JSON-LD, canonicalisation, Ed25519, hashing) is ``openbadges``; this module supplies the
facts from the database: the municipality as issuer with its key (``IssuerKey``, created on first use), the
programme as achievement aligned to the competencies its rules name (by their CASE identifiers), and the
recipient (name, and the email only as a salted hash). URLs are absolute, from ``WAGTAILADMIN_BASE_URL``.
"""

import datetime
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from lms_site.organisation.models import Municipality

from ..models import Certificate, CertificationProgram, IssuerKey, ProgramRequirement
from ..openbadges import keys, ob2, ob3


def absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def issuer_private_key(municipality: Municipality) -> Ed25519PrivateKey:
    """The municipality's signing key, created (once, even under concurrency) on first use."""
    found = IssuerKey.objects.filter(municipality=municipality).first()
    if found is None:
        try:
            with transaction.atomic():
                found = IssuerKey.objects.create(
                    municipality=municipality,
                    private_key=keys.private_key_to_text(keys.generate_private_key()),
                )
        except IntegrityError:
            found = IssuerKey.objects.get(municipality=municipality)
    return keys.private_key_from_text(found.private_key)


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


def badge_url(municipality: Municipality, program: CertificationProgram) -> str:
    return absolute(reverse("certification:certificate_badge", args=[municipality.code, program.code]))


def credential_sign(*, certificate: Certificate) -> dict:
    """The OB 3.0 ``OpenBadgeCredential`` for ``certificate``, signed with its municipality's key."""
    municipality = certificate.municipality
    private_key = issuer_private_key(municipality)
    public_key = private_key.public_key()
    issuer = ob3.Issuer(
        id=keys.did_key(public_key),
        name=municipality.name,
        url=f"https://{municipality.domain}/" if municipality.domain else None,
    )
    credential = ob3.open_badge_credential(
        credential_id=absolute(reverse("certification:certificate_credential", args=[certificate.uuid])),
        issuer=issuer,
        recipient=ob3.Recipient(
            name=certificate.recipient_name,
            email=certificate.user.email or None,
            salt=certificate.recipient_salt,
            # Without an email, the certificate's own URN identifies the subject (no personal data).
            id=None if certificate.user.email else f"urn:uuid:{certificate.uuid}",
        ),
        achievement=ob3.Achievement(
            id=badge_url(municipality, certificate.program),
            name=certificate.program.name,
            description=certificate.program.description or certificate.program.name,
            criteria_narrative=_criteria(certificate.program),
            alignments=_alignments(certificate.program_id),
        ),
        valid_from=_start_of(certificate.issued_on),
        valid_until=_end_of(certificate.expires_on) if certificate.expires_on else None,
    )
    return ob3.sign(credential, private_key, keys.did_key_verification_method(public_key))


def ob2_issuer(municipality: Municipality) -> dict:
    return ob2.issuer_profile(
        id=absolute(reverse("certification:certificate_issuer", args=[municipality.code])),
        name=municipality.name,
        url=f"https://{municipality.domain}/" if municipality.domain else settings.WAGTAILADMIN_BASE_URL,
        email=settings.DEFAULT_FROM_EMAIL,
    )


def ob2_badge_class(municipality: Municipality, program: CertificationProgram) -> dict:
    return ob2.badge_class(
        id=badge_url(municipality, program),
        name=program.name,
        description=program.description or program.name,
        issuer=absolute(reverse("certification:certificate_issuer", args=[municipality.code])),
        criteria_narrative=_criteria(program),
        alignments=_alignments(program.pk),
    )


def ob2_assertion(certificate: Certificate) -> dict:
    """The hosted assertion; for a revoked certificate, the revocation notice hosted verification expects."""
    assertion_id = absolute(reverse("certification:certificate_assertion", args=[certificate.uuid]))
    if certificate.revoked_at is not None:
        # The reason is HR's internal record (it may name a disciplinary measure): never published.
        return ob2.revoked_assertion(id=assertion_id)
    return ob2.assertion(
        id=assertion_id,
        badge=badge_url(certificate.municipality, certificate.program),
        email=certificate.user.email or f"{certificate.user.get_username()}@invalid",
        salt=certificate.recipient_salt,
        issued_on=_start_of(certificate.issued_on),
        expires=_end_of(certificate.expires_on) if certificate.expires_on else None,
        evidence=absolute(reverse("certification:certificate", args=[certificate.uuid])),
    )

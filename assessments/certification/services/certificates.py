"""Certificates: issued the moment a person meets a programme's rules, at most once per period; revoked by
HR with a reason; holders reminded before expiry.

Issuing is driven from three places, all idempotent: the level recompute task (evidence changed), the
capstone approval, and a nightly sweep (``tasks.issue_due_certificates``) that catches anything an event
missed (an exam passed without new evidence, a rule HR relaxed). Programmes are tried in prerequisite
order, so meeting DXベーシック and DX推進リーダー together issues both in one pass.

Periods: the first certificate of a programme is period 1. A new one is issued only when the latest has
expired (renewal: period + 1), the rules are met again, and the renewal requirement is met since the
latest was issued (``renewal_shortfall``: the programme's learning hours a year, counted from completed
courses, and one improvement case: verified OJT or advisor evidence). A revoked certificate is never
replaced automatically: HR revoked it for a reason, and re-issuing is their decision (Django admin).
Staff who have retired (inactive profile or account) are never issued anything.
"""

import datetime
import secrets
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.evidence import evidence_practice_recorded
from courses.api import Enrollment
from lms_site.organisation.api import Purpose, scope_for
from lms_site.tasks import enqueue_on_commit

from ..models import Certificate, CertificationProgram
from ..selectors.path import certification_path, municipality_of, programs_in_force
from .credentials import credential_sign, status_list_changed

EXPIRY_THRESHOLDS = (7, 30, 60, 90)  # days before a certificate expires
MAX_REASON = 1000


class CertificateError(Exception):
    """A certificate action the rules refuse; the message says why, in the user's language."""


def expiry_for(program: CertificationProgram, issued_on: datetime.date) -> datetime.date | None:
    """The last valid day: the day before the same date ``validity_years`` later (29 Feb → 28 Feb)."""
    if not program.validity_years:
        return None
    year = issued_on.year + program.validity_years
    try:
        anniversary = issued_on.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        anniversary = datetime.date(year, 3, 1)
    return anniversary - datetime.timedelta(days=1)


def programs_in_order(municipality_id: int | None = None) -> list[CertificationProgram]:
    """The programmes in force for the municipality (ADR 0024), each after its prerequisite (then by
    display order)."""
    programs = programs_in_force(municipality_id)

    def depth(program: CertificationProgram) -> int:
        n, seen, ancestor = 0, set(), program.prerequisite
        while ancestor is not None and ancestor.pk not in seen:
            seen.add(ancestor.pk)
            n, ancestor = n + 1, ancestor.prerequisite
        return n

    return sorted(programs, key=lambda p: (depth(p), p.sort_order, p.code))


def renewal_shortfall(
    *, user, program: CertificationProgram, since: datetime.date, on: datetime.date
) -> list:
    """What a renewal still lacks since ``since`` (the last issue): ``["hours", "case"]``, or empty.

    Hours: the estimated hours of courses completed since then, against ``renewal_hours_per_year`` for
    each year of validity. Case: at least one verified practice record (OJT or advisor) since then. A
    programme without renewal hours asks for neither.
    """
    if not program.renewal_hours_per_year:
        return []
    missing = []
    years = program.validity_years or 1
    learned = (
        Enrollment.objects.filter(user=user, completed_at__date__gte=since, completed_at__date__lte=on)
        .aggregate(hours=Sum("course__estimated_hours"))
        .get("hours")
        or 0
    )
    if learned < program.renewal_hours_per_year * years:
        missing.append("hours")
    if not evidence_practice_recorded(user=user, since=since, on=on):
        missing.append("case")
    return missing


def certificate_issue_if_due(
    *, user, program: CertificationProgram, on: datetime.date | None = None
) -> Certificate | None:
    """Issue ``program`` to ``user`` if they meet its rules on ``on`` and hold no certificate for the
    current period; returns the new certificate, or None. Safe to call any number of times, at once.
    """
    on = on or timezone.localdate()
    profile = getattr(user, "staff_profile", None)
    if profile is None or not profile.is_active or not user.is_active:
        return None
    latest = Certificate.objects.filter(user=user, program=program).order_by("-period").first()
    if latest is not None and (latest.revoked_at is not None or latest.status_on(on) == "valid"):
        return None
    if latest is not None and renewal_shortfall(user=user, program=program, since=latest.issued_on, on=on):
        return None
    path = certification_path(user=user, program_code=program.code, on=on)
    if path is None or not path.eligible:
        return None
    certificate = Certificate(
        uuid=uuid.uuid4(),
        user=user,
        program=program,
        municipality_id=profile.municipality_id,
        period=latest.period + 1 if latest else 1,
        recipient_name=profile.full_name,
        recipient_salt=secrets.token_hex(16),
        issued_on=on,
        expires_on=expiry_for(program, on),
    )
    certificate.credential = credential_sign(certificate=certificate)
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:  # issued concurrently for this period: the other one stands
        return None
    transaction.on_commit(lambda: certificate_notify_issued(certificate_id=certificate.pk))
    return certificate


@transaction.atomic
def certificates_issue_due(*, user, on: datetime.date | None = None) -> list[Certificate]:
    """Every certificate ``user`` has become entitled to (prerequisites first)."""
    issued = []
    for program in programs_in_order(municipality_of(user)):
        certificate = certificate_issue_if_due(user=user, program=program, on=on)
        if certificate is not None:
            issued.append(certificate)
    return issued


def certificates_issue_on_commit(*, user_id: int) -> None:
    """Queue the certificate check for ``user_id`` once the current transaction commits."""
    from ..tasks import issue_certificates

    enqueue_on_commit(issue_certificates, user_id)  # if the broker is down, the nightly sweep issues it


def certificates_issue_all(*, on: datetime.date | None = None) -> int:
    """The nightly sweep: everyone who may have become entitled (anyone with an approved capstone or
    verified evidence), each in their own transaction. Returns how many certificates were issued.
    """
    users = get_user_model().objects.filter(is_active=True, evidence__isnull=False).distinct().order_by("pk")
    issued = 0
    for user in users.iterator(chunk_size=500):
        issued += len(certificates_issue_due(user=user, on=on))
    return issued


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """Revoke with a reason (HR of the issuing municipality). Its pages then say it is revoked (the reason
    stays HR's record), and so does its status list, which offline verifiers of its credential check."""
    if not actor.has_perm("certification.revoke_certificate"):
        raise CertificateError(_("認定証を取り消す権限がありません。"))
    scope = scope_for(actor, purpose=Purpose.PROGRAMME)  # the issuing municipality's, or every one
    if scope is None or not scope.covers_municipality(certificate.municipality_id):
        raise CertificateError(_("この認定証を取り消す権限がありません。"))
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("取り消す理由を入力してください。"))
    if len(reason) > MAX_REASON:
        raise CertificateError(_("理由は%(max)d文字以内で入力してください。") % {"max": MAX_REASON})
    changed = Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor, revocation_reason=reason
    )
    if not changed:
        raise CertificateError(_("この認定証はすでに取り消されています。"))
    status_list_changed(certificate=certificate)  # its status list sets its bit when next requested
    certificate.refresh_from_db()
    return certificate


def _mail(certificate: Certificate, template: str, subject: str) -> int:
    email = certificate.user.email
    if not email:
        return 0
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    context = {
        "certificate": certificate,
        "url": certificate.get_absolute_url(),
        "me_url": base + reverse("courses:my_learning"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(template, context)
        return send_mail(subject % {"program": certificate.program.name}, body, None, [email])


def certificate_notify_issued(*, certificate_id: int) -> int:
    certificate = Certificate.objects.select_related(
        "user", "program", "status_list", "municipality__site"
    ).get(pk=certificate_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[DX推進リーダー育成] %(program)sに認定されました")
    return _mail(certificate, "certification/email/certificate_issued.txt", subject)


def certificates_remind_expiring(*, on: datetime.date | None = None) -> int:
    """Remind holders of valid certificates 90, 60, 30 and 7 days before they expire, through the
    notification outbox (a producer of the morning job); returns how many reminders were added. On a
    working day the nearest threshold reached is sent, once (its key names it); on a weekend or holiday
    only a certificate expiring that very day. ``reminded_on`` keeps the day of the first reminder."""
    from lms_site.notifications import services as notifications
    from lms_site.notifications.models import Kind

    on = on or timezone.localdate()
    working = notifications.is_working_day(on)
    due = Certificate.objects.filter(
        revoked_at__isnull=True,
        expires_on__gte=on,
        expires_on__lte=on + datetime.timedelta(days=max(EXPIRY_THRESHOLDS)),
    ).select_related("user", "program", "status_list", "municipality__site")
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    added = 0
    with translation.override(settings.LANGUAGE_CODE):
        for certificate in due:
            days = (certificate.expires_on - on).days
            if not working and days != 0:
                continue
            threshold = min(t for t in EXPIRY_THRESHOLDS if days <= t)
            context = {
                "certificate": certificate,
                "url": certificate.get_absolute_url(),
                "me_url": base + reverse("courses:my_learning"),
            }
            found = notifications.notify(
                recipient=certificate.user,
                municipality_id=certificate.municipality_id,
                kind=Kind.CERTIFICATE_EXPIRY,
                key=f"certificate:expiry:{certificate.pk}:{threshold}",
                subject=_("%(program)sの有効期限(%(date)s)が近づいています")
                % {"program": certificate.program.name, "date": certificate.expires_on.isoformat()},
                body=render_to_string("certification/email/certificate_expiring.txt", context),
            )
            if found is not None:
                added += 1
                Certificate.objects.filter(pk=certificate.pk, reminded_on__isnull=True).update(reminded_on=on)
    return added


def certificate_expiry_producer(today: datetime.date) -> int:
    """The morning notification job's producer (platform-wide, as the job runs)."""
    return certificates_remind_expiring(on=today)

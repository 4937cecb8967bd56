"""Certificates: issued once per period (also under concurrency), renewed after expiry, never re-issued
after revocation, revoked only by HR with a reason, reminders once; public pages show little."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse

from assessments.certification import services
from assessments.certification.models import Certificate, CertificationProgram, IssuerKey
from assessments.certification.openbadges import ob3
from assessments.certification.services.certificates import expiry_for
from assessments.evidence import evidence_delete
from lms_site.organisation.roles import Role
from tests.courses.conftest import curriculum  # noqa: F401 - re-exported fixture

from .conftest import competency, person
from .factories import EvidenceFactory

BASIC = ("A1", "A4", "C1", "D1", "E1")
TODAY = datetime.date(2026, 11, 28)


@pytest.fixture
def basic_holder(municipality, framework, programs):
    """Someone meeting DXベーシック (Lv2 in its five competencies); the programme valid for 3 years."""
    user = person("holder", municipality, Role.LEARNER)
    user.email = "holder@city.example.jp"
    user.save(update_fields=["email"])
    for code in BASIC:
        EvidenceFactory(user=user, competency=competency(framework, code), level=2)
    CertificationProgram.objects.filter(code="DX_BASIC").update(validity_years=3)
    return user


def basic() -> CertificationProgram:
    return CertificationProgram.objects.get(code="DX_BASIC")


def test_expiry_is_the_day_before_the_anniversary():
    program = CertificationProgram(validity_years=3)
    assert expiry_for(program, datetime.date(2026, 4, 1)) == datetime.date(2029, 3, 31)
    assert expiry_for(program, datetime.date(2024, 2, 29)) == datetime.date(2027, 2, 28)
    assert expiry_for(CertificationProgram(validity_years=None), datetime.date(2026, 4, 1)) is None


def test_issued_once_per_period(basic_holder):
    first = services.certificates_issue_due(user=basic_holder, on=TODAY)
    assert [c.program.code for c in first] == ["DX_BASIC"]
    assert services.certificates_issue_due(user=basic_holder, on=TODAY) == []
    assert services.certificates_issue_due(user=basic_holder, on=TODAY + datetime.timedelta(days=400)) == []
    certificate = first[0]
    assert (certificate.period, certificate.issued_on, certificate.expires_on) == (
        1,
        TODAY,
        datetime.date(2029, 11, 27),
    )
    assert certificate.recipient_name == basic_holder.staff_profile.full_name


def test_the_database_refuses_a_second_certificate_for_the_same_period(basic_holder):
    certificate = services.certificates_issue_due(user=basic_holder, on=TODAY)[0]
    certificate.pk, certificate.uuid = None, None
    with pytest.raises(IntegrityError):
        Certificate.objects.create(
            user=basic_holder,
            program=certificate.program,
            municipality=certificate.municipality,
            period=1,
            recipient_name="x",
            issued_on=TODAY,
        )


def test_renewed_after_expiry_as_the_next_period(basic_holder):
    services.certificates_issue_due(user=basic_holder, on=datetime.date(2022, 4, 1))
    renewed = services.certificates_issue_due(user=basic_holder, on=TODAY)
    assert [(c.period, c.issued_on) for c in renewed] == [(2, TODAY)]


def test_not_issued_without_meeting_the_rules(basic_holder, framework):
    evidence_delete(evidence=basic_holder.evidence.filter(competency__code="E1"))
    assert services.certificates_issue_due(user=basic_holder, on=TODAY) == []


def test_a_revoked_certificate_is_not_replaced_automatically(basic_holder, municipality):
    certificate = services.certificates_issue_due(user=basic_holder, on=TODAY)[0]
    hr = person("hr", municipality, Role.HR)
    services.certificate_revoke(certificate=certificate, actor=hr, reason="不正な申請が判明したため")
    assert services.certificates_issue_due(user=basic_holder, on=TODAY) == []
    assert services.certificates_issue_due(user=basic_holder, on=TODAY.replace(year=2030)) == []
    with pytest.raises(services.CertificateError, match="すでに"):
        services.certificate_revoke(certificate=certificate, actor=hr, reason="二度目")


def test_revocation_needs_hr_of_the_same_city_and_a_reason(basic_holder, municipality, other_city):
    certificate = services.certificates_issue_due(user=basic_holder, on=TODAY)[0]
    for actor, reason in (
        (person("manager", municipality, Role.MANAGER), "理由"),
        (person("hr_elsewhere", other_city, Role.HR), "理由"),
        (person("hr", municipality, Role.HR), "  "),
    ):
        with pytest.raises(services.CertificateError):
            services.certificate_revoke(certificate=certificate, actor=actor, reason=reason)
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_the_public_page_says_valid_expired_or_revoked(client, basic_holder, municipality):
    old = services.certificates_issue_due(user=basic_holder, on=datetime.date(2020, 4, 1))[0]
    current = services.certificates_issue_due(user=basic_holder)[0]
    page = client.get(reverse("certification:certificate", args=[old.uuid])).content.decode()
    assert "有効期限(2023-03-31)が過ぎています" in page
    page = client.get(reverse("certification:certificate", args=[current.uuid])).content.decode()
    assert "この認定証は有効です" in page
    assert basic_holder.staff_profile.employee_number not in page and "holder@" not in page
    services.certificate_revoke(
        certificate=current, actor=person("hr", municipality, Role.HR), reason="誤発行"
    )
    page = client.get(reverse("certification:certificate", args=[current.uuid])).content.decode()
    assert "取り消されました" in page and "誤発行" not in page  # the reason stays HR's record
    response = client.get(reverse("certification:certificate_assertion", args=[current.uuid]))
    assert response.status_code == 410 and response.json()["revoked"] is True


def test_an_unknown_certificate_is_404(client, db):
    import uuid

    assert client.get(reverse("certification:certificate", args=[uuid.uuid4()])).status_code == 404


def test_the_credential_is_signed_by_the_municipalitys_key(client, basic_holder, municipality):
    certificate = services.certificates_issue_due(user=basic_holder, on=TODAY)[0]
    credential = client.get(reverse("certification:certificate_credential", args=[certificate.uuid])).json()
    assert ob3.schema_errors(credential) == [] and ob3.verify(credential).verified
    assert credential["issuer"]["name"] == municipality.name
    assert credential["issuer"]["id"].startswith("did:key:z6Mk")
    assert IssuerKey.objects.filter(municipality=municipality).count() == 1
    codes = {a["targetCode"] for a in credential["credentialSubject"]["achievement"]["alignment"]}
    assert codes == set(BASIC)
    forged = {**credential, "credentialSubject": {**credential["credentialSubject"], "name": "別人 花子"}}
    assert not ob3.verify(forged).verified


def test_hr_revokes_from_their_list(client, basic_holder, municipality):
    certificate = services.certificates_issue_due(user=basic_holder, on=TODAY)[0]
    revoke = reverse("certification:hr_certificate_revoke", args=[certificate.uuid])
    client.force_login(person("learner2", municipality, Role.LEARNER))
    assert client.get(reverse("certification:hr_certificates")).status_code == 403
    assert client.post(revoke, {"reason": "x"}).status_code == 403
    client.force_login(person("hr", municipality, Role.HR))
    assert certificate.recipient_name in client.get(reverse("certification:hr_certificates")).content.decode()
    client.post(revoke, {"reason": ""})
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    client.post(revoke, {"reason": "本人の申し出により取り消し"})
    certificate.refresh_from_db()
    assert certificate.revocation_reason == "本人の申し出により取り消し"


def test_holders_are_reminded_90_and_7_days_before_expiry_through_the_outbox(basic_holder):
    from lms_site.notifications.services import notifications_run

    certificate = services.certificates_issue_due(user=basic_holder, on=datetime.date(2023, 12, 1))[0]
    assert certificate.expires_on == datetime.date(2026, 11, 30)
    mail.outbox.clear()
    assert services.certificates_remind_expiring(on=datetime.date(2026, 8, 1)) == 0  # 121 days before
    notifications_run(today=datetime.date(2026, 9, 1))  # 90 days before (a Tuesday)
    notifications_run(today=datetime.date(2026, 9, 2))  # the next morning: nothing new
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["holder@city.example.jp"]
    assert mail.outbox[0].subject == "[DX推進リーダー育成] DXベーシックの有効期限(2026-11-30)が近づいています"
    assert "2026-11-30" in mail.outbox[0].body
    notifications_run(today=datetime.date(2026, 11, 28))  # Saturday, two days before: not on a weekend
    notifications_run(today=datetime.date(2026, 11, 27))  # Friday, three days before: the 7-day one
    assert len(mail.outbox) == 2
    certificate.refresh_from_db()
    assert certificate.reminded_on == datetime.date(2026, 9, 1)


def test_the_issue_task_runs_eagerly_and_twice_changes_nothing(basic_holder, settings):
    from assessments.certification.tasks import issue_certificates

    assert len(issue_certificates.delay(basic_holder.pk).get()) == 1
    assert issue_certificates.delay(basic_holder.pk).get() == []


def test_renewal_needs_learning_hours_and_an_improvement_case(basic_holder, framework, curriculum):  # noqa: F811
    from courses.models import Enrollment

    CertificationProgram.objects.filter(code="DX_BASIC").update(renewal_hours_per_year=1)  # 3 h in 3 years
    services.certificates_issue_due(user=basic_holder, on=datetime.date(2022, 4, 1))
    assert services.certificates_issue_due(user=basic_holder, on=TODAY) == []  # expired, nothing since
    for key in ("basics", "data"):  # 2 h each
        Enrollment.objects.create(
            user=basic_holder,
            course=curriculum[key],
            completed_at=datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC),
        )
    assert services.certificates_issue_due(user=basic_holder, on=TODAY) == []  # no improvement case yet
    EvidenceFactory(
        user=basic_holder,
        competency=competency(framework, "B1"),
        level=3,
        source="ojt",
        recorded_at=datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC),  # not the clock: TODAY is fixed
    )
    renewed = services.certificates_issue_due(user=basic_holder, on=TODAY)
    assert [(c.period, c.issued_on) for c in renewed] == [(2, TODAY)]


def test_retired_staff_are_not_certified(basic_holder):
    basic_holder.staff_profile.is_active = False
    basic_holder.staff_profile.save(update_fields=["is_active"])
    assert services.certificates_issue_due(user=basic_holder, on=TODAY) == []

"""The learner's evidence page and qualification claims: type-checked proof, stored privately, pending
evidence per mapped competency; the proof is streamed only to its owner and to 人事課."""

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments.certification.models import Qualification, QualificationClaim
from assessments.certification.storage import ProofStorage
from assessments.models import Evidence, EvidenceSource, EvidenceStatus
from lms_site.organisation.roles import Role

from .conftest import JPEG, PDF, PNG, competency, person
from .factories import EvidenceFactory

URL = reverse("certification:my_evidence")


def upload(content: bytes = PDF, name: str = "合格証書.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def claim_post(client, qualification: Qualification, proof=None, **fields):
    data = {"qualification": qualification.pk, "passed_on": "2025-06-15", "certificate_number": "IP-123"}
    data.update(fields)
    data["proof"] = proof or upload()
    return client.post(URL, data)


@pytest.fixture
def it_passport(programs):
    return Qualification.objects.get(code="IP")


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


def test_a_claim_records_pending_evidence_for_each_mapped_competency(
    learner_client, learner, it_passport, proof_root
):
    response = claim_post(learner_client, it_passport)
    assert response.status_code == 302
    claim = QualificationClaim.objects.get(user=learner)
    rows = Evidence.objects.filter(user=learner, source=EvidenceSource.QUALIFICATION)
    assert {(r.competency.code, r.level, r.status, r.source_key) for r in rows} == {
        (m.competency.code, m.level, EvidenceStatus.PENDING, f"claim:{claim.pk}")
        for m in it_passport.mappings.all()
    }
    assert (claim.certificate_number, claim.proof_name, claim.proof_content_type) == (
        "IP-123",
        "合格証書.pdf",
        "application/pdf",
    )
    stored = Path(claim.proof.path)
    assert stored.read_bytes() == PDF
    assert stored.is_relative_to(proof_root.resolve())
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert "合格証書" not in claim.proof.name and len(stored.stem) == 32  # 128 random bits, no user input


@pytest.mark.parametrize(
    ("content", "name", "kind"), [(PNG, "scan.png", "image/png"), (JPEG, "photo.JPG", "image/jpeg")]
)
def test_png_and_jpeg_are_accepted_by_content(learner_client, learner, it_passport, content, name, kind):
    assert claim_post(learner_client, it_passport, upload(content, name)).status_code == 302
    assert QualificationClaim.objects.get(user=learner).proof_content_type == kind


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00 not a pdf at all", "certificate.pdf"),  # the extension lies
        (b"<html><script>alert(1)</script></html>", "certificate.png"),
        (b"", "empty.pdf"),
    ],
)
def test_a_file_that_is_not_pdf_png_or_jpeg_is_refused(learner_client, learner, it_passport, content, name):
    response = claim_post(learner_client, it_passport, upload(content, name))
    assert response.status_code == 400
    # The error is announced and tied to the field: aria-invalid, and aria-describedby naming the hint
    # and the error list, which carries that id.
    assert 'aria-invalid="true"' in response.text
    assert 'aria-describedby="id_proof_helptext id_proof_error"' in response.text
    assert 'id="id_proof_error"' in response.text and 'id="id_proof_helptext"' in response.text
    assert not QualificationClaim.objects.exists() and not Evidence.objects.exists()


def test_a_file_over_5_mb_is_refused(learner_client, it_passport):
    big = PDF + b"0" * (5 * 1024 * 1024)
    response = claim_post(learner_client, it_passport, upload(big))
    assert response.status_code == 400
    assert "5 MB" in response.text
    assert not QualificationClaim.objects.exists()


def test_a_future_date_is_refused(learner_client, it_passport):
    tomorrow = timezone.localdate() + datetime.timedelta(days=2)
    assert claim_post(learner_client, it_passport, passed_on=tomorrow.isoformat()).status_code == 400
    assert not QualificationClaim.objects.exists()


def test_the_same_qualification_cannot_be_claimed_twice_unless_rejected(
    learner_client, learner, it_passport, proof_root
):
    claim_post(learner_client, it_passport)
    response = claim_post(learner_client, it_passport)
    assert response.status_code == 400 and "すでに申請済み" in response.text
    assert QualificationClaim.objects.count() == 1
    assert len(list(proof_root.rglob("*.pdf"))) == 1, "a refused claim leaves no file behind"
    Evidence.objects.filter(user=learner).update(status=EvidenceStatus.REJECTED, rejection_reason="不鮮明")
    assert claim_post(learner_client, it_passport).status_code == 302
    assert QualificationClaim.objects.count() == 2


def test_an_inactive_or_unmapped_qualification_cannot_be_chosen(learner_client, it_passport):
    Qualification.objects.filter(pk=it_passport.pk).update(is_active=False)
    assert claim_post(learner_client, it_passport).status_code == 400
    assert not QualificationClaim.objects.exists()


def test_the_page_lists_evidence_of_every_source_with_status(
    learner_client, learner, framework, it_passport, django_assert_max_num_queries
):
    claim_post(learner_client, it_passport)
    EvidenceFactory(user=learner, competency=competency(framework, "B1"), level=3, source=EvidenceSource.OJT)
    EvidenceFactory(
        user=learner,
        competency=competency(framework, "F1"),
        level=3,
        source=EvidenceSource.ADVISOR,
        status=EvidenceStatus.REJECTED,
        rejection_reason="根拠が不足しています",
    )
    response = learner_client.get(URL)
    text = response.text
    for label in (
        "OJT・業務実績",
        "外部人材による評価",
        "資格",
        "確認待ち",
        "確認済み",
        "却下",
        "根拠が不足しています",
    ):
        assert label in text
    assert "ITパスポート試験" in text
    assert '<label for="id_proof">' in text and "<legend>" in text
    for n in range(10):
        EvidenceFactory(user=learner, competency=competency(framework, "A1"), level=1, source_key=f"more:{n}")
    # session, user, claims, evidence, qualifications and their map, the form's choices, 2 for perms,
    # the header's count of unread notifications
    with django_assert_max_num_queries(10):
        assert learner_client.get(URL).status_code == 200


@pytest.fixture
def claim(learner_client, learner, it_passport):
    claim_post(learner_client, it_passport)
    learner_client.logout()
    return QualificationClaim.objects.get(user=learner)


def proof_url(claim) -> str:
    return reverse("certification:proof", args=[claim.uuid])


def test_the_owner_and_hr_of_the_same_city_can_download_the_proof(client, claim, learner, hr):
    for user in (learner, hr):
        client.force_login(user)
        response = client.get(proof_url(claim))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("username", "roles", "same_city"),
    [
        ("advisor", (Role.ADVISOR,), True),
        ("other-learner", (Role.LEARNER,), True),
        ("manager", (Role.LEARNER, Role.MANAGER), True),  # view_personal_data alone is not enough
        ("reviewer", (Role.LEARNER, Role.REVIEWER), True),
        ("far-hr", (Role.LEARNER, Role.HR), False),
    ],
)
def test_everyone_else_gets_404_for_the_proof(
    client, claim, municipality, other_city, username, roles, same_city
):
    client.force_login(person(username, municipality if same_city else other_city, *roles))
    assert client.get(proof_url(claim)).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, claim):
    response = client.get(proof_url(claim))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_proofs_have_no_url_and_the_system_check_guards_their_root(settings, tmp_path):
    with pytest.raises(ValueError, match="no public URL"):
        ProofStorage().url("ab/abc.pdf")
    assert not [e for e in run_checks() if e.id == "certification.E001"]
    settings.PRIVATE_MEDIA_ROOT = str(Path(settings.MEDIA_ROOT) / "private")
    assert [e.id for e in run_checks() if e.id.startswith("certification")] == ["certification.E001"]


def test_the_claim_service_checks_the_file_as_well(learner, it_passport):
    from assessments.certification import services

    with pytest.raises(services.ClaimError):
        services.qualification_claim_create(
            user=learner,
            qualification=it_passport,
            passed_on=datetime.date(2025, 1, 1),
            proof=SimpleUploadedFile("x.pdf", b"GIF89a" + io.BytesIO(b"x").read()),
        )
    assert not QualificationClaim.objects.exists()

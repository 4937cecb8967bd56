"""A scripted learner goes from nothing to a DX推進リーダー certificate through the real flows, over HTTP:
the leader exam, a qualification verified by HR, a capstone endorsed by the 所属長 and approved by an
advisor. The certificate appears exactly once, and its credentials verify (and fail when tampered with).
"""

import datetime
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from dx_assessment import grading

from assessments.certification import services
from assessments.certification.models import Capstone, Certificate, Qualification, RubricCriterion
from assessments.certification.openbadges import ob2, ob3
from assessments.certification.tasks import issue_due_certificates
from assessments.models import AttemptItem, Evidence, EvidenceStatus, Quiz, QuizItem
from lms_site.organisation.roles import ROLES, Role
from tests.assessments.conftest import make_question
from tests.factories import AssignmentFactory, head_post
from tests.openbadges.test_dcc_verifier import dcc_verify  # noqa: F401 - the third-party verifier fixture

from .conftest import PDF, competency, person

START = datetime.date(2025, 4, 1)
CAPSTONE_CODES = ("A1", "A2", "A3", "A4", "B1", "B2", "C1", "D1", "F1")  # core + all of area A


def placed(user, department):
    AssignmentFactory(staff=user.staff_profile, department=department, starts_on=START)
    if user.groups.filter(name=ROLES[Role.MANAGER].group_name).exists():
        head_post(user, department)
    user.email = f"{user.username}@city.example.jp"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def city(municipality, departments, framework):
    """The default programmes, a leader exam of 24 true/false questions (one per competency, Lv2), people."""
    exam = Quiz(title="DX推進リーダー 知識試験", passing_percent=70, is_leader_exam=True, live=True)
    exam.items = [
        QuizItem(
            question=make_question(
                grading.TrueFalse(
                    text=f"{c.code}: {c.name}は自治体DXの能力項目である。", correct_answer=True
                ),
                title=f"試験 {c.code}",
                competency=c,
                level=2,
                exam_only=True,  # the leader exam draws only its own pool (ADR 0010)
            ),
            weight=1,
        )
        for c in framework.competencies.order_by("sort_order")
    ]
    exam.save()
    exam.save_revision().publish()
    services.certification_defaults_load()
    return {
        "exam": exam,
        "learner": placed(person("suzuki", municipality, Role.LEARNER), departments["020100"]),
        "kacho": placed(person("kacho", municipality, Role.LEARNER, Role.MANAGER), departments["020100"]),
        "hr": placed(person("hr_person", municipality, Role.LEARNER, Role.HR), departments["010100"]),
        "advisor": placed(person("advisor", municipality, Role.ADVISOR), departments["010000"]),
    }


def certificates(user, code):
    return Certificate.objects.filter(user=user, program__code=code).count()


def test_a_learner_earns_the_leader_certificate_exactly_once(
    client,
    city,
    framework,
    django_capture_on_commit_callbacks,
    dcc_verify,  # noqa: F811
):
    learner, exam = city["learner"], city["exam"]

    def as_user(user):
        client.force_login(user)
        return client

    def post(user, url, data, status=302):
        with django_capture_on_commit_callbacks(execute=True):  # tasks run eagerly, as without a broker
            response = as_user(user).post(url, data)
        assert response.status_code == status, response.content.decode()[:2000]
        return response

    # 1. The leader exam, answered right, over HTTP: Lv2 in all 24 competencies; DXベーシック follows.
    post(learner, reverse("assessments:start", args=[exam.pk]), {})
    attempt = learner.attempts.get()
    answers = {f"q{item.position}": "true" for item in AttemptItem.objects.filter(attempt=attempt)}
    post(learner, reverse("assessments:attempt", args=[attempt.pk]), {**answers, "action": "submit"})
    attempt.refresh_from_db()
    assert attempt.passed
    assert certificates(learner, "DX_BASIC") == 1 and certificates(learner, "DX_LEADER") == 0

    # 2. 応用情報技術者試験 (E1, E2 at Lv3) claimed with a proof; HR verifies it.
    applied = Qualification.objects.get(code="AP")
    proof = SimpleUploadedFile("合格証書.pdf", PDF, content_type="application/pdf")
    post(
        learner,
        reverse("certification:my_evidence"),
        {"qualification": applied.pk, "passed_on": "2025-06-20", "proof": proof},
    )
    pending = Evidence.objects.filter(user=learner, status=EvidenceStatus.PENDING)
    assert pending.count() == applied.mappings.count()
    post(
        city["hr"],
        reverse("certification:hr_evidence_review"),
        {"evidence": [e.pk for e in pending], "decision": services.VERIFY},
    )
    assert certificates(learner, "DX_LEADER") == 0  # core competencies still at Lv2; no capstone

    # 3. The capstone: plan → 所属長 → report → endorsement → advisor's rubric.
    mine = reverse("certification:capstone_mine")
    plan = {
        "title": "転入手続のオンライン事前申請",
        "problem": "転入の繁忙期に窓口で1時間近く待つ人がいる。",
        "plan": "オンラインの事前申請と窓口の受付手順の見直しを、市民課と情報政策課で進める。",
        "target": "繁忙期の平均待ち時間を半分にする。受付票の時刻で測る。",
        "competencies": [competency(framework, code).pk for code in CAPSTONE_CODES],
        "step": "submit",
    }
    post(learner, mine, plan)
    capstone = Capstone.objects.get(user=learner)
    review = reverse("certification:capstone_review", args=[capstone.uuid])
    post(city["kacho"], review, {"decision": "accept", "comment": "進めてください。"})
    post(
        learner,
        mine,
        {
            "step": "report",
            "report": "3月から4月に事前申請を受け付け、窓口では読み取るだけにした。",
            "measured_effect": "平均待ち時間は52分から21分に短縮(受付票3,400件)。",
            "hours_saved_per_year": "410",
            "inclusion_check": "事前申請をしない人の窓口を残し、外国語の案内も用意した。",
            "attachments": [SimpleUploadedFile("測定結果.pdf", PDF, content_type="application/pdf")],
        },
    )
    post(city["kacho"], review, {"decision": "accept", "comment": "推薦します。"})
    assert certificates(learner, "DX_LEADER") == 0
    scores = {f"score_{c.pk}": 3 for c in RubricCriterion.objects.filter(program=capstone.program)}
    post(city["advisor"], review, {**scores, "decision": "accept", "comment": "効果の測定が丁寧です。"})

    # 4. Exactly one DX推進リーダー certificate, whatever runs again.
    assert certificates(learner, "DX_LEADER") == 1
    with django_capture_on_commit_callbacks(execute=True):
        issue_due_certificates.delay()
        services.certificates_issue_due(user=learner)
    assert certificates(learner, "DX_LEADER") == 1 and certificates(learner, "DX_BASIC") == 1
    certificate = Certificate.objects.get(user=learner, program__code="DX_LEADER")
    assert certificate.period == 1 and certificate.expires_on == datetime.date(
        certificate.issued_on.year + 3, certificate.issued_on.month, certificate.issued_on.day
    ) - datetime.timedelta(days=1)

    # 5. Its public page and both credentials (no login needed), and they verify.
    client.logout()
    page = client.get(reverse("certification:certificate", args=[certificate.uuid])).content.decode()
    assert "この認定証は有効です" in page and certificate.recipient_name in page
    assert "suzuki@city.example.jp" not in page
    credential = client.get(reverse("certification:certificate_credential", args=[certificate.uuid])).json()
    assert ob3.schema_errors(credential) == []
    assert ob3.verify(credential).verified
    tampered = {**credential, "validUntil": "2099-03-31T14:59:59Z"}
    assert not ob3.verify(tampered).verified
    # … and for a third party: the DCC verifier-core, offline
    list_url = credential["credentialStatus"]["statusListCredential"]
    status_list = client.get(urlsplit(list_url).path).json()  # the verifier is offline: hand it the list
    code, result = dcc_verify(credential, {list_url: status_list})
    assert (code, result["verified"]) == (0, True), result["errors"]
    code, result = dcc_verify(tampered, {list_url: status_list})
    assert (code, result["verified"]) == (1, False)
    assertion = client.get(reverse("certification:certificate_assertion", args=[certificate.uuid])).json()
    assert ob2.recipient_matches(assertion, "suzuki@city.example.jp")
    assert not ob2.recipient_matches(assertion, "someone@city.example.jp")
    assert "suzuki@city.example.jp" not in str(assertion)

"""人事課 verifies or rejects pending evidence; forged or incomplete posts change nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.certification import services
from assessments.certification.models import CompetencyLevel, Qualification
from assessments.models import Evidence, EvidenceStatus
from lms_site.organisation.roles import Role

from .conftest import person

LIST = reverse("certification:hr_evidence")
REVIEW = reverse("certification:hr_evidence_review")


@pytest.fixture
def claim_of(programs, proof_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import PDF

    def make(user, code="IP"):
        return services.qualification_claim_create(
            user=user,
            qualification=Qualification.objects.get(code=code),
            passed_on=__import__("datetime").date(2025, 6, 15),
            proof=SimpleUploadedFile("proof.pdf", PDF),
        )

    return make


def ids_of(claim) -> list[int]:
    return list(
        Evidence.objects.filter(source_key=claim.source_key, user=claim.user).values_list("pk", flat=True)
    )


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr)
    return client


def snapshot() -> list[tuple]:
    return list(
        Evidence.objects.order_by("pk").values_list(
            "pk", "status", "reviewed_by", "reviewed_at", "rejection_reason"
        )
    )


def test_the_pending_list_groups_each_claim_with_its_proof(
    hr_client, learner, municipality, claim_of, django_assert_max_num_queries
):
    claim = claim_of(learner)
    hr_client.get(LIST)  # the first visit creates the Wagtail user profile the user bar reads
    with CaptureQueriesContext(connection) as one_submission:
        response = hr_client.get(LIST)
    budget = len(one_submission)  # now: the next request clears the connection's query log
    assert response.status_code == 200
    text = response.text
    assert "ITパスポート試験" in text and "試験 learner" in text
    assert reverse("certification:proof", args=[claim.uuid]) in text
    assert text.count('name="evidence"') == len(ids_of(claim))
    for n in range(5):
        claim_of(person(f"staff{n}", municipality, Role.LEARNER), code="SG")
    hr_client.get(LIST)  # new people joined roles: with Redis, cached permission sets are read again once
    # session, user, permissions (2), reviewer's profile, evidence with people, claims, user bar (2)
    assert budget <= 9
    with django_assert_max_num_queries(budget):
        response = hr_client.get(LIST)
    assert response.text.count("情報セキュリティマネジメント試験") == 5


def test_the_pending_list_shows_only_the_reviewers_municipality(hr_client, other_city, claim_of):
    claim_of(person("far", other_city, Role.LEARNER))
    assert "確認待ちの実績はありません" in hr_client.get(LIST).text


@pytest.mark.parametrize(
    "roles", [(Role.LEARNER,), (Role.ADVISOR,), (Role.LEARNER, Role.MANAGER), (Role.LEARNER, Role.REVIEWER)]
)
def test_only_hr_may_review(client, municipality, learner, claim_of, roles):
    claim = claim_of(learner)
    client.force_login(person("someone", municipality, *roles))
    assert client.get(LIST).status_code == 403
    before = snapshot()
    assert client.post(REVIEW, {"evidence": ids_of(claim), "decision": "verify"}).status_code == 403
    assert snapshot() == before


def test_verifying_records_the_reviewer_and_recomputes_levels(
    hr_client, hr, learner, claim_of, django_capture_on_commit_callbacks
):
    claim = claim_of(learner)
    learner.email = "learner@city.example.jp"
    learner.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(REVIEW, {"evidence": ids_of(claim), "decision": "verify"})
    assert response.status_code == 302
    rows = Evidence.objects.filter(pk__in=ids_of(claim))
    assert {r.status for r in rows} == {EvidenceStatus.VERIFIED}
    assert {r.reviewed_by for r in rows} == {hr} and all(r.reviewed_at for r in rows)
    levels = dict(CompetencyLevel.objects.filter(user=learner).values_list("competency__code", "level"))
    assert levels == {r.competency.code: r.level for r in rows}
    assert "件の実績を確認済みにしました" in hr_client.get(LIST).text
    from django.core import mail

    from lms_site.notifications.models import Kind, Notification

    told = Notification.objects.get(recipient=learner)  # one per owner and review, in the app
    assert (told.kind, told.subject) == (Kind.DECISION, f"学習実績{len(ids_of(claim))}件が確認されました")
    assert [m.subject for m in mail.outbox if learner.email in m.to] == [
        "[DX推進リーダー育成] " + told.subject
    ]


def test_rejecting_needs_a_reason_which_the_learner_then_sees(client, hr_client, learner, claim_of):
    claim = claim_of(learner)
    before = snapshot()
    response = hr_client.post(
        REVIEW, {"evidence": ids_of(claim), "decision": "reject", "reason": "  "}, follow=True
    )
    assert "却下する場合は理由を入力してください" in response.text
    assert snapshot() == before
    hr_client.post(
        REVIEW, {"evidence": ids_of(claim), "decision": "reject", "reason": "氏名が読み取れません"}
    )
    assert set(Evidence.objects.filter(pk__in=ids_of(claim)).values_list("status", "rejection_reason")) == {
        (EvidenceStatus.REJECTED, "氏名が読み取れません")
    }
    client.force_login(learner)
    assert "氏名が読み取れません" in client.get(reverse("certification:my_evidence")).text


@pytest.mark.parametrize(
    "forge",
    [
        lambda ids, far: {"evidence": [999_999], "decision": "verify"},
        lambda ids, far: {"evidence": [*ids, 999_999], "decision": "verify"},
        lambda ids, far: {"evidence": ["1; DROP TABLE"], "decision": "verify"},
        lambda ids, far: {"evidence": far, "decision": "verify"},
        lambda ids, far: {"evidence": [*ids, *far], "decision": "verify"},
        lambda ids, far: {"evidence": ids, "decision": "approve_everything"},
        lambda ids, far: {"evidence": [], "decision": "verify"},
        lambda ids, far: {"evidence": ids, "decision": "reject"},
    ],
    ids=[
        "unknown",
        "one-unknown",
        "not-a-number",
        "other-city",
        "mixed-city",
        "bad-decision",
        "none",
        "no-reason",
    ],
)
def test_forged_posts_change_nothing_and_say_why(hr_client, learner, other_city, claim_of, forge):
    ids = ids_of(claim_of(learner))
    far = ids_of(claim_of(person("far", other_city, Role.LEARNER)))
    before = snapshot()
    response = hr_client.post(REVIEW, forge(ids, far), follow=True)
    assert snapshot() == before
    assert 'class="message message--error"' in response.text


def test_already_reviewed_evidence_cannot_be_reviewed_again(hr_client, learner, claim_of):
    ids = ids_of(claim_of(learner))
    hr_client.post(REVIEW, {"evidence": ids, "decision": "verify"})
    before = snapshot()
    response = hr_client.post(
        REVIEW, {"evidence": ids, "decision": "reject", "reason": "やり直し"}, follow=True
    )
    assert "すでに確認済み" in response.text
    assert snapshot() == before


def test_hr_cannot_verify_their_own_evidence(hr_client, hr, claim_of):
    ids = ids_of(claim_of(hr))
    response = hr_client.post(REVIEW, {"evidence": ids, "decision": "verify"}, follow=True)
    assert "自分の実績は確認できません" in response.text
    assert set(Evidence.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        EvidenceStatus.PENDING
    }


def test_the_service_refuses_users_without_the_permissions(learner, municipality, claim_of):
    ids = ids_of(claim_of(learner))
    manager = person("manager", municipality, Role.LEARNER, Role.MANAGER)
    with pytest.raises(services.ReviewError):
        services.evidence_review(reviewer=manager, evidence_ids=ids, decision=services.VERIFY)

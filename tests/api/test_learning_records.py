"""Evidence and quiz attempts through the API (issue 16): the municipality's own, scores only once an
attempt is submitted, and never a question, an answer given or a key."""

import datetime
import json

import pytest
from django.utils import timezone

from assessments import attempts
from assessments.models import Evidence, EvidenceStatus
from lms_site.organisation.models import PersonalDataAccess
from lms_site.organisation.tenancy import platform_wide

from .conftest import token_for
from .test_api import get

pytestmark = pytest.mark.django_db


def test_a_client_reads_its_staff_s_evidence_with_its_review_status(client, world):
    token = token_for(client, world["town"])
    evidence = get(client, "/api/v1/evidence/", token).json()["results"]
    assert [
        (e["employee_number"], e["competency"], e["level"], e["source"], e["status"]) for e in evidence
    ] == [("town01", "A1", 2, "qualification", "verified")]


def test_a_submitted_attempt_has_its_score_and_results_per_competency_and_no_key(client, world, quiz):
    token = token_for(client, world["city"])
    [attempt] = get(client, "/api/v1/attempts/", token).json()["results"]
    assert (attempt["employee_number"], attempt["quiz_title"], attempt["status"]) == (
        "city01",
        "全形式テスト",
        "submitted",
    )
    assert attempt["passed"] is True and float(attempt["percent"]) == 100.0
    results = {row["competency"]: row for row in attempt["results"]}
    assert set(results) == {"A1", "A2", "C1", "C2"}
    assert sum(row["questions"] for row in attempt["results"]) == quiz.items.count() == 7
    assert all(row["points"] == row["max_points"] for row in attempt["results"])
    body = json.dumps(attempt, ensure_ascii=False)
    for leak in ("response", "correct", "key", "重要業績評価指標", "options", "definition"):
        assert leak not in body, leak


def test_an_attempt_in_progress_shows_neither_score_nor_results(client, world, quiz):
    learner = world["city_staff"].user
    started = attempts.attempt_start(user=learner, quiz=quiz)
    token = token_for(client, world["city"])
    attempt = get(client, f"/api/v1/attempts/{started.pk}/", token).json()
    assert attempt["status"] == "in_progress" and attempt["number"] == 2
    assert (attempt["points"], attempt["percent"], attempt["passed"], attempt["results"]) == (
        None,
        None,
        None,
        [],
    )


def test_updated_since_pulls_evidence_reviewed_since(client, world):
    token = token_for(client, world["city"])
    since = timezone.now() + datetime.timedelta(minutes=1)
    assert get(client, "/api/v1/evidence/", token, updated_since=since.isoformat()).json()["results"] == []
    Evidence.objects.filter(pk=world["city_evidence"].pk).update(
        status=EvidenceStatus.REJECTED, reviewed_at=since + datetime.timedelta(seconds=5)
    )
    changed = get(client, "/api/v1/evidence/", token, updated_since=since.isoformat()).json()["results"]
    assert [(e["id"], e["status"]) for e in changed] == [(world["city_evidence"].pk, "rejected")]
    later = (since + datetime.timedelta(minutes=1)).isoformat()
    assert get(client, "/api/v1/attempts/", token, updated_since=later).json()["results"] == []


def test_reading_attempts_is_logged_and_does_not_query_per_attempt(
    client, world, quiz, django_assert_num_queries
):
    learner = world["city_staff"].user
    for _ in range(3):
        attempts.attempt_submit(attempt=attempts.attempt_start(user=learner, quiz=quiz))
    token = token_for(client, world["city"])
    # the token, its client, the page of attempts, their items with the questions' competencies, the log
    with django_assert_num_queries(5):
        page = get(client, "/api/v1/attempts/", token).json()["results"]
    assert len(page) == 4
    with platform_wide():
        entry = PersonalDataAccess.objects.get(view="api_attempts")
    assert entry.rows == 4 and entry.municipality_id == world["city"].pk

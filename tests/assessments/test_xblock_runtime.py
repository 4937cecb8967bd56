"""The Open edX quiz block inside a lesson: our runtime renders it, stores state, records attempts."""

import json

import pytest
from django.urls import reverse
from dx_assessment import grading

from assessments import xblock_runtime
from assessments.models import Attempt, Evidence, XBlockState
from tests.assessments.test_attempts import secrets_of
from tests.factories import StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner_client(client):
    user = StaffProfileFactory(user__username="learner").user  # evidence is a staff member's
    client.force_login(user)
    client.user = user
    return client


def post_submit(client, quiz, responses, submission_id="s-1"):
    url = reverse("assessments:xblock_handler", args=[quiz.pk, "submit"])
    return client.post(
        url,
        json.dumps({"responses": responses, "submission_id": submission_id}),
        content_type="application/json",
    )


def key(quiz) -> list:
    _, versions = xblock_runtime.quiz_authored_fields(quiz)
    return [grading.correct_response(grading.Question.from_dict(v.definition)) for v, _w in versions]


def test_the_block_renders_without_the_key(learner_client, quiz):
    html = xblock_runtime.render_quiz(user=learner_client.user, quiz=quiz).body_html()
    assert "dx-quiz-block" in html
    _, versions = xblock_runtime.quiz_authored_fields(quiz)
    for version, _weight in versions:
        for secret in secrets_of(grading.Question.from_dict(version.definition)):
            assert secret not in html


def test_a_submission_becomes_a_graded_attempt_with_evidence(
    learner_client, quiz, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_submit(learner_client, quiz, key(quiz))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["passed"] is True and body["percent"] == 100
    attempt = Attempt.objects.get(user=learner_client.user, quiz=quiz)
    assert attempt.status == "submitted" and attempt.percent == 100
    assert Evidence.objects.filter(user=learner_client.user, source="quiz").count() == 4
    state = XBlockState.objects.get(user=learner_client.user)
    assert state.state["attempts"] == 1 and state.state["passed"] is True


def test_a_repeated_submission_counts_once(learner_client, quiz):
    post_submit(learner_client, quiz, key(quiz))
    again = post_submit(learner_client, quiz, key(quiz))
    assert again.json()["repeated"] is True
    assert Attempt.objects.filter(user=learner_client.user).count() == 1


def test_a_malformed_submission_changes_nothing(learner_client, quiz):
    response = post_submit(learner_client, quiz, ["no-such-choice"] + [None] * 6)
    assert response.status_code == 400
    assert not Attempt.objects.exists()
    assert XBlockState.objects.get(user=learner_client.user).state.get("attempts", 0) == 0


def test_the_site_attempt_limit_holds_inside_the_block(learner_client, quiz):
    quiz.max_attempts = 1
    quiz.save_revision().publish()
    assert post_submit(learner_client, quiz, [None] * 7, submission_id="a").status_code == 200
    blocked = post_submit(learner_client, quiz, key(quiz), submission_id="b")
    assert blocked.status_code == 403 and "受験回数の上限" in blocked.json()["error"]
    assert Attempt.objects.count() == 1
    assert XBlockState.objects.get(user=learner_client.user).state["attempts"] == 1


def test_state_is_per_learner(learner_client, quiz, client):
    post_submit(learner_client, quiz, key(quiz))
    mine = xblock_runtime.render_quiz(user=learner_client.user, quiz=quiz).body_html()
    other = UserFactory(username="other")
    theirs = xblock_runtime.render_quiz(user=other, quiz=quiz).body_html()
    assert "dx-summary" in mine and "dx-summary" not in theirs
    assert XBlockState.objects.get(user=other).state == {}


def test_handler_needs_login_post_and_a_known_handler(learner_client, quiz):
    from django.test import Client

    url = reverse("assessments:xblock_handler", args=[quiz.pk, "submit"])
    assert Client().post(url, "{}", content_type="application/json").status_code == 302
    assert learner_client.get(url).status_code == 405
    studio = reverse("assessments:xblock_handler", args=[quiz.pk, "studio_submit"])
    assert learner_client.post(studio, "{}", content_type="application/json").status_code == 404

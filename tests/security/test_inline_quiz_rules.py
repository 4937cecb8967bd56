"""Issue 12 item 3: the quiz embedded in a lesson (XBlock handler) keeps the quiz's rules (ADR 0010).

The attack: with feedback "after closing", the handler returned the explanations before the closing
date; after ``closes_at`` it still accepted a submission, recorded a pass and created verified evidence.
Now the handler, the block's rendering and the quiz page all read ``quiz_rules.quiz_rules``.
"""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from dx_assessment import grading

from assessments import xblock_runtime
from assessments.models import Attempt, Evidence, FeedbackTiming, XBlockState
from tests.assessments.conftest import questions, quiz  # noqa: F401 - re-exported fixtures
from tests.courses.conftest import framework  # noqa: F401 - re-exported fixture
from tests.factories import StaffProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner_client(client):
    user = StaffProfileFactory(user__username="learner").user  # evidence is a staff member's
    client.force_login(user)
    client.user = user
    return client


def post_submit(client, quiz, responses, submission_id="s-1"):  # noqa: F811
    url = reverse("assessments:xblock_handler", args=[quiz.pk, "submit"])
    body = json.dumps({"responses": responses, "submission_id": submission_id})
    return client.post(url, body, content_type="application/json")


def key(quiz) -> list:  # noqa: F811
    _, versions = xblock_runtime.quiz_authored_fields(quiz)
    return [grading.correct_response(grading.Question.from_dict(v.definition)) for v, _w in versions]


def explanations(quiz) -> list[str]:  # noqa: F811
    _, versions = xblock_runtime.quiz_authored_fields(quiz)
    return [grading.Question.from_dict(v.definition).explanation for v, _w in versions]


def configure(quiz, **fields):  # noqa: F811
    for name, value in fields.items():
        setattr(quiz, name, value)
    quiz.save_revision().publish()
    quiz.refresh_from_db()


def test_feedback_after_closing_is_not_returned_by_the_handler_before_closing(learner_client, quiz):  # noqa: F811
    configure(
        quiz,
        feedback_timing=FeedbackTiming.AFTER_CLOSE,
        closes_at=timezone.now() + datetime.timedelta(days=30),
    )
    response = post_submit(learner_client, quiz, key(quiz))
    assert response.status_code == 200, response.content
    html = response.json()["html"]
    assert "dx-result__explanation" not in html
    for text in explanations(quiz):
        assert text not in html
    # The result of the same attempt on the site says the same: right/wrong only, no explanations.
    attempt = Attempt.objects.get(user=learner_client.user, quiz=quiz)
    page = learner_client.get(reverse("assessments:result", args=[attempt.pk])).content.decode()
    assert "受験期間の終了後に表示" in page
    # Re-rendering the block in the lesson shows no explanation either.
    rendered = xblock_runtime.render_quiz(user=learner_client.user, quiz=quiz).body_html()
    assert "dx-result__explanation" not in rendered and "dx-summary" in rendered


def test_after_closing_the_handler_refuses_and_records_nothing(
    learner_client,
    quiz,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    configure(quiz, closes_at=timezone.now() - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_submit(learner_client, quiz, key(quiz))
    assert response.status_code == 403
    assert "受験期間は終了しました" in response.json()["error"]
    assert not Attempt.objects.filter(quiz=quiz).exists()
    assert not Evidence.objects.filter(user=learner_client.user).exists()
    state = XBlockState.objects.filter(user=learner_client.user).first()
    assert state is None or state.state.get("attempts", 0) == 0


def test_a_closed_quiz_renders_in_the_lesson_without_a_way_to_submit(learner_client, quiz):  # noqa: F811
    assert "disabled" not in xblock_runtime.render_quiz(user=learner_client.user, quiz=quiz).body_html()
    configure(quiz, closes_at=timezone.now() - datetime.timedelta(days=1))
    html = xblock_runtime.render_quiz(user=learner_client.user, quiz=quiz).body_html()
    assert "disabled" in html


def test_explanations_appear_once_the_quiz_has_closed(learner_client, quiz):  # noqa: F811
    configure(
        quiz,
        feedback_timing=FeedbackTiming.AFTER_CLOSE,
        closes_at=timezone.now() + datetime.timedelta(days=30),
    )
    assert post_submit(learner_client, quiz, key(quiz)).status_code == 200
    configure(quiz, closes_at=timezone.now() - datetime.timedelta(minutes=1))
    html = xblock_runtime.render_quiz(user=learner_client.user, quiz=quiz).body_html()
    assert "dx-result__explanation" in html


def test_an_open_quiz_with_immediate_feedback_still_grades_and_explains_inline(
    learner_client,
    quiz,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    configure(quiz, closes_at=timezone.now() + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_submit(learner_client, quiz, key(quiz))
    assert response.status_code == 200 and response.json()["passed"] is True
    assert "dx-result__explanation" in response.json()["html"]
    assert Evidence.objects.filter(user=learner_client.user, source="quiz").exists()


def test_the_leader_exam_is_never_answered_inside_a_lesson(learner_client, quiz):  # noqa: F811
    configure(quiz, is_leader_exam=True)
    assert post_submit(learner_client, quiz, key(quiz)).status_code == 404
    assert not Attempt.objects.exists()

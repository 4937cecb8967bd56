"""dx_quiz: one submit for all questions, one grade for the whole quiz, a pass mark."""

import pytest
from dx_assessment import grading
from dx_assessment.blocks import SUBMISSION_EVENT
from dx_assessment.examples import EXAMPLES

from tests.xblocks.helpers import ALL_TYPES, KEY_WORDS, WRONG, key_texts, quiz_xml

QUESTIONS = [EXAMPLES[kind] for kind in ALL_TYPES]
RIGHT = [grading.correct_response(question) for question in QUESTIONS]


def responses(right: int) -> list:
    """The first ``right`` questions answered correctly, the others wrongly."""
    return [RIGHT[i] if i < right else WRONG[kind] for i, kind in enumerate(ALL_TYPES)]


@pytest.fixture
def quiz(runtime):
    return runtime.add(quiz_xml(QUESTIONS, display_name="確認テスト", passing_percent=70, max_attempts=3))


def submit(runtime, usage_id, answers, **extra):
    return runtime.post(usage_id, "submit", {"responses": answers, **extra})


def test_the_quiz_shows_every_question_and_no_key(runtime, quiz):
    html = runtime.render_html(quiz)

    assert html.count("<fieldset") == len(QUESTIONS)
    assert "Question 7" in html and "確認テスト" in html
    for question in QUESTIONS:
        for secret in key_texts(question):
            assert secret not in html, secret
    for word in KEY_WORDS:
        assert word not in html


def test_all_right_passes_and_publishes_one_grade_for_the_quiz(runtime, quiz):
    reply = submit(runtime, quiz, RIGHT, submission_id="q-1")

    assert reply.status_code == 200
    assert reply.json["passed"] is True and reply.json["percent"] == 100.0
    assert runtime.named("grade") == [{"value": 7.0, "max_value": 7.0}]
    assert runtime.named("completion") == [{"completion": 1.0}]
    state = runtime.user_state(quiz)
    assert state["fraction"] == 1.0 and state["passed"] is True and state["attempts"] == 1
    assert len(state["responses"]) == len(QUESTIONS)


@pytest.mark.parametrize(("right", "passed"), [(5, True), (4, False)])
def test_the_pass_mark_decides_passed(runtime, quiz, right, passed):
    reply = submit(runtime, quiz, responses(right))

    assert reply.json["passed"] is passed
    assert runtime.named("grade") == [{"value": float(right), "max_value": 7.0}]
    assert runtime.user_state(quiz)["passed"] is passed
    html = runtime.render_html(quiz)
    assert ("Passed" if passed else "Not passed") in html
    assert f"Score: {right} / 7" in html


def test_question_weights_are_the_points(runtime):
    heavy = grading.TrueFalse(text="ガバメントクラウドは共通基盤である。", correct_answer=True, weight=3)
    usage_id = runtime.add(quiz_xml([EXAMPLES["single_choice"], heavy]))

    submit(runtime, usage_id, ["n47", True])

    assert runtime.named("grade") == [{"value": 3.0, "max_value": 4.0}]
    assert runtime.block(usage_id).max_score() == 4.0


def test_unanswered_questions_earn_nothing(runtime, quiz):
    answers = [RIGHT[0]] + [None] * (len(QUESTIONS) - 1)

    reply = submit(runtime, quiz, answers)

    assert reply.status_code == 200
    assert runtime.named("grade") == [{"value": 1.0, "max_value": 7.0}]
    assert "Not answered" in reply.json["html"]


def test_the_submission_event_lists_each_questions_fraction(runtime, quiz):
    submit(runtime, quiz, responses(6), submission_id="x")

    (details,) = runtime.named(SUBMISSION_EVENT)
    assert details["fractions"] == [1.0] * 6 + [0.0]
    assert (details["points"], details["max_points"], details["passed"]) == (6.0, 7.0, True)
    assert details["percent"] == pytest.approx(600 / 7)


def test_a_double_submit_counts_once(runtime, quiz):
    submit(runtime, quiz, RIGHT, submission_id="same")
    again = submit(runtime, quiz, RIGHT, submission_id="same")
    third = submit(runtime, quiz, RIGHT)

    assert again.json["repeated"] is True and third.json["repeated"] is True
    assert runtime.user_state(quiz)["attempts"] == 1
    assert len(runtime.named("grade")) == 1


def test_max_attempts_holds_for_the_quiz(runtime, quiz):
    for right in (1, 2, 3):
        assert submit(runtime, quiz, responses(right)).status_code == 200

    refused = submit(runtime, quiz, responses(4))

    assert refused.status_code == 403
    assert runtime.user_state(quiz)["attempts"] == 3
    assert len(runtime.named("grade")) == 3


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (RIGHT[:3], "Expected 7 responses, one per question, got 3."),
        ("all of them", 'The request must have "responses"'),
        ([*RIGHT[:2], "not an order", *RIGHT[3:]], "Question 3: your answer could not be read"),
    ],
)
def test_a_malformed_quiz_payload_is_refused_and_nothing_is_saved(runtime, quiz, answers, message):
    reply = submit(runtime, quiz, answers)

    assert reply.status_code == 400
    assert message in reply.json["error"]
    assert runtime.events == []
    assert runtime.user_state(quiz).get("attempts", 0) == 0


def test_a_quiz_with_a_broken_question_is_not_available(runtime):
    broken = EXAMPLES["single_choice"].to_dict()
    broken["choices"] = broken["choices"][:1]
    usage_id = runtime.add(quiz_xml([EXAMPLES["numeric"], broken]))

    assert "This question is not available yet." in runtime.render_html(usage_id)
    assert submit(runtime, usage_id, [1440, "n20"]).status_code == 409


def test_rescoring_uses_the_stored_responses(runtime, quiz):
    submit(runtime, quiz, responses(7))
    block = runtime.block(quiz)

    block.rescore(only_if_higher=True)

    assert runtime.named("grade")[-1] == {"value": 7.0, "max_value": 7.0, "only_if_higher": True}

"""dx_question: rendering without the key, grading through the handler, attempts, repeats, bad input."""

import json
import re

import pytest
from dx_assessment import grading
from dx_assessment.blocks import SUBMISSION_EVENT
from dx_assessment.examples import EXAMPLES

from tests.xblocks.helpers import ALL_TYPES, KEY_WORDS, WRONG, key_texts, question_xml


def submit(runtime, usage_id, response, **extra):
    return runtime.post(usage_id, "submit", {"response": response, **extra})


@pytest.mark.parametrize("kind", ALL_TYPES)
def test_student_view_shows_the_question_but_no_key(runtime, kind):
    question = EXAMPLES[kind]
    usage_id = runtime.add(question_xml(question, display_name="問"))

    html = runtime.render_html(usage_id)

    assert "<fieldset" in html and "<legend" in html
    assert "xblock_json_init_args" in html  # the JSON handed to the JavaScript is checked too
    assert 'role="alert"' in html and 'aria-live="polite"' in html
    for secret in key_texts(question):
        assert secret not in html, secret
    for word in KEY_WORDS:
        assert word not in html, word
    for snippet in question.text.split("。")[:1]:
        assert snippet in html


@pytest.mark.parametrize("kind", ALL_TYPES)
def test_every_control_has_a_label(runtime, kind):
    usage_id = runtime.add(question_xml(EXAMPLES[kind]))
    html = runtime.render_html(usage_id)

    controls = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html)
    assert controls
    for control_id in controls:
        assert f'<label for="{control_id}">' in html


@pytest.mark.parametrize("kind", ALL_TYPES)
def test_a_right_answer_earns_the_weight_and_publishes_grade_and_completion(runtime, kind):
    question = EXAMPLES[kind]
    usage_id = runtime.add(question_xml(question, weight=2))

    reply = submit(runtime, usage_id, grading.correct_response(question), submission_id="s-1")

    assert reply.status_code == 200
    result = reply.json
    assert result["fraction"] == 1.0 and result["correct"] is True
    assert (result["score"], result["max_score"]) == (2.0, 2.0)
    assert runtime.named("grade") == [{"value": 2.0, "max_value": 2.0}]
    assert runtime.named("completion") == [{"completion": 1.0}]
    assert [event.name for event in runtime.events] == ["grade", "completion", SUBMISSION_EVENT]
    state = runtime.user_state(usage_id)
    assert state["fraction"] == 1.0 and state["attempts"] == 1
    assert state["response"] == json.loads(json.dumps(grading.correct_response(question)))
    assert state["submission_ids"] == ["s-1"]
    assert isinstance(state["seed"], int)


@pytest.mark.parametrize("kind", ALL_TYPES)
def test_a_wrong_answer_earns_nothing_and_the_result_shows_feedback_and_explanation(runtime, kind):
    question = EXAMPLES[kind]
    usage_id = runtime.add(question_xml(question))

    reply = submit(runtime, usage_id, WRONG[kind])

    assert reply.status_code == 200
    assert reply.json["fraction"] == 0.0 and reply.json["correct"] is False
    assert runtime.named("grade") == [{"value": 0.0, "max_value": 1.0}]
    html = runtime.render_html(usage_id)
    assert "Incorrect" in html and "Score: 0 / 1" in html
    assert question.explanation.split("。")[0] in html
    assert reply.json["html"] in html


def test_partial_credit_is_reported_as_partially_correct(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["multiple_response"]))

    reply = submit(runtime, usage_id, ["card"])

    assert reply.json["fraction"] == 0.5
    assert runtime.named("grade") == [{"value": 0.5, "max_value": 1.0}]
    assert "Partially correct" in reply.json["html"]


def test_the_submission_event_carries_the_details_for_the_host(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["matching"]))

    submit(runtime, usage_id, {"lgwan": "network", "rpa": "kiosk"}, submission_id="abc")

    (details,) = runtime.named(SUBMISSION_EVENT)
    assert details["attempt"] == 1 and details["submission_id"] == "abc"
    assert details["response"] == {"lgwan": "network", "rpa": "kiosk"}
    assert details["fraction"] == pytest.approx(1 / 3)
    assert details["per_part"] == {"lgwan": 1.0, "rpa": 0.0, "opendata": 0.0}


def test_the_same_submission_twice_counts_once(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["single_choice"]))

    first = submit(runtime, usage_id, "n17", submission_id="click-1")
    second = submit(runtime, usage_id, "n17", submission_id="click-1")

    assert first.json["repeated"] is False and second.json["repeated"] is True
    assert second.json["attempts"] == 1
    assert len(runtime.named("grade")) == 1
    assert runtime.user_state(usage_id)["attempts"] == 1


def test_resending_the_last_response_without_an_id_counts_once(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["numeric"]))

    submit(runtime, usage_id, "1,440")
    again = submit(runtime, usage_id, "1,440")

    assert again.json["repeated"] is True
    assert runtime.user_state(usage_id)["attempts"] == 1
    assert len(runtime.named("grade")) == 1


def test_a_changed_answer_is_a_new_attempt_and_the_latest_grade_counts(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["single_choice"]))

    submit(runtime, usage_id, "n17", submission_id="1")
    submit(runtime, usage_id, "n20", submission_id="2")

    assert runtime.user_state(usage_id)["attempts"] == 2
    assert runtime.named("grade") == [{"value": 0.0, "max_value": 1.0}, {"value": 1.0, "max_value": 1.0}]


def test_max_attempts_refuses_further_submissions_and_keeps_the_state(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["single_choice"], max_attempts=2))
    submit(runtime, usage_id, "n17")
    submit(runtime, usage_id, "n30")
    state = runtime.user_state(usage_id)

    refused = submit(runtime, usage_id, "n20")

    assert refused.status_code == 403
    assert refused.json["error"] == "You have used all your attempts."
    assert runtime.user_state(usage_id) == state
    assert len(runtime.named("grade")) == 2
    html = runtime.render_html(usage_id)
    assert 'class="dx-submit"' not in html
    assert html.count(" disabled>") == 4
    assert "Attempts: 2 of 2" in html


def test_a_repeat_after_the_last_attempt_gets_the_stored_result_not_an_error(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["single_choice"], max_attempts=1))
    submit(runtime, usage_id, "n20", submission_id="only")

    again = submit(runtime, usage_id, "n20", submission_id="only")

    assert again.status_code == 200 and again.json["repeated"] is True and again.json["fraction"] == 1.0


def test_each_learner_has_their_own_state_and_attempts(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["single_choice"], max_attempts=1))
    submit(runtime, usage_id, "n17")

    other = runtime.post(usage_id, "submit", {"response": "n20"}, user_id="learner-2")

    assert other.status_code == 200 and other.json["fraction"] == 1.0
    assert runtime.user_state(usage_id)["fraction"] == 0.0
    assert runtime.user_state(usage_id, "learner-2")["fraction"] == 1.0


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (["n20"], "The request must be a JSON object."),
        ({"answer": "n20"}, 'The request has no "response".'),
        ({"response": "n99"}, "Your answer could not be read: unknown choice id 'n99'"),
        ({"response": ["n20"]}, "Your answer could not be read: the choice id must be a string, got list"),
        ({"response": "n20", "submission_id": 7}, "submission_id must be a non-empty text"),
        ({"response": "x" * 1001}, "longer than 1000 characters"),
    ],
)
def test_a_malformed_payload_is_refused_with_a_message_and_nothing_is_saved(runtime, payload, message):
    usage_id = runtime.add(question_xml(EXAMPLES["single_choice"]))

    reply = runtime.post(usage_id, "submit", payload)

    assert reply.status_code == 400
    assert message in reply.json["error"]
    assert runtime.events == []
    state = runtime.user_state(usage_id)
    assert state.get("attempts", 0) == 0 and state.get("fraction") is None and state.get("response") is None


def test_a_body_that_is_not_json_is_refused(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["single_choice"]))

    reply = runtime.post(usage_id, "submit", body=b"response=n20")

    assert reply.status_code == 400 and runtime.events == []


def test_submit_only_accepts_post(runtime):
    from webob import Request

    usage_id = runtime.add(question_xml(EXAMPLES["single_choice"]))
    reply = runtime.handle(runtime.block(usage_id), "submit", Request.blank("/"))

    assert reply.status_code == 405


def test_a_block_without_a_question_says_so_and_refuses_submissions(runtime):
    usage_id = runtime.add('<dx_question display_name="空"/>')

    assert "This question is not available yet." in runtime.render_html(usage_id)
    reply = submit(runtime, usage_id, "a")
    assert reply.status_code == 409 and runtime.events == []


def test_shuffling_depends_on_the_learner_and_stays_put_for_each(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["ordering"]))

    def order(user_id):
        html = runtime.render_html(usage_id, user_id=user_id)
        return re.findall(r'data-dx-item="([^"]+)"', html)

    orders = {tuple(order(f"learner-{n}")) for n in range(12)}
    assert len(orders) > 1
    assert order("learner-3") == order("learner-3")


def test_without_shuffle_choices_keep_the_authors_order(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["single_choice"], shuffle="false"))

    html = runtime.render_html(usage_id)

    assert re.findall(r'value="(n\d+)"', html) == ["n17", "n20", "n30", "n47"]


def test_the_saved_response_is_shown_after_submitting(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["ordering"], shuffle="false"))

    submit(runtime, usage_id, ["analyse", "visualise", "pilot", "rollout"])

    html = runtime.render_html(usage_id)
    assert re.search(
        r'data-dx-item="analyse"><option value="">[^<]*</option><option value="1" selected>', html
    )


def test_rescoring_after_the_key_changes_publishes_the_new_grade(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["single_choice"]))
    submit(runtime, usage_id, "n17")
    block = runtime.block(usage_id)
    definition = dict(block.definition)
    definition["choices"] = [
        dict(c, fraction=1.0 if c["id"] == "n17" else 0.0) for c in definition["choices"]
    ]
    block.definition = definition

    block.rescore(only_if_higher=False)

    assert runtime.named("grade")[-1] == {"value": 1.0, "max_value": 1.0, "only_if_higher": False}


def test_max_score_is_the_weight(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["numeric"], weight=3))
    assert runtime.block(usage_id).max_score() == 3.0


def test_the_olx_round_trips(runtime):
    import io

    usage_id = runtime.add(question_xml(EXAMPLES["matching"], display_name="用語", weight=2, max_attempts=3))
    exported = io.BytesIO()
    runtime.export_to_xml(runtime.block(usage_id), exported)

    again = runtime.block(runtime.add(exported.getvalue()))

    assert again.definition == EXAMPLES["matching"].to_dict()
    assert (again.display_name, again.weight, again.max_attempts) == ("用語", 2.0, 3)

"""Authoring: studio_view and studio_submit validate everything and save nothing on error."""

import json

from dx_assessment.examples import EXAMPLES

from tests.xblocks.helpers import question_xml, quiz_xml


def test_studio_view_is_a_labelled_form_with_the_definition_and_examples(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["numeric"], display_name="件数", weight=2))
    fragment = runtime.block(usage_id).studio_view()
    html = fragment.body_html()

    for name in ("display_name", "weight", "max_attempts", "shuffle", "definition"):
        assert f'name="{name}"' in html
    assert html.count("<label for=") >= 5
    assert "&quot;answers&quot;" in html  # the definition, as JSON in the text area
    assert set(fragment.json_init_args["templates"]) == set(EXAMPLES)
    assert fragment.js_init_fn == "DxAssessmentStudio"


def test_studio_submit_saves_valid_settings(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["numeric"]))
    definition = EXAMPLES["true_false"].to_dict()

    reply = runtime.post(
        usage_id,
        "studio_submit",
        {
            "display_name": " 正誤問題 ",
            "weight": "2.5",
            "max_attempts": "3",
            "shuffle": False,
            "definition": json.dumps(definition, ensure_ascii=False),
        },
    )

    assert reply.status_code == 200
    assert reply.json == {"saved": ["definition", "display_name", "max_attempts", "shuffle", "weight"]}
    block = runtime.block(usage_id)
    assert (block.display_name, block.weight, block.max_attempts, block.shuffle) == (
        "正誤問題",
        2.5,
        3,
        False,
    )
    assert block.definition == definition


def test_an_empty_max_attempts_means_unlimited(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["numeric"], max_attempts=2))

    runtime.post(usage_id, "studio_submit", {"max_attempts": None})

    assert runtime.block(usage_id).max_attempts is None


def test_every_problem_is_reported_and_nothing_is_saved(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["numeric"], display_name="件数"))

    reply = runtime.post(
        usage_id,
        "studio_submit",
        {
            "display_name": "  ",
            "weight": -1,
            "max_attempts": 0,
            "shuffle": "yes",
            "definition": '{"type": "numeric",',
            "colour": "red",
        },
    )

    assert reply.status_code == 400
    assert reply.json["error"] == "Nothing was saved. Correct these problems:"
    fields = [problem["field"] for problem in reply.json["problems"]]
    assert fields == ["display_name", "weight", "max_attempts", "shuffle", "definition", "colour"]
    assert "Not valid JSON" in reply.json["problems"][4]["message"]
    block = runtime.block(usage_id)
    assert (block.display_name, block.weight, block.max_attempts) == ("件数", 1.0, None)
    assert block.definition == EXAMPLES["numeric"].to_dict()


def test_a_definition_breaking_a_grading_rule_is_refused_with_the_reason(runtime):
    usage_id = runtime.add(question_xml(EXAMPLES["single_choice"]))
    no_key = EXAMPLES["single_choice"].to_dict()
    no_key["choices"] = [dict(choice, fraction=0.0) for choice in no_key["choices"]]

    reply = runtime.post(usage_id, "studio_submit", {"definition": no_key})

    assert reply.status_code == 400
    (problem,) = reply.json["problems"]
    assert problem["field"] == "definition"
    assert "needs at least one choice with fraction 1.0" in problem["message"]
    assert runtime.block(usage_id).definition == EXAMPLES["single_choice"].to_dict()


def test_the_quiz_editor_names_every_broken_question(runtime):
    usage_id = runtime.add(quiz_xml([EXAMPLES["numeric"]]))
    broken = {"type": "ordering", "text": "並べ替え", "items": []}
    questions = [EXAMPLES["numeric"].to_dict(), broken, {"type": "essay", "text": "?"}]

    reply = runtime.post(usage_id, "studio_submit", {"questions": questions, "passing_percent": 120})

    assert reply.status_code == 400
    messages = {problem["field"]: problem["message"] for problem in reply.json["problems"]}
    assert "#2:" in messages["questions"] and "#3:" in messages["questions"]
    assert "#1:" not in messages["questions"]
    assert "from 0 to 100" in messages["passing_percent"]
    assert len(runtime.block(usage_id).questions) == 1


def test_the_quiz_editor_saves_a_list_of_questions(runtime):
    usage_id = runtime.add(quiz_xml([EXAMPLES["numeric"]]))
    questions = [EXAMPLES[kind].to_dict() for kind in ("short_text", "ordering")]

    reply = runtime.post(
        usage_id, "studio_submit", {"questions": json.dumps(questions), "passing_percent": "80"}
    )

    assert reply.status_code == 200
    block = runtime.block(usage_id)
    assert block.questions == questions and block.passing_percent == 80.0
    assert "dx-studio" in runtime.render(block, "studio_view").body_html()

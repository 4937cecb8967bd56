"""OLX builders and the answer-key texts that must never reach a learner before submitting."""

import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from dx_assessment import grading
from dx_assessment.examples import EXAMPLES, OPTION_NS


def _attrs(attributes: dict[str, Any]) -> str:
    return "".join(f" {name}={quoteattr(str(value))}" for name, value in attributes.items())


def question_xml(definition: dict | grading.Question, **attributes: Any) -> str:
    if isinstance(definition, grading.Question):
        definition = definition.to_dict()
    text = escape(json.dumps(definition, ensure_ascii=False))
    return (
        f'<dx_question xmlns:option="{OPTION_NS}"{_attrs(attributes)}>'
        f"<option:definition>{text}</option:definition></dx_question>"
    )


def quiz_xml(questions: list, **attributes: Any) -> str:
    dicts = [q.to_dict() if isinstance(q, grading.Question) else q for q in questions]
    text = escape(json.dumps(dicts, ensure_ascii=False))
    return (
        f'<dx_quiz xmlns:option="{OPTION_NS}"{_attrs(attributes)}>'
        f"<option:questions>{text}</option:questions></dx_quiz>"
    )


def key_texts(question: grading.Question) -> set[str]:
    """Texts that give the key away: feedback, explanation, accepted answers, numeric answers."""
    texts = {question.explanation}
    for name in ("feedback_true", "feedback_false", "other_feedback"):
        texts.add(getattr(question, name, ""))
    for part in (*getattr(question, "choices", ()), *getattr(question, "answers", ())):
        texts.add(part.feedback)
    if isinstance(question, grading.ShortText):
        texts |= {answer.text for answer in question.answers}
    if isinstance(question, grading.Numeric):
        texts |= {f"{answer.value:g}" for answer in question.answers}
        texts |= {f"{answer.value:,.0f}" for answer in question.answers}
    return {text for text in texts if text}


# Words of the definition format that have no business in a learner's page before submitting.
KEY_WORDS = ("fraction", "explanation", "correct_answer", "feedback_true", "other_feedback", "tolerance")

WRONG = {
    "single_choice": "n47",
    "multiple_response": ["samples", "hours"],
    "true_false": False,
    "numeric": "2400",
    "short_text": "デジタルファースト",
    "ordering": ["rollout", "pilot", "analyse", "visualise"],
    "matching": {"lgwan": "robot", "rpa": "network", "opendata": "kiosk"},
}

ALL_TYPES = list(EXAMPLES)

"""Reads for the quiz pages. Nothing here puts an answer key in front of a learner before it may."""

import dataclasses
from typing import Any

from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from dx_assessment import grading
from wagtail.rich_text import expand_db_html

from assessments import attempts
from assessments.models import Attempt, AttemptStatus, FeedbackTiming, Quiz


def question_html(text: str, text_format: str) -> SafeString:
    if text_format == "html":
        return mark_safe(expand_db_html(text))  # noqa: S308 - editor/import HTML, whitelisted on the way in
    return mark_safe(linebreaks(escape(text)))  # noqa: S308 - escaped just now


def quiz_overview(*, quiz: Quiz, user) -> dict:
    history = list(Attempt.objects.filter(user=user, quiz=quiz).order_by("number"))
    open_attempt = next((a for a in history if a.status == AttemptStatus.IN_PROGRESS), None)
    finished = [a for a in history if a.status != AttemptStatus.IN_PROGRESS]
    return {
        "quiz": quiz,
        "history": finished,
        "open_attempt": open_attempt,
        "attempts_left": attempts.attempts_left(user=user, quiz=quiz),
        "best": max((a.percent for a in finished if a.percent is not None), default=None),
        "passed": any(a.passed for a in finished),
    }


def attempt_questions(*, attempt: Attempt) -> dict:
    """The attempt's questions as the learner may see them now, with their saved answers."""
    questions = []
    for item in attempt.items.select_related("version").order_by("position"):
        definition = grading.Question.from_dict(item.version.definition)
        if not attempt.quiz.shuffle_options and hasattr(definition, "shuffle_choices"):
            definition = dataclasses.replace(definition, shuffle_choices=False)
        view = grading.public_view(definition, shuffle_seed=attempt.seed + item.position)
        questions.append(
            {
                "position": item.position,
                "view": view,
                "html": question_html(view["text"], view["text_format"]),
                "saved": _saved(view, item.response),
                "answered": item.response is not None,
            }
        )
    return {"attempt": attempt, "quiz": attempt.quiz, "questions": questions}


def _saved(view: dict, response: Any) -> dict:
    """The saved response in the shape the template needs to pre-fill the form."""
    if response is None:
        return {}
    if view["type"] == "ordering":
        return {item_id: rank for rank, item_id in enumerate(response, start=1)}
    if view["type"] == "matching":
        return dict(response)
    if view["type"] == "multiple_response":
        return dict.fromkeys(response, True)
    if view["type"] == "true_false":
        return {"value": "true" if response else "false"}
    return {"value": str(response)}


def feedback_visible(attempt: Attempt) -> bool:
    return attempt.quiz.feedback_timing == FeedbackTiming.IMMEDIATE or attempt.quiz.is_closed()


def _describe(question: grading.Question, response: Any) -> str:
    """A learner's (or the correct) response in words, for the result page."""
    if response is None:
        return "—"
    if isinstance(question, grading.Matching):
        rights = {r.id: r.text for r in question.rights()}
        lefts = {p.left.id: p.left.text for p in question.pairs}
        return " / ".join(f"{lefts.get(k, k)} → {rights.get(v, '—')}" for k, v in response.items())
    if isinstance(question, grading.Ordering):
        texts = {i.id: i.text for i in question.items}
        return " → ".join(texts.get(v, v) for v in response)
    if isinstance(question, grading.SingleChoice | grading.MultipleResponse):
        texts = {c.id: c.text for c in question.choices}
        if isinstance(response, list):
            return "、".join(texts.get(v, v) for v in response)
        return texts.get(response, str(response))
    if isinstance(question, grading.TrueFalse):
        return "○" if response else "×"
    return str(response)


def attempt_result(*, attempt: Attempt) -> dict:
    show = feedback_visible(attempt)
    rows = []
    for item in attempt.items.select_related("version").order_by("position"):
        question = grading.Question.from_dict(item.version.definition)
        row = {
            "position": item.position,
            "html": question_html(question.text, question.text_format),
            "fraction": item.fraction,
            "correct": item.fraction is not None and item.fraction >= 1,
            "your_answer": _describe(question, item.response),
        }
        if show:
            result = grading.score(question, item.response) if item.response is not None else None
            row.update(
                explanation=question.explanation,
                feedback=result.feedback if result else [],
                correct_answer=_describe(question, grading.correct_response(question)),
            )
        rows.append(row)
    return {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "rows": rows,
        "show_feedback": show,
        "expired": attempt.status == AttemptStatus.EXPIRED,
    }

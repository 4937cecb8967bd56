"""Reads for the quiz pages. Nothing here puts an answer key in front of a learner before it may."""

import dataclasses
from decimal import Decimal
from typing import Any

from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from dx_assessment import grading
from wagtail.rich_text import expand_db_html

from assessments import attempts
from assessments.models import Attempt, AttemptStatus, Quiz
from assessments.quiz_rules import quiz_rules


def question_html(text: str, text_format: str) -> SafeString:
    if text_format == "html":
        return mark_safe(expand_db_html(text))  # noqa: S308 - editor/import HTML, whitelisted on the way in
    return mark_safe(linebreaks(escape(text)))  # noqa: S308 - escaped just now


def quiz_overview(*, quiz: Quiz, user) -> dict:
    history = list(Attempt.objects.filter(user=user, quiz=quiz).order_by("number"))
    open_attempt = next((a for a in history if a.status == AttemptStatus.IN_PROGRESS), None)
    finished = [a for a in history if a.status != AttemptStatus.IN_PROGRESS]
    rules = quiz_rules(quiz=quiz, user=user)
    return {
        "quiz": quiz,
        "rules": rules,
        "history": finished,
        "open_attempt": open_attempt,
        "attempts_left": rules.attempts_left,
        "best": max((a.percent for a in finished if a.percent is not None), default=None),
        "passed": any(a.passed for a in finished),
    }


def attempt_questions(*, attempt: Attempt, items: list | None = None, html: bool = True) -> dict:
    """The attempt's questions as the learner may see them now, with their saved answers. ``items``: as
    ``attempts.attempt_items`` read them in this request (else read here); ``html=False`` leaves out the
    questions' text as HTML, which a posted form does not need."""
    questions = []
    for item in attempts.attempt_items(attempt=attempt) if items is None else items:
        definition = item.question
        if not attempt.quiz.shuffle_options and hasattr(definition, "shuffle_choices"):
            definition = dataclasses.replace(definition, shuffle_choices=False)
        view = grading.public_view(definition, shuffle_seed=attempt.seed + item.position)
        questions.append(
            {
                "position": item.position,
                "view": view,
                "html": question_html(view["text"], view["text_format"]) if html else None,
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
    return quiz_rules(quiz=attempt.quiz, user=attempt.user).feedback_visible


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
    """The result page. The leader exam shows its score per competency only: never a question, an
    answer, a key or an explanation (ADR 0010). Other quizzes show each question, and their feedback,
    explanation and key when the quiz's rules allow; never the key of an exam-only question."""
    rules = quiz_rules(quiz=attempt.quiz, user=attempt.user)
    items = attempt.items.select_related("version__question", "version__competency").order_by("position")
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "rows": [],
        "competencies": [],
        "show_feedback": rules.feedback_visible,
        "exam": attempt.quiz.is_leader_exam,
        "expired": attempt.status == AttemptStatus.EXPIRED,
    }
    if attempt.quiz.is_leader_exam:
        context["competencies"] = _per_competency(items)
        return context
    for item in items:
        question = grading.Question.from_dict(item.version.definition)
        row = {
            "position": item.position,
            "html": question_html(question.text, question.text_format),
            "fraction": item.fraction,
            "correct": item.fraction is not None and item.fraction >= 1,
            "your_answer": _describe(question, item.response),
        }
        if rules.key_visible(item.version.question.exam_only):  # explanations often spell out the key
            result = grading.score(question, item.response) if item.response is not None else None
            row.update(
                explanation=question.explanation,
                feedback=result.feedback if result else [],
                correct_answer=_describe(question, grading.correct_response(question)),
            )
        context["rows"].append(row)
    return context


def _per_competency(items) -> list[dict]:
    """Points per competency of an exam attempt, and whether it counts as shown (as evidence does)."""
    totals: dict[int, dict] = {}
    for item in items:
        competency = item.version.competency
        row = totals.setdefault(
            competency.pk,
            {"competency": competency, "points": Decimal(0), "max_points": Decimal(0), "shown": False},
        )
        fraction = item.fraction or Decimal(0)
        row["points"] += fraction * item.weight
        row["max_points"] += item.weight
        row["shown"] = row["shown"] or fraction >= attempts.QUIZ_CREDIT_FRACTION
    rows = sorted(totals.values(), key=lambda row: row["competency"].code)
    for row in rows:
        row["percent"] = round(100 * row["points"] / row["max_points"]) if row["max_points"] else 0
    return rows

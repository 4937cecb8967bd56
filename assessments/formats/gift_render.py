"""Writing questions as GIFT.

``render_gift(questions)`` takes questions or ``ImportedQuestion`` s (whose category is written as
``$CATEGORY:`` lines when it changes) and returns GIFT text that ``parse_gift`` reads back to equal
questions, except for what GIFT cannot carry: weight, ``shuffle_choices``, ``case_sensitive`` and
``kana_insensitive`` come back as their defaults, texts come back trimmed, and carriage returns as
line breaks. Ids are not written: they come back derived from the texts (``common.derive_ids``).

It raises ``RenderError`` (decision: fail loudly rather than skip silently) for a question GIFT cannot
express: an ordering question, a single-choice question whose every choice earns 100 %, a ``->`` in
the left side of a matching pair or in an accepted short-text answer, and Unicode noncharacters.
"""

from __future__ import annotations

from collections.abc import Iterable

from dx_assessment.grading import (
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Question,
    ShortText,
    SingleChoice,
    TrueFalse,
)

from .common import (
    ImportedQuestion,
    RenderError,
    format_number,
    format_percent,
    render_category,
    with_categories,
)
from .gift_syntax import NONCHARACTERS, escape, starts_with_marker


def _answer(text: str) -> str:
    """An answer or feedback text, protected against being read as a format marker."""
    return ("[plain]" if starts_with_marker(text) else "") + escape(text)


def _weight(fraction: float, text: str, *, implicit: float | None) -> str:
    if fraction == implicit and not text.lstrip().startswith("%"):
        return ""
    return f"%{format_percent(fraction)}%"


def _feedback(text: str) -> str:
    return f"#{_answer(text)}" if text else ""


def _general(question: Question) -> str:
    return f"\t####{_answer(question.explanation)}\n" if question.explanation else ""


def _choices(question: SingleChoice | MultipleResponse) -> str:
    single = isinstance(question, SingleChoice)
    if single and all(choice.fraction == 1.0 for choice in question.choices):
        raise RenderError("GIFT cannot express a single-choice question whose every choice earns 100%")
    lines = []
    for choice in question.choices:
        if single and choice.fraction == 1.0:
            prefix = "="
        else:
            prefix = "~" + _weight(choice.fraction, choice.text, implicit=0.0)
        lines.append(f"\t{prefix}{_answer(choice.text)}{_feedback(choice.feedback)}\n")
    return "\n" + "".join(lines) + _general(question)


def _true_false(question: TrueFalse) -> str:
    right, wrong = (question.feedback_true, question.feedback_false)
    if not question.correct_answer:
        right, wrong = wrong, right
    body = "TRUE" if question.correct_answer else "FALSE"
    if wrong or right:
        body += "#" + _answer(wrong)
    if right:
        body += "#" + _answer(right)
    if question.explanation:
        body += "####" + _answer(question.explanation)
    return body


def _numeric(question: Numeric) -> str:
    (first, *others) = question.answers
    extras = first.feedback or question.other_feedback or question.explanation
    if not others and first.fraction == 1.0 and not extras:
        tolerance = f":{format_number(first.tolerance)}" if first.tolerance else ""
        return f"#{format_number(first.value)}{tolerance}"
    lines = []
    for answer in question.answers:
        spec = format_number(answer.value)
        if answer.tolerance:
            spec += ":" + format_number(answer.tolerance)
        lines.append(f"\t={_weight(answer.fraction, spec, implicit=1.0)}{spec}{_feedback(answer.feedback)}\n")
    if question.other_feedback:
        lines.append(f"\t~#{_answer(question.other_feedback)}\n")
    return "#\n" + "".join(lines) + _general(question)


def _short_text(question: ShortText) -> str:
    lines = []
    for answer in question.answers:
        if "->" in answer.text:
            raise RenderError(f"GIFT cannot express '->' in the accepted answer {answer.text!r}")
        weight = _weight(answer.fraction, answer.text, implicit=1.0)
        lines.append(f"\t={weight}{_answer(answer.text)}{_feedback(answer.feedback)}\n")
    return "\n" + "".join(lines) + _general(question)


def _matching(question: Matching) -> str:
    lines = []
    for pair in question.pairs:
        if "->" in pair.left.text:
            raise RenderError(f"GIFT cannot express '->' in the matching item {pair.left.text!r}")
        lines.append(f"\t={_answer(pair.left.text)} -> {escape(pair.right.text)}\n")
    lines.extend(f"\t= -> {escape(item.text)}\n" for item in question.distractors)
    return "\n" + "".join(lines) + _general(question)


def _question(question: Question) -> str:
    match question:
        case SingleChoice() | MultipleResponse():
            body = _choices(question)
        case TrueFalse():
            body = _true_false(question)
        case Numeric():
            body = _numeric(question)
        case ShortText():
            body = _short_text(question)
        case Matching():
            body = _matching(question)
        case Ordering():
            raise RenderError("GIFT cannot express ordering questions; export them as Moodle XML")
        case _:
            raise TypeError(f"not a question: {type(question).__name__}")
    text = question.text
    plain = question.text_format == "plain" and not text.startswith(("[", "/"))
    marker = "" if plain else f"[{question.text_format}]"
    name = f"::{escape(question.name)}::" if question.name else ""
    return f"{name}{marker}{escape(text)}{{{body}}}\n"


def render_gift(questions: Iterable[Question | ImportedQuestion]) -> str:
    """Write ``questions`` as GIFT (see the module docstring); raise ``RenderError`` if one cannot be."""
    parts = []
    for category, question in with_categories(questions):
        if category is not None:
            parts.append(f"$CATEGORY: {escape(render_category(category))}\n")
        label = f"question {question.name!r}" if question.name else f"{question.TYPE} question"
        try:
            if NONCHARACTERS.search(repr(question)):
                raise RenderError("the question contains Unicode noncharacters (U+FDD0-U+FDEF)")
            parts.append(_question(question))
        except RenderError as exc:
            raise RenderError(f"{label}: {exc}") from None
    return "\n".join(parts)

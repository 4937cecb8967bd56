"""Readers of the ``<question>`` elements of Moodle XML, one per supported type.

Each reader gets the element and a ``Context`` that reports errors as
``question[5] (multichoice "A1-L1-03"): answer[2]: ...`` with the element's line, and returns the
type-specific fields (or None after reporting). Fractions are percentages ("100", "-33.33333").

- ``multichoice``: ``<single>`` true/false (default true), ``<shuffleanswers>``, ``<answer fraction>``
  with ``<text>`` and ``<feedback>``; single needs an answer with fraction 100, multiple needs positive
  fractions adding up to 100 (within 0.5); at least 2 answers.
- ``truefalse``: one answer "true" and one "false", exactly one of them with a positive fraction.
- ``shortanswer``: ``<usecase>`` (case-sensitive), fractions 0..100, one of them 100; the extension
  element ``<kanainsensitive>`` (ignored by Moodle) carries ``kana_insensitive``.
- ``numerical``: ``<answer>`` values with ``<tolerance>``; a ``*`` answer with fraction 0 gives the
  feedback for any other number; units are dropped with a warning.
- ``matching``: ``<subquestion>`` with ``<text>`` and ``<answer><text>``; an empty subquestion text is a
  distractor; at least 2 pairs.
- ``ordering`` (qtype_ordering): the ``<answer>`` elements in document order are the correct order, as
  the plugin's own importer reads them (their ``fraction`` is a sort index and is ignored).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from dx_assessment.grading import (
    Choice,
    Item,
    Matching,
    MatchPair,
    MultipleResponse,
    Numeric,
    NumericAnswer,
    Ordering,
    Question,
    ShortText,
    SingleChoice,
    TextAnswer,
    TrueFalse,
)

from .common import FormatError, derive_ids, format_percent, parse_percent


@dataclass
class Context:
    """Where a question is, for error messages: ``question[5] (multichoice "name")`` and its line."""

    where: str
    line: int
    lines: dict[int, int]
    errors: list[FormatError]
    warnings: list[FormatError]

    def _at(self, element: Element | None) -> int:
        return self.lines.get(id(element), self.line) if element is not None else self.line

    def error(self, message: str, element: Element | None = None) -> None:
        """Record an error about this question."""
        self.errors.append(FormatError(self._at(element), f"{self.where}: {message}"))

    def warn(self, message: str, element: Element | None = None) -> None:
        """Record dropped information about this question."""
        self.warnings.append(FormatError(self._at(element), f"{self.where}: {message}"))


def text_of(element: Element | None, child: str = "text") -> str:
    """The trimmed text of ``element/child`` ("" if absent)."""
    node = element.find(child) if element is not None else None
    return "".join(node.itertext()).strip() if node is not None else ""


def flag(element: Element, tag: str, default: bool, context: Context) -> bool:
    """A true/false/1/0 child element."""
    raw = (element.findtext(tag) or "").strip().lower()
    if not raw:
        return default
    if raw not in ("true", "1", "false", "0"):
        context.error(f"<{tag}> must be true, false, 1 or 0, got {raw!r}", element.find(tag))
        return default
    return raw in ("true", "1")


def number(raw: str | None, what: str, context: Context, element: Element | None) -> float:
    """A finite number, or 0.0 after reporting an error."""
    try:
        value = float((raw or "").strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        context.error(f"{what} {raw!r} is not a number", element)
        return 0.0
    return value


def _fraction(raw: str | None, what: str, context: Context, element: Element) -> float:
    """A percentage attribute as a fraction, or 0.0 after reporting an error."""
    try:
        fraction = parse_percent(raw or "")
    except (ArithmeticError, ValueError):
        fraction = math.nan
    if not math.isfinite(fraction):
        context.error(f"{what}: fraction {raw!r} is not a number", element)
        return 0.0
    return fraction


def _answers(element: Element, context: Context, low: float) -> list[tuple[Element, str, float, str]]:
    """(element, text, fraction, feedback) of each ``<answer>``; fractions checked within low..100."""
    result = []
    for index, answer in enumerate(element.findall("answer"), start=1):
        fraction = _fraction(answer.get("fraction"), f"answer[{index}]", context, answer)
        if not low / 100 <= fraction <= 1:
            context.error(f"answer[{index}]: fraction {fraction * 100:g} is outside {low:g}..100", answer)
        text = text_of(answer)
        if not text:
            context.error(f"answer[{index}]: empty text", answer)
        result.append((answer, text, fraction, text_of(answer.find("feedback"))))
    return result


def _multichoice(element: Element, context: Context) -> tuple[type[Question], dict[str, Any]]:
    single = flag(element, "single", True, context)
    answers = _answers(element, context, -100)
    if len(answers) < 2:
        context.error(f"needs at least 2 answers, got {len(answers)}")
    positive = sum(fraction for _, _, fraction, _ in answers if fraction > 0)
    if single and not any(fraction == 1.0 for _, _, fraction, _ in answers):
        context.error("no answer with fraction 100")
    elif not single and abs(positive - 1.0) > 0.005:
        context.error(f"the positive fractions add up to {format_percent(positive)}, not 100")
    ids = derive_ids(text for _, text, _, _ in answers)
    choices = tuple(
        Choice(id=choice_id, text=text or "?", fraction=max(-1.0, min(1.0, fraction)), feedback=feedback)
        for choice_id, (_, text, fraction, feedback) in zip(ids, answers, strict=True)
    )
    fields = {"choices": choices, "shuffle_choices": flag(element, "shuffleanswers", True, context)}
    return (SingleChoice if single else MultipleResponse), fields


def _truefalse(element: Element, context: Context) -> tuple[type[Question], dict[str, Any]]:
    by_value: dict[bool, tuple[float, str]] = {}
    for index, (answer, text, fraction, feedback) in enumerate(_answers(element, context, 0), start=1):
        if text.lower() not in ("true", "false"):
            context.error(f'answer[{index}]: text must be "true" or "false", got {text!r}', answer)
            continue
        by_value[text.lower() == "true"] = (fraction, feedback)
    true, false = by_value.get(True), by_value.get(False)
    if true is None or false is None:
        context.error('needs one answer "true" and one answer "false"')
        return TrueFalse, {}
    if (true[0] > 0) == (false[0] > 0):
        context.error("exactly one of the answers true and false must have a positive fraction")
    fields = {"correct_answer": true[0] > 0, "feedback_true": true[1], "feedback_false": false[1]}
    return TrueFalse, fields


def _shortanswer(element: Element, context: Context) -> tuple[type[Question], dict[str, Any]]:
    answers = _answers(element, context, 0)
    if answers and not any(fraction == 1.0 for _, _, fraction, _ in answers):
        context.error("no answer with fraction 100")
    fields = {
        "answers": tuple(
            TextAnswer(text=text or "?", fraction=max(0.0, min(1.0, fraction)), feedback=feedback)
            for _, text, fraction, feedback in answers
        ),
        "case_sensitive": flag(element, "usecase", False, context),
        "kana_insensitive": flag(element, "kanainsensitive", False, context),
    }
    return ShortText, fields


def _numerical(element: Element, context: Context) -> tuple[type[Question], dict[str, Any]]:
    answers, other = [], ""
    for index, (answer, text, fraction, feedback) in enumerate(_answers(element, context, 0), start=1):
        if text == "*":
            if fraction != 0:
                context.error(f"answer[{index}]: a '*' answer must have fraction 0", answer)
            other = feedback
            continue
        value = number(text, f"answer[{index}]: value", context, answer) if text else 0.0
        tolerance = number(
            answer.findtext("tolerance") or "0", f"answer[{index}]: tolerance", context, answer
        )
        if tolerance < 0:
            context.error(f"answer[{index}]: negative tolerance {tolerance:g}", answer)
        fraction = max(0.0, min(1.0, fraction))
        answers.append(
            NumericAnswer(value=value, tolerance=abs(tolerance), fraction=fraction, feedback=feedback)
        )
    if answers and not any(answer.fraction == 1.0 for answer in answers):
        context.error("no answer with fraction 100")
    if element.find("units/unit") is not None:
        context.warn("units are not supported and were dropped", element.find("units"))
    return Numeric, {"answers": tuple(answers), "other_feedback": other}


def _matching(element: Element, context: Context) -> tuple[type[Question], dict[str, Any]]:
    pairs: list[tuple[str, str]] = []
    distractors: list[str] = []
    for index, sub in enumerate(element.findall("subquestion"), start=1):
        left, right = text_of(sub), text_of(sub.find("answer"))
        if not right:
            context.error(f"subquestion[{index}]: empty answer", sub)
        elif left:
            pairs.append((left, right))
        elif right not in distractors:
            distractors.append(right)
    if len(pairs) < 2:
        context.error(f"needs at least 2 subquestions with text, got {len(pairs)}")
    rights = list(dict.fromkeys(right for _, right in pairs))
    distractors = [text for text in distractors if text not in rights]
    right_ids = dict(zip(rights + distractors, derive_ids(rights + distractors), strict=True))
    left_ids = derive_ids(left for left, _ in pairs)
    fields = {
        "pairs": tuple(
            MatchPair(left=Item(id=left_id, text=left), right=Item(id=right_ids[right], text=right))
            for left_id, (left, right) in zip(left_ids, pairs, strict=True)
        ),
        "distractors": tuple(Item(id=right_ids[text], text=text) for text in distractors),
    }
    return Matching, fields


def _ordering(element: Element, context: Context) -> tuple[type[Question], dict[str, Any]]:
    texts = [text_of(answer) for answer in element.findall("answer")]
    for index, text in enumerate(texts, start=1):
        if not text:
            context.error(f"answer[{index}]: empty text", element.findall("answer")[index - 1])
    if len(texts) < 2:
        context.error(f"needs at least 2 answers, got {len(texts)}")
    select = (element.findtext("selecttype") or "").strip().upper()
    if select not in ("", "ALL", "EXACT", "0"):
        context.warn(
            f"<selecttype>{select}</selecttype> (a subset of the items) is dropped: all items are used"
        )
    ids = derive_ids(texts)
    items = tuple(Item(id=item_id, text=text or "?") for item_id, text in zip(ids, texts, strict=True))
    return Ordering, {"items": items}


READERS: dict[str, Callable[[Element, Context], tuple[type[Question], dict[str, Any]]]] = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "matching": _matching,
    "ordering": _ordering,
}

"""Scoring of one response, and of a whole attempt.

``score(question, response)`` checks the response's shape (``ResponseError``, see ``responses``) and
returns a ``Result`` whose ``fraction`` is in [0, 1]; ``correct`` is ``fraction == 1.0``. Results within
1e-9 of 0 or 1 are snapped to it. The rules:

- single choice and true/false: the fraction of the picked option, clamped to [0, 1].
- multiple response (Moodle's rule): the sum of the fractions of the picked options, clamped to [0, 1].
  Wrong options should carry negative fractions so that picking everything does not pay; if the
  author gave *no* negative fraction at all, each picked option with fraction <= 0 subtracts
  1 / (number of options with a positive fraction) instead. The sum is divided by the sum of the
  positive fractions (1.0 within 0.005, see ``questions``) so that 3 x 33.333 % gives full credit.
- numeric: the best fraction among the answers with |response - value| <= tolerance (plus a relative
  slack of 1e-9 for floating-point noise); no match earns 0 and ``other_feedback``.
- short text: the best fraction among the accepted answers the normalised response matches (see
  ``normalize``); ties go to the first such answer. Unlike Moodle, which takes the first match, the
  order of the accepted answers does not matter. A blank response earns 0.
- ordering, "pairs in the correct order" (Kendall's tau as a share): of the n(n-1)/2 pairs of items,
  the share the learner put in the same relative order as the key. The key earns 1, the reverse 0,
  one swap of neighbours 1 - 2/(n(n-1)). This equals Moodle qtype_ordering's
  RELATIVE_ALL_PREVIOUS_AND_NEXT grading. ``per_part`` gives, for each item, the share of the other
  items it is on the correct side of.
- matching: the share of the left items matched to their right item.

``feedback`` holds the specific feedback of the picked options or matched answer, in order, without
blanks; the question's ``explanation`` (general feedback) is not included. ``per_part`` maps the picked
choice ids (single and multiple choice: the fraction each contributed; true/false: "true" or "false"),
item ids (ordering) or left ids (matching: 1.0 or 0.0) to their credit; it is empty for numeric and
short-text questions.

``attempt_score`` adds up weighted fractions over an attempt; an unanswered question (``None``) earns 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .normalize import example_match, text_matches
from .questions import (
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Question,
    ShortText,
    SingleChoice,
    TrueFalse,
)
from .responses import (
    check_bool,
    check_choice,
    check_id_list,
    check_matches,
    check_number,
    check_order,
    check_string,
)

_SNAP = 1e-9


@dataclass(frozen=True)
class Result:
    """The outcome of scoring one response."""

    fraction: float
    correct: bool
    feedback: list[str] = field(default_factory=list)
    per_part: dict[str, float] = field(default_factory=dict)


def _result(raw: float, feedback: Iterable[str] = (), per_part: dict[str, float] | None = None) -> Result:
    fraction = min(1.0, max(0.0, raw))
    if fraction < _SNAP:
        fraction = 0.0
    elif fraction > 1.0 - _SNAP:
        fraction = 1.0
    return Result(fraction, fraction == 1.0, [text for text in feedback if text], per_part or {})


def _single(question: SingleChoice, response: Any) -> Result:
    chosen_id = check_choice(response, (c.id for c in question.choices))
    chosen = next(c for c in question.choices if c.id == chosen_id)
    return _result(chosen.fraction, [chosen.feedback], {chosen.id: chosen.fraction})


def _multiple(question: MultipleResponse, response: Any) -> Result:
    picked = set(check_id_list(response, (c.id for c in question.choices), "the selection"))
    positives = [c.fraction for c in question.choices if c.fraction > 0]
    penalty = 0.0 if any(c.fraction < 0 for c in question.choices) else -1.0 / len(positives)
    total, per_part, feedback = 0.0, {}, []
    for choice in question.choices:
        if choice.id in picked:
            credit = choice.fraction if choice.fraction > 0 or penalty == 0.0 else penalty
            total += credit
            per_part[choice.id] = credit
            feedback.append(choice.feedback)
    return _result(total / sum(positives), feedback, per_part)


def _true_false(question: TrueFalse, response: Any) -> Result:
    picked = check_bool(response)
    feedback = question.feedback_true if picked else question.feedback_false
    credit = 1.0 if picked == question.correct_answer else 0.0
    return _result(credit, [feedback], {"true" if picked else "false": credit})


def _numeric(question: Numeric, response: Any) -> Result:
    number = check_number(response)
    best = None
    for answer in question.answers:
        slack = 1e-9 * max(1.0, abs(answer.value))
        within = abs(number - answer.value) <= answer.tolerance + slack
        if within and (best is None or answer.fraction > best.fraction):
            best = answer
    if best is None:
        return _result(0.0, [question.other_feedback])
    return _result(best.fraction, [best.feedback])


def _short_text(question: ShortText, response: Any) -> Result:
    text = check_string(response, "the answer")
    options = {"case_sensitive": question.case_sensitive, "kana_insensitive": question.kana_insensitive}
    best = None
    for answer in question.answers:
        matched = text_matches(answer.text, text, **options)
        if matched and (best is None or answer.fraction > best.fraction):
            best = answer
    return _result(0.0) if best is None else _result(best.fraction, [best.feedback])


def _ordering(question: Ordering, response: Any) -> Result:
    key = [item.id for item in question.items]
    position = {item_id: index for index, item_id in enumerate(check_order(response, key))}
    n = len(key)
    right_side = dict.fromkeys(key, 0)
    for i in range(n):
        for j in range(i + 1, n):
            if position[key[i]] < position[key[j]]:
                right_side[key[i]] += 1
                right_side[key[j]] += 1
    concordant = sum(right_side.values()) // 2
    per_part = {item_id: count / (n - 1) for item_id, count in right_side.items()}
    return _result(concordant / (n * (n - 1) / 2), per_part=per_part)


def _matching(question: Matching, response: Any) -> Result:
    rights = [item.id for item in question.rights()]
    matches = check_matches(response, (p.left.id for p in question.pairs), rights)
    per_part = {p.left.id: float(matches.get(p.left.id) == p.right.id) for p in question.pairs}
    return _result(sum(per_part.values()) / len(per_part), per_part=per_part)


_SCORERS: dict[type[Question], Callable[[Any, Any], Result]] = {
    SingleChoice: _single,
    MultipleResponse: _multiple,
    TrueFalse: _true_false,
    Numeric: _numeric,
    ShortText: _short_text,
    Ordering: _ordering,
    Matching: _matching,
}


def score(question: Question, response: Any) -> Result:
    """Score ``response`` to ``question`` by the rules in the module docstring."""
    scorer = _SCORERS.get(type(question))
    if scorer is None:
        raise TypeError(f"not a question: {type(question).__name__}")
    return scorer(question, response)


def attempt_score(items: Iterable[tuple[Question, Any, float | None]]) -> tuple[float, float, float]:
    """Return ``(points, max_points, percent)`` for (question, response or None, weight) triples.

    ``weight`` None means the question's own ``weight``. Each question earns fraction x weight; the
    percent is 100 x points / max_points (0.0 when max_points is 0). The three numbers are rounded to
    9 decimal places to drop floating-point noise (so 80 % is 80.0, not 79.99999999999999).
    A malformed response raises ``ResponseError``.
    """
    points = max_points = 0.0
    for question, response, weight in items:
        marks = question.weight if weight is None else float(weight)
        if not marks >= 0.0 or marks == float("inf"):
            raise ValueError(f"weight must be a finite number >= 0, got {weight!r}")
        max_points += marks
        if response is not None:
            points += score(question, response).fraction * marks
    percent = 100.0 * points / max_points if max_points else 0.0
    return round(points, 9), round(max_points, 9), round(percent, 9)


def correct_response(question: Question) -> Any:
    """A response that earns full credit (for showing the right answer and for tests)."""
    match question:
        case SingleChoice():
            return max(question.choices, key=lambda c: c.fraction).id
        case MultipleResponse():
            return [c.id for c in question.choices if c.fraction > 0]
        case TrueFalse():
            return question.correct_answer
        case Numeric():
            return max(question.answers, key=lambda a: a.fraction).value
        case ShortText():
            best = max(question.answers, key=lambda a: a.fraction)
            options = {
                "case_sensitive": question.case_sensitive,
                "kana_insensitive": question.kana_insensitive,
            }
            return example_match(best.text, **options)
        case Ordering():
            return [item.id for item in question.items]
        case Matching():
            return {pair.left.id: pair.right.id for pair in question.pairs}
    raise TypeError(f"not a question: {type(question).__name__}")

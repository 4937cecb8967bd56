"""The answer block of a GIFT question (the text between the braces), one reader per question type.

Which type an answer block is (first rule that applies, as in Moodle):

1. blank: essay (reported as unsupported);
2. starts with ``#``: numeric - ``{#5:0.5}`` (value:tolerance), ``{#1..2}`` (range), ``{#=5 =%50%6:1}``
   (several answers), ``~#feedback`` for any other number;
3. starts with ``>``: qtype_ordering's GIFT extension (reported as unsupported);
4. contains ``~``: choice question - single choice if one answer starts with ``=`` (it earns 100 %,
   ``~%n%`` earns n %, ``~`` earns 0), multiple response otherwise (the ``~%n%`` weights; the positive
   ones must add up to 100 %, within 0.5);
5. contains ``=`` and an answer contains ``->``: matching - ``=left -> right``; ``= -> right`` is a
   distractor; at least 2 pairs;
6. ``T``, ``TRUE``, ``F`` or ``FALSE`` (any case) before the first ``#``: true/false, with
   ``#feedback if wrong#feedback if right``;
7. otherwise short text - ``{=a =%50%b}``, ``*`` wildcards allowed; ``{Paris}`` means ``{=Paris}``.

Weights ``%n%`` take decimals and signs (``%-33.33333%``); choice weights are within -100..100, other
weights 0..100. ``#`` starts an answer's feedback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dx_assessment.grading import (
    Choice,
    Item,
    Matching,
    MatchPair,
    MultipleResponse,
    Numeric,
    NumericAnswer,
    Question,
    ShortText,
    SingleChoice,
    TextAnswer,
    TrueFalse,
)

from .common import derive_ids, format_percent, parse_percent
from .gift_syntax import Segment, clean, split_segments, unescape

Report = Callable[[int, str], None]

_WEIGHT = re.compile(r"\s*%([^%\n]*)%")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


@dataclass(frozen=True)
class Answers:
    """The question class an answer block belongs to and its type-specific fields."""

    kind: type[Question]
    fields: dict[str, Any]


def _weight(segment: Segment, report: Report, low: float) -> tuple[float | None, str]:
    match = _WEIGHT.match(segment.content)
    if match is None:
        return None, segment.content
    raw = match.group(1).strip()
    if not _NUMBER.fullmatch(raw):
        report(segment.offset, f"invalid weight '%{unescape(raw)}%'")
        return 0.0, segment.content[match.end() :]
    try:
        value = parse_percent(raw)
    except ArithmeticError:  # beyond what a Decimal holds (%1e99999999999%)
        report(segment.offset, f"weight {raw}% is outside {low:g}..100")
        return 0.0, segment.content[match.end() :]
    if not low / 100 <= value <= 1:
        report(segment.offset, f"weight {raw}% is outside {low:g}..100")
    return value, segment.content[match.end() :]


def _choices(body: str, offset: int, report: Report) -> Answers:
    segments = split_segments(body, offset, "~=")
    single = any(segment.marker == "=" for segment in segments)
    parsed: list[tuple[str, float, str]] = []
    for segment in segments:
        if not segment.marker:
            report(segment.offset, f"answer {clean(segment.content)!r} must start with '=' or '~'")
            continue
        fraction, rest = (1.0, segment.content) if segment.marker == "=" else _weight(segment, report, -100)
        text, _, feedback = rest.partition("#")
        if not clean(text):
            report(segment.offset, "empty answer")
        parsed.append((clean(text), fraction or 0.0, clean(feedback)))
    if len(parsed) < 2:
        report(offset, f"a choice question needs at least 2 answers, got {len(parsed)}")
    positive = sum(fraction for _, fraction, _ in parsed if fraction > 0)
    if not single and positive == 0:
        report(offset, "no correct answer: mark one with '=' or give weights such as '~%50%'")
    elif not single and abs(positive - 1.0) > 0.005:
        report(offset, f"the positive weights add up to {format_percent(positive)}%, not 100%")
    ids = derive_ids(text for text, _, _ in parsed)
    choices = tuple(
        Choice(id=choice_id, text=text or "?", fraction=fraction, feedback=feedback)
        for choice_id, (text, fraction, feedback) in zip(ids, parsed, strict=True)
    )
    return Answers(SingleChoice if single else MultipleResponse, {"choices": choices})


def _matching(body: str, offset: int, report: Report) -> Answers:
    pairs: list[tuple[str, str]] = []
    distractors: list[str] = []
    for segment in split_segments(body, offset, "="):
        left, arrow, right = segment.content.partition("->")
        if not segment.marker or not arrow:
            report(segment.offset, f"{clean(segment.content)!r} is not a pair '=left -> right'")
            continue
        if "#" in segment.content:
            report(segment.offset, "matching pairs cannot have feedback ('#'); write \\# for a literal #")
        right_text = unescape(right).strip()
        if not right_text:
            report(segment.offset, "empty right-hand side in a matching pair")
        if clean(left):
            pairs.append((clean(left), right_text))
        elif right_text not in distractors:
            distractors.append(right_text)
    if len(pairs) < 2:
        report(offset, f"a matching question needs at least 2 pairs, got {len(pairs)}")
    rights = list(dict.fromkeys(right for _, right in pairs))
    distractors = [text for text in distractors if text not in rights]
    right_ids = dict(zip(rights + distractors, derive_ids(rights + distractors), strict=True))
    left_ids = derive_ids(left for left, _ in pairs)
    fields = {
        "pairs": tuple(
            MatchPair(left=Item(id=left_id, text=left), right=Item(id=right_ids[right], text=right or "?"))
            for left_id, (left, right) in zip(left_ids, pairs, strict=True)
        ),
        "distractors": tuple(Item(id=right_ids[text], text=text) for text in distractors if text),
    }
    return Answers(Matching, fields)


def _true_false(body: str) -> Answers:
    token, wrong, right = ([*body.split("#", 2), "", ""])[:3]
    value = _TRUE_FALSE[token.strip().upper()]
    wrong, right = clean(wrong), clean(right)
    feedback = (right, wrong) if value else (wrong, right)
    return Answers(
        TrueFalse, {"correct_answer": value, "feedback_true": feedback[0], "feedback_false": feedback[1]}
    )


def _short_text(body: str, offset: int, report: Report) -> Answers:
    answers = []
    for segment in split_segments(body, offset, "="):
        fraction, rest = _weight(segment, report, 0)
        text, _, feedback = rest.partition("#")
        if not clean(text):
            report(segment.offset, "empty answer")
            continue
        fraction = 1.0 if fraction is None else fraction
        answers.append(TextAnswer(text=clean(text), fraction=max(0.0, fraction), feedback=clean(feedback)))
    if answers and not any(answer.fraction == 1.0 for answer in answers):
        report(offset, "no answer earns 100%")
    return Answers(ShortText, {"answers": tuple(answers)})


def _number(text: str, segment: Segment, report: Report) -> float:
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        report(segment.offset, f"{unescape(text)!r} is not a number")
        return 0.0
    return float(text)


def _numeric(body: str, offset: int, report: Report) -> Answers:
    start = body.index("#") + 1
    rest, _, other = body[start:].partition("~")
    other = other.strip()
    if other and not other.startswith("#"):
        report(offset + start, "'~' in a numeric question must be followed by '#feedback for other answers'")
    answers = []
    for segment in split_segments(rest, offset + start, "="):
        fraction, remainder = _weight(segment, report, 0)
        spec, _, feedback = remainder.partition("#")
        if ".." in spec:
            low, high = (_number(part, segment, report) for part in spec.split("..", 1))
            if low > high:
                report(segment.offset, f"range {low:g}..{high:g} has its minimum above its maximum")
            value, tolerance = (low + high) / 2, abs(high - low) / 2
        elif ":" in spec:
            value, tolerance = (_number(part, segment, report) for part in spec.split(":", 1))
            if tolerance < 0:
                report(segment.offset, f"negative tolerance {tolerance:g}")
        else:
            value, tolerance = _number(spec, segment, report), 0.0
        fraction = 1.0 if fraction is None else max(0.0, fraction)
        answers.append(
            NumericAnswer(value=value, tolerance=abs(tolerance), fraction=fraction, feedback=clean(feedback))
        )
    if not answers:
        report(offset, "a numeric question needs at least one answer")
    elif not any(answer.fraction == 1.0 for answer in answers):
        report(offset, "no answer earns 100%")
    return Answers(Numeric, {"answers": tuple(answers), "other_feedback": clean(other[1:])})


def parse_answer_block(body: str, offset: int, report: Report) -> Answers | None:
    """Read the answer block ``body`` (at ``offset`` in its question block); None if unsupported."""
    stripped = body.strip()
    if not stripped:
        report(offset, "essay questions ('{}') are not supported")
        return None
    if stripped.startswith("#"):
        return _numeric(body, offset, report)
    if stripped.startswith(">"):
        report(offset, "ordering questions ('{>...}') are not supported in GIFT; use Moodle XML")
        return None
    if "~" in body:
        return _choices(body, offset, report)
    if "=" in body and any("->" in s.content.partition("#")[0] for s in split_segments(body, 0, "=")):
        return _matching(body, offset, report)
    if stripped.split("#", 1)[0].strip().upper() in _TRUE_FALSE:
        return _true_false(body)
    return _short_text(body, offset, report)

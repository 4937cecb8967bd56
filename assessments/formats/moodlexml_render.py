"""Writing questions as Moodle XML, in the shape Moodle's own export has.

``render_moodle_xml(questions)`` returns UTF-8 bytes that ``parse_moodle_xml`` reads back to equal
questions, except that: texts come back trimmed and with carriage returns as line breaks; an unnamed
question is written (and so comes back) with ``common.default_name``, since Moodle requires a name;
ids come back derived from the texts (``common.derive_ids``). Formats are written as "html",
"markdown" and "plain_text"; kana-insensitivity goes in a ``<kanainsensitive>`` element that Moodle
ignores. Ordering questions use qtype_ordering's layout with its
``RELATIVE_ALL_PREVIOUS_AND_NEXT`` grading, which is the rule ``grading.scoring`` applies.

Texts containing ``<``, ``>``, ``&`` or ``"`` are written as CDATA, like Moodle. A character XML 1.0
cannot carry (most control characters) raises ``RenderError``.
"""

from __future__ import annotations

import re
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
    default_name,
    format_number,
    format_percent,
    render_category,
    with_categories,
)

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FORMATS = {"html": "html", "markdown": "markdown", "plain": "plain_text"}
_TYPES = {
    SingleChoice: "multichoice",
    MultipleResponse: "multichoice",
    TrueFalse: "truefalse",
    ShortText: "shortanswer",
    Numeric: "numerical",
    Matching: "matching",
    Ordering: "ordering",
}


def _escape(text: str) -> str:
    if _NOT_XML.search(text):
        raise RenderError(f"text {text[:30]!r} contains characters XML cannot carry")
    if not any(char in text for char in '<>&"'):
        return text
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _text(tag: str, text: str, indent: int, fmt: str | None = None) -> list[str]:
    pad = "  " * indent
    attribute = f' format="{fmt}"' if fmt else ""
    return [f"{pad}<{tag}{attribute}>", f"{pad}  <text>{_escape(text)}</text>", f"{pad}</{tag}>"]


def _answer(fraction: str, text: str, feedback: str, fmt: str, extra: list[str] | None = None) -> list[str]:
    return [
        f'    <answer fraction="{fraction}" format="{fmt}">',
        f"      <text>{_escape(text)}</text>",
        *_text("feedback", feedback, 3, fmt),
        *(extra or []),
        "    </answer>",
    ]


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _body(question: Question, fmt: str) -> list[str]:
    match question:
        case SingleChoice() | MultipleResponse():
            lines = [
                f"    <single>{_flag(isinstance(question, SingleChoice))}</single>",
                f"    <shuffleanswers>{_flag(question.shuffle_choices)}</shuffleanswers>",
                "    <answernumbering>abc</answernumbering>",
                "    <showstandardinstruction>0</showstandardinstruction>",
            ]
            for choice in question.choices:
                lines += _answer(format_percent(choice.fraction), choice.text, choice.feedback, fmt)
            return lines
        case TrueFalse():
            true, false = ("100", "0") if question.correct_answer else ("0", "100")
            return [
                *_answer(true, "true", question.feedback_true, "moodle_auto_format"),
                *_answer(false, "false", question.feedback_false, "moodle_auto_format"),
            ]
        case ShortText():
            lines = [f"    <usecase>{int(question.case_sensitive)}</usecase>"]
            if question.kana_insensitive:
                lines.append("    <kanainsensitive>1</kanainsensitive>")
            for answer in question.answers:
                lines += _answer(
                    format_percent(answer.fraction), answer.text, answer.feedback, "moodle_auto_format"
                )
            return lines
        case Numeric():
            lines = []
            for number in question.answers:
                tolerance = [f"      <tolerance>{format_number(number.tolerance)}</tolerance>"]
                lines += _answer(
                    format_percent(number.fraction),
                    format_number(number.value),
                    number.feedback,
                    fmt,
                    tolerance,
                )
            if question.other_feedback:
                lines += _answer("0", "*", question.other_feedback, fmt, ["      <tolerance>0</tolerance>"])
            return [*lines, "    <unitgradingtype>0</unitgradingtype>", "    <showunits>3</showunits>"]
        case Matching():
            lines = ["    <shuffleanswers>true</shuffleanswers>"]
            subquestions = [(pair.left.text, pair.right.text) for pair in question.pairs]
            subquestions += [("", item.text) for item in question.distractors]
            for left, right in subquestions:
                lines += [
                    f'    <subquestion format="{fmt}">',
                    f"      <text>{_escape(left)}</text>",
                    *_text("answer", right, 3),
                    "    </subquestion>",
                ]
            return lines
        case Ordering():
            lines = [
                "    <layouttype>VERTICAL</layouttype>",
                "    <selecttype>ALL</selecttype>",
                "    <selectcount>0</selectcount>",
                "    <gradingtype>RELATIVE_ALL_PREVIOUS_AND_NEXT</gradingtype>",
                "    <showgrading>SHOW</showgrading>",
                "    <numberingstyle>none</numberingstyle>",
            ]
            for position, item in enumerate(question.items, start=1):
                lines += _answer(f"{position}.0000000", item.text, "", fmt)
            return lines
    raise TypeError(f"not a question: {type(question).__name__}")


def _question(question: Question) -> list[str]:
    fmt = _FORMATS[question.text_format]
    penalty = "1" if isinstance(question, TrueFalse) else "0.3333333"
    return [
        f'  <question type="{_TYPES[type(question)]}">',
        *_text("name", default_name(question), 2),
        *_text("questiontext", question.text, 2, fmt),
        *_text("generalfeedback", question.explanation, 2, fmt),
        f"    <defaultgrade>{format_number(question.weight)}</defaultgrade>",
        f"    <penalty>{penalty}</penalty>",
        "    <hidden>0</hidden>",
        "    <idnumber></idnumber>",
        *_body(question, fmt),
        "  </question>",
        "",
    ]


def _category(names: list[str]) -> list[str]:
    return [
        '  <question type="category">',
        *_text("category", render_category(names), 2),
        *_text("info", "", 2, "moodle_auto_format"),
        "  </question>",
        "",
    ]


def render_moodle_xml(questions: Iterable[Question | ImportedQuestion]) -> bytes:
    """Write ``questions`` as a Moodle XML ``<quiz>`` (see the module docstring)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    for category, question in with_categories(questions):
        if category is not None:
            lines += _category(category)
        try:
            lines += _question(question)
        except RenderError as exc:
            raise RenderError(f"question {default_name(question)!r}: {exc}") from None
    lines.append("</quiz>")
    return ("\n".join(lines) + "\n").encode("utf-8")

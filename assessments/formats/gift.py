"""Moodle's GIFT text format: ``parse_gift`` and ``render_gift``.

``parse_gift(text)`` reads every question of a file and collects *every* problem with its line number
in ``ParseResult.errors`` (it does not stop at the first); the caller should reject the whole file if
there is any. A question is::

    // comment
    $CATEGORY: $course$/top/A1/Unit 1
    ::name::[html]Question text{answers####general feedback}

Supported: comments, ``$CATEGORY:``, ``::name::``, the ``[html]``/``[markdown]``/``[plain]``/``[moodle]``
markers, the escapes ``\\~ \\= \\# \\{ \\} \\: \\\\ \\n``, single choice, multiple response, true/false,
numeric, short text and matching (see ``gift_answers`` for the answer syntax). Moodle's "missing word"
form (text after the closing brace) is accepted: the question text gets "_____" where the answers were.

Reported as errors: essays (``{}``), descriptions (no braces), qtype_ordering's ``{>...}``, a brace
without its partner, a ``{`` inside an answer block, any brace after the answer block (a second block),
an unclosed ``::name``, empty texts or answers, a choice question without a correct answer or whose
positive weights do not add up to 100 %, a matching question with fewer than 2 pairs, bad numbers and
weights, and whatever the question dataclasses reject.

GIFT carries no weight, no shuffle flag and no case or kana options: imported questions get the
defaults (weight 1.0, shuffled, case- and kana-sensitive as the defaults say). See ``gift_render``
for what ``render_gift`` cannot write.
"""

from __future__ import annotations

import re

from dx_assessment.grading import DefinitionError, Question

from .common import FormatError, ImportedQuestion, ParseResult, default_name, parse_category
from .gift_answers import parse_answer_block
from .gift_render import render_gift
from .gift_syntax import NONCHARACTERS, Block, clean, protect, split_blocks, split_format, unescape

__all__ = ["parse_gift", "render_gift"]


def parse_gift(text: str) -> ParseResult:
    """Read a GIFT file (see the module docstring); never raises for bad content."""
    if not isinstance(text, str):
        raise TypeError(f"parse_gift expects str, got {type(text).__name__}")
    result = ParseResult()
    source = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    bad_lines = sorted({source.count("\n", 0, m.start()) + 1 for m in NONCHARACTERS.finditer(source)})
    for line in bad_lines:
        result.errors.append(FormatError(line, "the line contains Unicode noncharacters (U+FDD0-U+FDEF)"))
    # No text column can hold NUL in PostgreSQL, nor a JSON value (a question is stored as JSON).
    for line in sorted({source.count("\n", 0, m.start()) + 1 for m in re.finditer("\x00", source)}):
        result.errors.append(FormatError(line, "the line contains a NUL character (U+0000)"))
    category: list[str] = []
    for block in split_blocks(protect(NONCHARACTERS.sub("", source))):
        if block.text.startswith("$CATEGORY:"):
            category = parse_category(unescape(block.text.removeprefix("$CATEGORY:")))
            continue
        question = _parse_question(block, result.errors)
        if question is not None:
            result.questions.append(
                ImportedQuestion(question, list(category), default_name(question), block.line)
            )
    return result


def _parse_question(block: Block, errors: list[FormatError]) -> Question | None:
    source = block.text
    before = len(errors)
    label = ""

    def report(offset: int, message: str) -> None:
        errors.append(FormatError(block.line_at(offset), label + message))

    start = len(source) - len(source.lstrip())
    name = None
    if source.startswith("::", start):
        end = source.find("::", start + 2)
        if end < 0:
            report(start, "the question name is not closed with '::'")
            return None
        name = unescape(source[start + 2 : end]).strip() or None
        label = f'"{name}": ' if name else ""
        start = end + 2
    opening, closing = source.find("{", start), source.find("}", start)
    if opening < 0 and closing < 0:
        report(start, "descriptions (text without '{...}') are not a supported question type")
        return None
    if closing >= 0 and (opening < 0 or closing < opening):
        report(closing, "'}' without a matching '{'")
        return None
    if closing < 0:
        report(opening, "missing closing brace '}'")
        return None
    if (nested := source.find("{", opening + 1, closing)) >= 0:
        report(nested, "'{' inside an answer block (write \\{ for a literal brace)")
        return None
    after = source[closing + 1 :]
    if stray := re.search(r"[{}]", after):
        report(
            closing + 1 + stray.start(),
            f"unexpected '{stray.group()}' after the answer block (is a blank line missing?)",
        )
        return None
    text_format, question_text = split_format(
        source[start:opening] + ("_____" + after if after.strip() else "")
    )
    question_text = unescape(question_text).strip()
    if not question_text:
        report(start, "the question text is empty")
    body = source[opening + 1 : closing]
    explanation = ""
    if (general := body.rfind("####")) >= 0:
        body, explanation = body[:general], clean(body[general + 4 :])
    try:
        answers = parse_answer_block(body, opening + 1, report)
        if answers is None or len(errors) > before:
            return None
        return answers.kind(
            text=question_text,
            text_format=text_format or "plain",
            explanation=explanation,
            name=name,
            **answers.fields,
        )
    except DefinitionError as exc:
        if len(errors) == before:
            report(start, str(exc))
        return None

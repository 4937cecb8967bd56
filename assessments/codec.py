"""Between the editor's StreamField block (``question_blocks``) and the pure grading dataclass.

Ids of options, items and matching sides are derived from their text (``formats.derive_ids``), never
from their position: a positional id ("c1") would tell a learner which option the author wrote first,
which is often the right one. They need only be stable within one ``QuestionVersion``, a snapshot.
"""

from decimal import Decimal
from typing import Any

from dx_assessment import grading
from wagtail.rich_text import RichText

from assessments.formats import derive_ids

BLOCK_TYPE = {
    "single_choice": grading.SingleChoice,
    "multiple_response": grading.MultipleResponse,
    "true_false": grading.TrueFalse,
    "numeric": grading.Numeric,
    "short_text": grading.ShortText,
    "ordering": grading.Ordering,
    "matching": grading.Matching,
}
TYPE_BLOCK = {cls.TYPE: name for name, cls in BLOCK_TYPE.items()}


def _share(percent: Any) -> float:
    return float(Decimal(str(percent or 0)) / 100)


def _percent(share: float) -> Decimal:
    return Decimal(str(round(share * 100, 5)))


def _html(value: Any) -> str:
    return value.source if isinstance(value, RichText) else str(value or "")


def block_to_question(block_type: str, value: Any, *, name: str | None = None) -> grading.Question:
    """The grading definition of a block value; raises ``grading.DefinitionError`` when it is incomplete."""
    common = {
        "text": _html(value["text"]),
        "text_format": "html",
        "explanation": value.get("explanation", ""),
        "name": name or None,
    }
    if block_type in ("single_choice", "multiple_response"):
        options = list(value["options"])
        ids = derive_ids(o["text"] for o in options)
        choices = [
            grading.Choice(
                id=i, text=o["text"], fraction=_share(o["fraction"]), feedback=o.get("feedback") or ""
            )
            for i, o in zip(ids, options, strict=True)
        ]
        return BLOCK_TYPE[block_type](choices=choices, **common)
    if block_type == "true_false":
        return grading.TrueFalse(
            correct_answer=bool(value["answer"]),
            feedback_true=value.get("feedback_true") or "",
            feedback_false=value.get("feedback_false") or "",
            **common,
        )
    if block_type == "numeric":
        answers = [
            grading.NumericAnswer(
                value=float(a["value"]),
                tolerance=float(a["tolerance"] or 0),
                fraction=_share(a["fraction"]),
                feedback=a.get("feedback") or "",
            )
            for a in value["answers"]
        ]
        return grading.Numeric(answers=answers, **common)
    if block_type == "short_text":
        answers = [
            grading.TextAnswer(
                text=a["text"], fraction=_share(a["fraction"]), feedback=a.get("feedback") or ""
            )
            for a in value["answers"]
        ]
        return grading.ShortText(
            answers=answers,
            case_sensitive=bool(value.get("case_sensitive")),
            kana_insensitive=bool(value.get("kana_insensitive")),
            **common,
        )
    if block_type == "ordering":
        texts = list(value["items"])
        return grading.Ordering(
            items=[grading.Item(id=i, text=text) for i, text in zip(derive_ids(texts), texts, strict=True)],
            **common,
        )
    if block_type == "matching":
        raw_pairs = list(value["pairs"])
        extra = list(value.get("distractors") or [])
        left_ids = derive_ids("L" + p["left"] for p in raw_pairs)
        right_ids = derive_ids("R" + text for text in [p["right"] for p in raw_pairs] + extra)
        pairs = [
            grading.MatchPair(
                left=grading.Item(id=left, text=p["left"]), right=grading.Item(id=right, text=p["right"])
            )
            for left, right, p in zip(left_ids, right_ids, raw_pairs, strict=False)
        ]
        distractors = [
            grading.Item(id=i, text=text) for i, text in zip(right_ids[len(raw_pairs) :], extra, strict=True)
        ]
        return grading.Matching(pairs=pairs, distractors=distractors, **common)
    raise grading.DefinitionError(f"unknown block type {block_type!r}")


def question_to_block(question: grading.Question) -> tuple[str, dict[str, Any]]:
    """The block type and raw value that edits ``question`` (used by imports)."""
    block_type = TYPE_BLOCK[question.TYPE]
    text = question.text if question.text_format == "html" else _plain_to_html(question.text)
    value: dict[str, Any] = {"text": text, "explanation": question.explanation}
    if isinstance(question, grading.SingleChoice | grading.MultipleResponse):
        value["options"] = [
            {"text": c.text, "fraction": _percent(c.fraction), "feedback": c.feedback}
            for c in question.choices
        ]
    elif isinstance(question, grading.TrueFalse):
        value.update(
            answer=question.correct_answer,
            feedback_true=question.feedback_true,
            feedback_false=question.feedback_false,
        )
    elif isinstance(question, grading.Numeric):
        value["answers"] = [
            {
                "value": Decimal(str(a.value)),
                "tolerance": Decimal(str(a.tolerance)),
                "fraction": _percent(a.fraction),
                "feedback": a.feedback,
            }
            for a in question.answers
        ]
    elif isinstance(question, grading.ShortText):
        value.update(
            answers=[
                {"text": a.text, "fraction": _percent(a.fraction), "feedback": a.feedback}
                for a in question.answers
            ],
            case_sensitive=question.case_sensitive,
            kana_insensitive=question.kana_insensitive,
        )
    elif isinstance(question, grading.Ordering):
        value["items"] = [item.text for item in question.items]
    elif isinstance(question, grading.Matching):
        value["pairs"] = [{"left": p.left.text, "right": p.right.text} for p in question.pairs]
        value["distractors"] = [d.text for d in question.distractors]
    return block_type, value


def _plain_to_html(text: str) -> str:
    from django.utils.html import escape, linebreaks

    return linebreaks(escape(text))

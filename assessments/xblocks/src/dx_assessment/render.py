"""The learner's HTML, built from ``grading.public_view`` and the learner's own state only.

Nothing here receives a question definition: the form is drawn from the public view (text, choice,
item and side ids and texts), so no fraction, feedback, explanation or key can reach the page before
submitting. Results are drawn from ``Outcome`` objects that the blocks build after scoring.

Accessibility: every question is a ``fieldset`` with a ``legend``; every control is a native radio,
checkbox, text input or select with a ``label``; hints and the question text are tied to the group with
``aria-describedby``; errors go to a ``role="alert"`` region; results carry words, not only colours, and
the block has a polite live region. Focus styles are in ``static/dx_assessment.css``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

from .i18n import Translator


def e(value: Any) -> str:
    """Escape text for HTML element content and attribute values."""
    return escape(str(value), quote=True)


def plain_html(text: str) -> str:
    """Plain text as paragraphs, with single line breaks kept."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join("<p>" + e(p.strip()).replace("\n", "<br>") + "</p>" for p in paragraphs)


def text_html(text: str, text_format: str) -> str:
    """Question text: author HTML as written (as Open edX HTML components), anything else escaped."""
    return text if text_format == "html" else plain_html(text)


def number(value: float) -> str:
    """A score for people: at most two decimals, no trailing zeros."""
    return f"{round(value, 2):g}"


@dataclass(frozen=True)
class Outcome:
    """The scored result of one question, as shown after submitting (``fraction`` None: unanswered)."""

    fraction: float | None
    weight: float
    feedback: list[str] = field(default_factory=list)
    explanation: str = ""


def status_text(fraction: float | None, t: Translator) -> tuple[str, str]:
    """(css modifier, words) for a fraction."""
    if fraction is None:
        return "unanswered", t("Not answered")
    if fraction >= 1.0:
        return "correct", t("Correct")
    if fraction <= 0.0:
        return "incorrect", t("Incorrect")
    return "partial", t("Partially correct")


def outcome_html(outcome: Outcome, *, dom_id: str, t: Translator, focusable: bool = False) -> str:
    """The result of one question: status, score, feedback and explanation."""
    modifier, words = status_text(outcome.fraction, t)
    earned = (outcome.fraction or 0.0) * outcome.weight
    score = t("Score: {earned} / {possible}").format(earned=number(earned), possible=number(outcome.weight))
    parts = [
        f'<p class="dx-result__title" id="{dom_id}-result-title"><span class="dx-icon" aria-hidden="true">'
        f"</span><strong>{e(words)}</strong> <span class='dx-result__score'>{e(score)}</span></p>"
    ]
    if outcome.feedback:
        items = "".join(f"<li>{plain_html(text)}</li>" for text in outcome.feedback)
        label = e(t("Feedback"))
        parts.append(f'<ul class="dx-result__feedback" aria-label="{label}">{items}</ul>')
    if outcome.explanation:
        label = e(t("Explanation"))
        parts.append(
            f'<div class="dx-result__explanation"><p class="dx-result__label">{label}</p>'
            f"{plain_html(outcome.explanation)}</div>"
        )
    tab = ' tabindex="-1"' if focusable else ""
    return (
        f'<section class="dx-result dx-result--{modifier}" id="{dom_id}-result"{tab} '
        f'aria-labelledby="{dom_id}-result-title">{"".join(parts)}</section>'
    )


def quiz_summary_html(
    *, fraction: float, possible: float, passing: float, passed: bool, dom_id: str, t: Translator
) -> str:
    """The result of a whole quiz: passed or not, points and percent."""
    words = t("Passed") if passed else t("Not passed")
    score = t("Score: {earned} / {possible} ({percent}%). Passing score: {passing}%.").format(
        earned=number(fraction * possible),
        possible=number(possible),
        percent=number(100.0 * fraction),
        passing=number(passing),
    )
    modifier = "passed" if passed else "failed"
    return (
        f'<section class="dx-result dx-result--{modifier} dx-summary" id="{dom_id}-result" tabindex="-1" '
        f'aria-labelledby="{dom_id}-result-title"><p class="dx-result__title" id="{dom_id}-result-title">'
        f'<span class="dx-icon" aria-hidden="true"></span><strong>{e(words)}</strong> '
        f'<span class="dx-result__score">{e(score)}</span></p></section>'
    )


def _checked(flag: bool) -> str:
    return " checked" if flag else ""


def _choice_inputs(
    choices: list[dict[str, str]], labels: list[str], dom_id: str, kind: str, picked: set[str], disabled: str
) -> str:
    rows = []
    for index, (choice, label) in enumerate(zip(choices, labels, strict=True)):
        input_id = f"{dom_id}-c{index}"
        rows.append(
            f'<div class="dx-option"><input type="{kind}" id="{input_id}" name="{dom_id}" '
            f'value="{e(choice["id"])}"{_checked(choice["id"] in picked)}{disabled}>'
            f'<label for="{input_id}">{e(label)}</label></div>'
        )
    return f'<div class="dx-options">{"".join(rows)}</div>'


def _text_input(dom_id: str, label: str, value: Any, extra: str, disabled: str) -> str:
    shown = "" if value is None else e(value)
    return (
        f'<div class="dx-field"><label for="{dom_id}-answer">{e(label)}</label>'
        f'<input type="text" id="{dom_id}-answer" name="{dom_id}" value="{shown}" autocomplete="off"'
        f"{extra}{disabled}></div>"
    )


def _select(select_id: str, label: str, options: list[tuple[str, str]], chosen: str, attrs: str) -> str:
    rendered = "".join(
        f'<option value="{e(value)}"{" selected" if value == chosen else ""}>{e(text)}</option>'
        for value, text in options
    )
    return (
        f'<div class="dx-row"><label for="{select_id}">{e(label)}</label>'
        f'<select id="{select_id}"{attrs}>{rendered}</select></div>'
    )


def _widget(
    view: Mapping[str, Any], dom_id: str, saved: Any, disabled: str, t: Translator
) -> tuple[str, str]:
    """(hint, controls) for the question type of ``view``."""
    kind = view["type"]
    if kind == "single_choice":
        labels = [c["text"] for c in view["choices"]]
        picked = {saved} if isinstance(saved, str) else set()
        return "", _choice_inputs(view["choices"], labels, dom_id, "radio", picked, disabled)
    if kind == "multiple_response":
        labels = [c["text"] for c in view["choices"]]
        picked = set(saved) if isinstance(saved, list) else set()
        hint = t("Select all that apply.")
        return hint, _choice_inputs(view["choices"], labels, dom_id, "checkbox", picked, disabled)
    if kind == "true_false":
        labels = [t("True"), t("False")]
        picked = {("true" if saved else "false") if isinstance(saved, bool) else str(saved)}
        return "", _choice_inputs(view["choices"], labels, dom_id, "radio", picked, disabled)
    if kind == "numeric":
        extra = ' inputmode="decimal"'
        return "", _text_input(dom_id, t("Your answer (a number)"), saved, extra, disabled)
    if kind == "short_text":
        extra = f' maxlength="{int(view.get("max_length", 1000))}"'
        return "", _text_input(dom_id, t("Your answer"), saved, extra, disabled)
    if kind == "ordering":
        return _ordering(view, dom_id, saved, disabled, t)
    if kind == "matching":
        return _matching(view, dom_id, saved, disabled, t)
    raise ValueError(f"unknown question type {kind!r}")


def _ordering(
    view: Mapping[str, Any], dom_id: str, saved: Any, disabled: str, t: Translator
) -> tuple[str, str]:
    items = view["items"]
    places = {item_id: str(rank) for rank, item_id in enumerate(saved, 1)} if isinstance(saved, list) else {}
    options = [("", t("Choose a place"))] + [(str(n), str(n)) for n in range(1, len(items) + 1)]
    rows = [
        _select(
            f"{dom_id}-o{index}",
            item["text"],
            options,
            places.get(item["id"], ""),
            f' data-dx-item="{e(item["id"])}"{disabled}',
        )
        for index, item in enumerate(items)
    ]
    hint = t("Give each item its place in the order, from 1 (first) to {count}. Use each place once.")
    return hint.format(count=len(items)), f'<div class="dx-rows">{"".join(rows)}</div>'


def _matching(
    view: Mapping[str, Any], dom_id: str, saved: Any, disabled: str, t: Translator
) -> tuple[str, str]:
    chosen = saved if isinstance(saved, Mapping) else {}
    options = [("", t("Choose a match"))] + [(r["id"], r["text"]) for r in view["rights"]]
    rows = [
        _select(
            f"{dom_id}-m{index}",
            left["text"],
            options,
            chosen.get(left["id"]) or "",
            f' data-dx-left="{e(left["id"])}"{disabled}',
        )
        for index, left in enumerate(view["lefts"])
    ]
    return t("Choose the matching entry for each item."), f'<div class="dx-rows">{"".join(rows)}</div>'


def question_html(
    view: Mapping[str, Any],
    *,
    dom_id: str,
    label: str,
    saved: Any,
    disabled: bool,
    t: Translator,
) -> str:
    """One question as a fieldset, pre-filled with the learner's saved response."""
    off = " disabled" if disabled else ""
    hint, controls = _widget(view, dom_id, saved, off, t)
    described = f"{dom_id}-text"
    hint_html = ""
    if hint:
        described += f" {dom_id}-hint"
        hint_html = f'<p class="dx-hint" id="{dom_id}-hint">{e(hint)}</p>'
    return (
        f'<fieldset class="dx-question" id="{dom_id}" data-dx-type="{e(view["type"])}" '
        f'aria-describedby="{described}"><legend class="dx-legend">{e(label)}</legend>'
        f'<div class="dx-text" id="{dom_id}-text">{text_html(view["text"], view["text_format"])}</div>'
        f"{hint_html}{controls}</fieldset>"
    )


def attempts_html(used: int, maximum: int | None, t: Translator) -> str:
    """How many attempts were used, of how many."""
    if maximum is None:
        text = t("Attempts: {used} (unlimited)").format(used=used)
    else:
        text = t("Attempts: {used} of {maximum}").format(used=used, maximum=maximum)
        if used >= maximum:
            text += " " + t("You have used all your attempts.")
    return f'<p class="dx-attempts">{e(text)}</p>'


def form_html(*, body: str, footer: str, can_submit: bool, submit_label: str, t: Translator) -> str:
    """The form around the questions: error region, submit button, result and attempts."""
    button = (
        f'<div class="dx-actions"><button type="submit" class="dx-submit">{e(submit_label)}</button></div>'
        if can_submit
        else ""
    )
    return (
        f'<form class="dx-form" novalidate>{body}'
        f'<div class="dx-error" role="alert"></div>{button}{footer}</form>'
    )


def block_html(*, css_class: str, dom_id: str, title: str | None, inner: str) -> str:
    """The fragment's root: an optional heading, the swappable body and a polite live region."""
    heading = f'<h3 class="dx-title" id="{dom_id}-title">{e(title)}</h3>' if title else ""
    return (
        f'<div class="dx-assessment {css_class}" id="{dom_id}-root">{heading}'
        f'<div class="dx-body">{inner}</div>'
        f'<div class="dx-live dx-visually-hidden" role="status" aria-live="polite"></div></div>'
    )


def unavailable_html(t: Translator) -> str:
    """Shown instead of a question whose definition is missing or broken."""
    message = e(t("This question is not available yet."))
    return f'<p class="dx-unavailable">{message}</p>'

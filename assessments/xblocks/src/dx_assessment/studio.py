"""Authoring: the ``studio_view`` form and the validation behind the ``studio_submit`` handler.

``studio_submit`` takes a JSON object with any of the block's editable settings. Every value is checked
(``clean``); questions are checked with ``grading.Question.from_dict``. All problems are reported
together as ``[{"field": name, "message": text}]`` and, if there is any, nothing is saved. Question
definitions may be sent as JSON text (what the form's text area holds) or as objects.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import grading
from .i18n import N_, Translator
from .render import e

MAX_DISPLAY_NAME_LENGTH = 200


class Invalid(ValueError):
    """One bad value; ``message`` is an English source string, ``params`` fill its fields."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def _display_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(N_("Enter a display name."))
    if len(value) > MAX_DISPLAY_NAME_LENGTH:
        raise Invalid(N_("Use at most {limit} characters."), limit=MAX_DISPLAY_NAME_LENGTH)
    return value.strip()


def _number(value: Any, low: float, high: float) -> float:
    if isinstance(value, str) and value.strip():
        try:
            value = float(value)
        except ValueError:
            raise Invalid(N_("Enter a number.")) from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid(N_("Enter a number."))
    if not low <= value <= high:
        raise Invalid(N_("Enter a number from {low} to {high}."), low=f"{low:g}", high=f"{high:g}")
    return float(value)


def _weight(value: Any) -> float:
    return _number(value, 0.0, 1000.0)


def _passing_percent(value: Any) -> float:
    return _number(value, 0.0, 100.0)


def _max_attempts(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid(N_("Enter a whole number of at least 1, or leave it empty for unlimited attempts."))
    return value


def _shuffle(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(N_("Must be true or false."))
    return value


def _json(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as error:
        raise Invalid(
            N_("Not valid JSON: {detail} (line {line}, column {column})."),
            detail=error.msg,
            line=error.lineno,
            column=error.colno,
        ) from None


def _definition(value: Any) -> dict[str, Any]:
    try:
        return grading.Question.from_dict(_json(value)).to_dict()
    except grading.DefinitionError as error:
        raise Invalid(N_("The question is not valid: {detail}"), detail=str(error)) from None


def _questions(value: Any) -> list[dict[str, Any]]:
    value = _json(value)
    if not isinstance(value, list) or not value:
        raise Invalid(N_("Enter a JSON list with at least one question."))
    cleaned, problems = [], []
    for number, item in enumerate(value, 1):
        try:
            cleaned.append(grading.Question.from_dict(item).to_dict())
        except grading.DefinitionError as error:
            problems.append((number, str(error)))
    if problems:
        raise Invalid(
            N_("These questions are not valid: {details}"),
            details="; ".join(f"#{number}: {detail}" for number, detail in problems),
        )
    return cleaned


CLEANERS: dict[str, Callable[[Any], Any]] = {
    "display_name": _display_name,
    "weight": _weight,
    "max_attempts": _max_attempts,
    "shuffle": _shuffle,
    "passing_percent": _passing_percent,
    "definition": _definition,
    "questions": _questions,
}


def clean(payload: Any, *, editable: tuple[str, ...], t: Translator) -> tuple[dict[str, Any], list[dict]]:
    """(cleaned values, problems) for the ``editable`` settings present in ``payload``."""
    if not isinstance(payload, Mapping):
        return {}, [{"field": None, "message": t("The request must be a JSON object.")}]
    values: dict[str, Any] = {}
    problems: list[dict[str, Any]] = []
    for name, raw in payload.items():
        if name not in editable:
            message = t("{name} is not a setting of this block.").format(name=str(name)[:50])
            problems.append({"field": str(name)[:50], "message": message})
            continue
        try:
            values[name] = CLEANERS[name](raw)
        except Invalid as error:
            problems.append({"field": name, "message": t(error.message).format(**error.params)})
    return values, problems


@dataclass(frozen=True)
class FieldSpec:
    """One input of the studio form (labels and hints are English source strings)."""

    name: str
    kind: str  # "text", "number", "checkbox" or "json"
    label: str
    hint: str = ""
    attrs: str = ""


def _field_html(spec: FieldSpec, value: Any, dom_id: str, t: Translator) -> str:
    input_id = f"{dom_id}-{spec.name}"
    hint = f'<p class="dx-hint" id="{input_id}-hint">{e(t(spec.hint))}</p>' if spec.hint else ""
    described = f' aria-describedby="{input_id}-hint"' if spec.hint else ""
    common = f'id="{input_id}" name="{spec.name}" data-dx-kind="{spec.kind}"{described}{spec.attrs}'
    if spec.kind == "checkbox":
        checked = " checked" if value else ""
        return (
            f'<div class="dx-option"><input type="checkbox" {common}{checked}>'
            f'<label for="{input_id}">{e(t(spec.label))}</label>{hint}</div>'
        )
    if spec.kind == "json":
        text = json.dumps(value, ensure_ascii=False, indent=2) if value else ""
        control = f'<textarea {common} rows="18" spellcheck="false" class="dx-code">{e(text)}</textarea>'
    else:
        kind = "number" if spec.kind == "number" else "text"
        shown = "" if value is None else e(f"{value:g}" if isinstance(value, float) else value)
        control = f'<input type="{kind}" {common} value="{shown}">'
    return f'<div class="dx-field"><label for="{input_id}">{e(t(spec.label))}</label>{hint}{control}</div>'


def form_html(
    specs: list[FieldSpec],
    values: Mapping[str, Any],
    *,
    dom_id: str,
    templates: Mapping[str, str],
    t: Translator,
) -> str:
    """The whole studio form, with a picker that fills the JSON area with an example of a type."""
    fields = "".join(_field_html(spec, values.get(spec.name), dom_id, t) for spec in specs)
    options = "".join(f'<option value="{e(key)}">{e(t(label))}</option>' for key, label in templates.items())
    texts = {
        key: e(t(source))
        for key, source in (
            ("example", N_("Example to start from")),
            ("choose", N_("Choose an example")),
            ("apply", N_("Replace the JSON with it")),
            ("save", N_("Save")),
            ("cancel", N_("Cancel")),
        )
    }
    picker = (
        f'<div class="dx-field dx-template"><label for="{dom_id}-template">{texts["example"]}</label>'
        f'<select id="{dom_id}-template"><option value="">{texts["choose"]}</option>{options}'
        f'</select> <button type="button" class="dx-template-apply">{texts["apply"]}</button></div>'
    )
    return (
        f'<form class="dx-assessment dx-studio" id="{dom_id}-root" novalidate>'
        f'<div class="dx-error" role="alert" tabindex="-1"></div>{fields}{picker}'
        f'<div class="dx-actions"><button type="submit" class="dx-submit">{texts["save"]}</button> '
        f'<button type="button" class="dx-cancel">{texts["cancel"]}</button></div>'
        f'<div class="dx-live dx-visually-hidden" role="status" aria-live="polite"></div></form>'
    )

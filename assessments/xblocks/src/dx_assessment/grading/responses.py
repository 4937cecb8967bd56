"""Checks of the shape of a learner's response, one per question type.

Expected shapes (anything else raises ``ResponseError`` with a message saying what was expected):

- ``SingleChoice``: a choice id (str);
- ``MultipleResponse``: a list of distinct choice ids (may be empty);
- ``TrueFalse``: ``True``/``False`` or the strings "true"/"false" (as HTML forms send them);
- ``Numeric``: a number (int or float, not bool) or a string parsed by ``normalize.parse_number``;
- ``ShortText``: a string (blank is allowed and earns nothing);
- ``Ordering``: a list with every item id exactly once;
- ``Matching``: a dict {left id: right id or None}; lefts left out or None are unanswered.

No string may be longer than ``MAX_RESPONSE_LENGTH`` (1000) characters.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import ResponseError
from .normalize import parse_number

MAX_RESPONSE_LENGTH = 1000


def _describe(value: Any) -> str:
    return type(value).__name__


def check_string(value: Any, what: str) -> str:
    """Return ``value`` if it is a string of at most ``MAX_RESPONSE_LENGTH`` characters."""
    if not isinstance(value, str):
        raise ResponseError(f"{what} must be a string, got {_describe(value)}")
    if len(value) > MAX_RESPONSE_LENGTH:
        raise ResponseError(
            f"{what} is longer than {MAX_RESPONSE_LENGTH} characters",
            code="too_long",
            params={"max": MAX_RESPONSE_LENGTH},
        )
    if "\x00" in value:  # no database stores it in text (PostgreSQL refuses it), and no learner types it
        raise ResponseError(f"{what} contains a NUL character")
    return value


def check_choice(value: Any, known: Iterable[str]) -> str:
    """Return the choice id ``value`` if it is one of ``known``."""
    choice_id = check_string(value, "the choice id")
    if choice_id not in set(known):
        raise ResponseError(f"unknown choice id {choice_id[:50]!r}")
    return choice_id


def check_id_list(value: Any, known: Iterable[str], what: str) -> list[str]:
    """Return ``value`` as a list of distinct ids, each one of ``known``."""
    if not isinstance(value, list | tuple):
        raise ResponseError(f"{what} must be a list of ids, got {_describe(value)}")
    known_ids = set(known)
    if len(value) > len(known_ids):
        raise ResponseError(f"{what} has more ids ({len(value)}) than there are options ({len(known_ids)})")
    seen: set[str] = set()
    for item in value:
        item_id = check_string(item, f"an id in {what}")
        if item_id not in known_ids:
            raise ResponseError(f"unknown id {item_id[:50]!r} in {what}")
        if item_id in seen:
            raise ResponseError(f"id {item_id[:50]!r} appears twice in {what}")
        seen.add(item_id)
    return list(value)


def check_bool(value: Any) -> bool:
    """Return the learner's true/false answer."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    raise ResponseError(f'the answer must be true or false (or "true"/"false"), got {value!r:.50}')


def check_number(value: Any) -> float:
    """Return the learner's number."""
    if isinstance(value, bool):
        raise ResponseError("the answer must be a number, got bool", code="not_a_number")
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:
            raise ResponseError("the answer is too large", code="out_of_range") from None
        if not math.isfinite(number):
            raise ResponseError("the answer must be a finite number", code="out_of_range")
        return number
    text = check_string(value, "the answer")
    if not text.strip():
        raise ResponseError("the answer is empty", code="empty")
    try:
        return parse_number(text)
    except (ValueError, OverflowError):
        raise ResponseError(f"not a number: {text[:50]!r}", code="not_a_number") from None


def check_order(value: Any, known: list[str]) -> list[str]:
    """Return the learner's order: every item id exactly once."""
    order = check_id_list(value, known, "the order")
    if len(order) != len(known):
        raise ResponseError(
            f"the order must contain all {len(known)} items exactly once, got {len(order)}",
            code="incomplete_order",
        )
    return order


def check_matches(value: Any, lefts: Iterable[str], rights: Iterable[str]) -> dict[str, str | None]:
    """Return the learner's matches {left id: right id or None}."""
    if not isinstance(value, Mapping):
        raise ResponseError(f"the matches must be an object {{left id: right id}}, got {_describe(value)}")
    left_ids, right_ids = set(lefts), set(rights)
    matches: dict[str, str | None] = {}
    for left, right in value.items():
        left_id = check_string(left, "a left id")
        if left_id not in left_ids:
            raise ResponseError(f"unknown left id {left_id[:50]!r}")
        if right is not None and check_string(right, "a right id") not in right_ids:
            raise ResponseError(f"unknown right id {right[:50]!r} for left {left_id[:50]!r}")
        matches[left_id] = right
    return matches

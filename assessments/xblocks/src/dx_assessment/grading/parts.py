"""The parts questions are made of: choices, numeric and text answers, items and matching pairs.

Every part validates itself on construction and raises ``DefinitionError`` for a broken value.
Fractions are shares of the question's marks: 1.0 is full credit, 0.5 half, -0.5 a penalty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .errors import DefinitionError

MAX_TEXT_ANSWER_LENGTH = 1000


def check_text(value: Any, what: str, *, required: bool = True) -> None:
    """Raise unless ``value`` is a string (a non-blank one when ``required``)."""
    if not isinstance(value, str):
        raise DefinitionError(f"{what} must be a string, got {type(value).__name__}")
    if required and not value.strip():
        raise DefinitionError(f"{what} must not be empty")


def check_number(owner: Any, name: str, *, low: float | None = None, high: float | None = None) -> None:
    """Raise unless ``owner.name`` is a finite number in [low, high]; store it as a float."""
    value = getattr(owner, name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise DefinitionError(f"{name} must be a finite number, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise DefinitionError(f"{name} must be between {low} and {high}, got {value!r}")
    object.__setattr__(owner, name, float(value))


def check_unique_ids(ids: list[str], what: str) -> None:
    """Raise if an id repeats."""
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise DefinitionError(f"duplicate {what} id {item_id!r}")
        seen.add(item_id)


def check_id(value: Any) -> None:
    """Raise unless ``value`` is a usable id: a non-blank string of at most 100 characters."""
    check_text(value, "id")
    if len(value) > 100:
        raise DefinitionError(f"id {value[:20]!r}... is longer than 100 characters")


@dataclass(frozen=True, kw_only=True)
class Choice:
    """An option of a single-choice or multiple-response question."""

    id: str
    text: str
    fraction: float = 0.0
    feedback: str = ""

    def __post_init__(self) -> None:
        check_id(self.id)
        check_text(self.text, "choice text")
        check_number(self, "fraction", low=-1.0, high=1.0)
        check_text(self.feedback, "feedback", required=False)


@dataclass(frozen=True, kw_only=True)
class NumericAnswer:
    """A numeric answer: a response within ``tolerance`` of ``value`` earns ``fraction``."""

    value: float
    tolerance: float = 0.0
    fraction: float = 1.0
    feedback: str = ""

    def __post_init__(self) -> None:
        check_number(self, "value")
        check_number(self, "tolerance", low=0.0)
        check_number(self, "fraction", low=0.0, high=1.0)
        check_text(self.feedback, "feedback", required=False)


@dataclass(frozen=True, kw_only=True)
class TextAnswer:
    """An accepted short-text answer; ``*`` is a wildcard and ``\\*`` a literal asterisk."""

    text: str
    fraction: float = 1.0
    feedback: str = ""

    def __post_init__(self) -> None:
        check_text(self.text, "accepted answer")
        if len(self.text) > MAX_TEXT_ANSWER_LENGTH:
            raise DefinitionError(f"accepted answer is longer than {MAX_TEXT_ANSWER_LENGTH} characters")
        check_number(self, "fraction", low=0.0, high=1.0)
        check_text(self.feedback, "feedback", required=False)


@dataclass(frozen=True, kw_only=True)
class Item:
    """An item with an id: an ordering item, or one side of a matching pair, or a distractor."""

    id: str
    text: str

    def __post_init__(self) -> None:
        check_id(self.id)
        check_text(self.text, "item text")


@dataclass(frozen=True, kw_only=True)
class MatchPair:
    """A left item and the right item it must be matched to."""

    left: Item
    right: Item

    def __post_init__(self) -> None:
        if not isinstance(self.left, Item) or not isinstance(self.right, Item):
            raise DefinitionError("a matching pair is made of two Item objects")

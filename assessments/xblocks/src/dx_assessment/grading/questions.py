"""Question definitions: one frozen dataclass per question type, with a common base.

All question classes are keyword-only and immutable; list arguments are stored as tuples. They validate
themselves on construction (``DefinitionError``) so that a stored question is always scorable:

- every question has non-blank ``text``, a ``text_format`` of "plain", "html" or "markdown", an
  ``explanation`` (general feedback, shown after submission whatever the answer), a ``weight`` >= 0
  (its marks in an attempt) and an optional ``name``;
- ``SingleChoice`` has >= 2 choices and at least one with fraction 1.0;
- ``MultipleResponse`` has >= 2 choices whose positive fractions add up to 1.0 (within 0.005, so that
  authors' rounded percentages such as 3 x 33.333 % are accepted);
- ``Numeric`` and ``ShortText`` have at least one answer with fraction 1.0;
- ``Ordering`` has >= 2 items; ``Matching`` has >= 1 pair, one right text per right id, and distractor
  ids that are not the id of a paired right item;
- ids are unique within their list. Ids must not encode correctness (the importers derive them from the
  text), because learners see them.

``to_dict()`` gives a JSON-serialisable dict with a ``"type"`` and a ``"version"`` key, and
``Question.from_dict()`` rebuilds any question type from it (``SingleChoice.from_dict`` only accepts
single-choice data).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Literal

from .codec import decode_dataclass, encode
from .errors import DefinitionError
from .parts import Choice, Item, MatchPair, NumericAnswer, TextAnswer, check_number, check_text

TextFormat = Literal["plain", "html", "markdown"]
TEXT_FORMATS: tuple[TextFormat, ...] = ("plain", "html", "markdown")
SCHEMA_VERSION = 1
POSITIVE_SUM_TOLERANCE = 0.005

_REGISTRY: dict[str, type[Question]] = {}


@dataclass(frozen=True, kw_only=True)
class Question:
    """Fields common to every question type. Not instantiated itself."""

    TYPE: ClassVar[str] = ""

    text: str
    text_format: TextFormat = "plain"
    explanation: str = ""
    weight: float = 1.0
    name: str | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.TYPE:
            _REGISTRY[cls.TYPE] = cls

    def __post_init__(self) -> None:
        if not self.TYPE:
            raise DefinitionError("Question is abstract: use one of its subclasses")
        for field in fields(self):
            if isinstance(getattr(self, field.name), list):
                object.__setattr__(self, field.name, tuple(getattr(self, field.name)))
        check_text(self.text, "question text")
        if self.text_format not in TEXT_FORMATS:
            raise DefinitionError(f"text_format must be one of {TEXT_FORMATS}, got {self.text_format!r}")
        check_text(self.explanation, "explanation", required=False)
        check_number(self, "weight", low=0.0)
        if self.name is not None:
            check_text(self.name, "name")
        self.validate()

    def validate(self) -> None:
        """Check the rules of the question type; overridden by each subclass."""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict, tagged with ``type`` and ``version``."""
        return {"type": self.TYPE, "version": SCHEMA_VERSION, **encode(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Question:
        """Rebuild a question from ``to_dict()`` output; raise ``DefinitionError`` if it is malformed."""
        if not isinstance(data, Mapping):
            raise DefinitionError(f"expected an object, got {type(data).__name__}")
        version = data.get("version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise DefinitionError(f"unsupported question schema version {version!r}")
        qtype = data.get("type")
        target = _REGISTRY.get(qtype) if isinstance(qtype, str) else None
        if target is None or not issubclass(target, cls):
            raise DefinitionError(f"unknown question type {data.get('type')!r} for {cls.__name__}")
        return decode_dataclass(target, data, target.TYPE, ignore=frozenset({"type", "version"}))


def _check_parts(values: tuple[Any, ...], kind: type, what: str, minimum: int) -> None:
    if len(values) < minimum:
        raise DefinitionError(f"{what}: needs at least {minimum}, got {len(values)}")
    for value in values:
        if not isinstance(value, kind):
            raise DefinitionError(f"{what} must be {kind.__name__} objects, got {type(value).__name__}")
    ids = [value.id for value in values if hasattr(value, "id")]
    if len(set(ids)) != len(ids):
        raise DefinitionError(f"{what} ids must be unique")


def _check_has_full_credit(fractions: list[float], what: str) -> None:
    if not any(fraction >= 1.0 - 1e-9 for fraction in fractions):
        raise DefinitionError(f"needs at least one {what} with fraction 1.0 (100 %)")


@dataclass(frozen=True, kw_only=True)
class SingleChoice(Question):
    """Pick exactly one choice; it earns its fraction."""

    TYPE: ClassVar[str] = "single_choice"
    choices: tuple[Choice, ...]
    shuffle_choices: bool = True

    def validate(self) -> None:
        _check_parts(self.choices, Choice, "choices", 2)
        _check_has_full_credit([c.fraction for c in self.choices], "choice")


@dataclass(frozen=True, kw_only=True)
class MultipleResponse(Question):
    """Pick any number of choices; the fractions of the picked choices add up."""

    TYPE: ClassVar[str] = "multiple_response"
    choices: tuple[Choice, ...]
    shuffle_choices: bool = True

    def validate(self) -> None:
        _check_parts(self.choices, Choice, "choices", 2)
        total = sum(c.fraction for c in self.choices if c.fraction > 0)
        if abs(total - 1.0) > POSITIVE_SUM_TOLERANCE:
            raise DefinitionError(f"the positive fractions add up to {total:.5g}, not 1.0")


@dataclass(frozen=True, kw_only=True)
class TrueFalse(Question):
    """Answer true or false; ``feedback_true``/``feedback_false`` go with the learner's pick."""

    TYPE: ClassVar[str] = "true_false"
    correct_answer: bool
    feedback_true: str = ""
    feedback_false: str = ""

    def validate(self) -> None:
        if not isinstance(self.correct_answer, bool):
            raise DefinitionError("correct_answer must be True or False")
        check_text(self.feedback_true, "feedback_true", required=False)
        check_text(self.feedback_false, "feedback_false", required=False)


@dataclass(frozen=True, kw_only=True)
class Numeric(Question):
    """Type a number; ``other_feedback`` is shown when it matches no answer."""

    TYPE: ClassVar[str] = "numeric"
    answers: tuple[NumericAnswer, ...]
    other_feedback: str = ""

    def validate(self) -> None:
        _check_parts(self.answers, NumericAnswer, "answers", 1)
        _check_has_full_credit([a.fraction for a in self.answers], "answer")
        check_text(self.other_feedback, "other_feedback", required=False)


@dataclass(frozen=True, kw_only=True)
class ShortText(Question):
    """Type a short text, compared with the accepted answers after normalisation."""

    TYPE: ClassVar[str] = "short_text"
    answers: tuple[TextAnswer, ...]
    case_sensitive: bool = False
    kana_insensitive: bool = False

    def validate(self) -> None:
        _check_parts(self.answers, TextAnswer, "answers", 1)
        _check_has_full_credit([a.fraction for a in self.answers], "answer")
        if not isinstance(self.case_sensitive, bool) or not isinstance(self.kana_insensitive, bool):
            raise DefinitionError("case_sensitive and kana_insensitive must be True or False")


@dataclass(frozen=True, kw_only=True)
class Ordering(Question):
    """Put the items in order; ``items`` is the correct order."""

    TYPE: ClassVar[str] = "ordering"
    items: tuple[Item, ...]

    def validate(self) -> None:
        _check_parts(self.items, Item, "items", 2)


@dataclass(frozen=True, kw_only=True)
class Matching(Question):
    """Match each left item to a right item; ``distractors`` are extra right items matching nothing."""

    TYPE: ClassVar[str] = "matching"
    pairs: tuple[MatchPair, ...]
    distractors: tuple[Item, ...] = ()

    def validate(self) -> None:
        _check_parts(self.pairs, MatchPair, "pairs", 1)
        _check_parts(self.distractors, Item, "distractors", 0)
        lefts = [pair.left.id for pair in self.pairs]
        if len(set(lefts)) != len(lefts):
            raise DefinitionError("left ids must be unique")
        rights: dict[str, str] = {}
        for pair in self.pairs:
            if rights.setdefault(pair.right.id, pair.right.text) != pair.right.text:
                raise DefinitionError(f"right id {pair.right.id!r} is used with two different texts")
        for item in self.distractors:
            if item.id in rights:
                raise DefinitionError(f"distractor id {item.id!r} is also the id of a paired right item")

    def rights(self) -> tuple[Item, ...]:
        """The distinct right items of the pairs followed by the distractors, in authoring order."""
        unique = {pair.right.id: pair.right for pair in self.pairs}
        return (*unique.values(), *self.distractors)


QUESTION_TYPES: tuple[type[Question], ...] = (
    SingleChoice,
    MultipleResponse,
    TrueFalse,
    Numeric,
    ShortText,
    Ordering,
    Matching,
)

"""What a learner may see of a question before submitting, and the deterministic shuffle.

``public_view`` returns a JSON-serialisable dict with the question text, its format, its weight and the
ids and texts the learner chooses from. It never contains fractions, feedback, the explanation,
accepted answers, numeric answers or tolerances, correct ids, or the question's name.

The order shown is a function of the *set* of options and the seed only, never of the answer key:
options are first put in a canonical order (by text, then id) and then shuffled by the seed. So
knowing the seed and the view tells nothing about which option is right, and the same seed always
gives the same view (a review page years later shows what the learner saw). With
``shuffle_seed=None`` nothing is shuffled: choices keep the author's order, and the items of an
ordering question and the right-hand side of a matching question are shown in the canonical order
(the author's order would give the answer away).

Choices of a question with ``shuffle_choices=False`` keep the author's order even with a seed (for
"all of the above" choices). The left-hand side of a matching question keeps the author's order.

The shuffle is a Fisher-Yates shuffle driven by SHA-256 of ``seed:salt:step``, so it does not depend on
``random``'s implementation and is identical on every Python version and platform.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, TypeVar

from .parts import Choice, Item
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
from .responses import MAX_RESPONSE_LENGTH

T = TypeVar("T")


def shuffled(items: Sequence[T], seed: int, *, salt: str = "") -> list[T]:
    """Return a permutation of ``items`` that depends only on their order, ``seed`` and ``salt``."""
    result = list(items)
    for step in range(len(result) - 1, 0, -1):
        digest = hashlib.sha256(f"{seed}:{salt}:{step}".encode()).digest()
        other = int.from_bytes(digest, "big") % (step + 1)
        result[step], result[other] = result[other], result[step]
    return result


def _canonical(items: Sequence[Choice | Item]) -> list[Choice | Item]:
    return sorted(items, key=lambda item: (item.text, item.id))


def _arranged(items: Sequence[Choice | Item], seed: int | None, salt: str) -> list[dict[str, str]]:
    ordered = _canonical(items)
    if seed is not None:
        ordered = shuffled(ordered, seed, salt=salt)
    return [{"id": item.id, "text": item.text} for item in ordered]


def public_view(question: Question, *, shuffle_seed: int | None) -> dict[str, Any]:
    """Return what a learner may see of ``question`` before submitting (see the module docstring)."""
    if shuffle_seed is not None and (isinstance(shuffle_seed, bool) or not isinstance(shuffle_seed, int)):
        raise TypeError("shuffle_seed must be an int or None")
    view: dict[str, Any] = {
        "type": question.TYPE,
        "text": question.text,
        "text_format": question.text_format,
        "weight": question.weight,
    }
    match question:
        case SingleChoice() | MultipleResponse():
            if question.shuffle_choices and shuffle_seed is not None:
                view["choices"] = _arranged(question.choices, shuffle_seed, "choices")
            else:
                view["choices"] = [{"id": c.id, "text": c.text} for c in question.choices]
        case TrueFalse():
            view["choices"] = [{"id": "true"}, {"id": "false"}]
        case Numeric():
            pass
        case ShortText():
            view["max_length"] = MAX_RESPONSE_LENGTH
        case Ordering():
            view["items"] = _arranged(question.items, shuffle_seed, "items")
        case Matching():
            view["lefts"] = [{"id": p.left.id, "text": p.left.text} for p in question.pairs]
            view["rights"] = _arranged(question.rights(), shuffle_seed, "rights")
        case _:
            raise TypeError(f"not a question: {type(question).__name__}")
    return view

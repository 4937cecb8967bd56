"""Question definitions and scoring, in pure Python (standard library only).

This package imports nothing from Django, Wagtail or the rest of the project: the site, Celery, the
Open edX XBlock and the benchmarks all run the same code. Keep it that way (a test checks it).

- ``questions`` / ``parts``: frozen dataclasses for the seven question types, ``to_dict``/``from_dict``;
- ``public``: ``public_view`` (what a learner may see before submitting) and the seeded shuffle;
- ``responses``: the accepted response shapes; ``normalize``: text and number normalisation;
- ``scoring``: ``score`` and ``attempt_score``, with the scoring rules in its docstring:
  single choice / true-false earn the picked option's fraction; multiple response the clamped sum of
  the picked fractions (a default penalty of 1/len(correct) per wrong pick when the author gave no
  negative fraction); numeric the best answer within tolerance; short text the best accepted answer
  after NFKC, whitespace, case and (optionally) kana folding with ``*`` wildcards; ordering the share
  of item pairs in the correct relative order; matching the share of lefts matched correctly.
"""

from .errors import DefinitionError, ResponseError
from .normalize import katakana_to_hiragana, normalize_text, parse_number, text_matches
from .parts import Choice, Item, MatchPair, NumericAnswer, TextAnswer
from .public import public_view, shuffled
from .questions import (
    QUESTION_TYPES,
    SCHEMA_VERSION,
    TEXT_FORMATS,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Question,
    ShortText,
    SingleChoice,
    TextFormat,
    TrueFalse,
)
from .responses import MAX_RESPONSE_LENGTH
from .scoring import Result, attempt_score, correct_response, score

__all__ = [
    "MAX_RESPONSE_LENGTH",
    "QUESTION_TYPES",
    "SCHEMA_VERSION",
    "TEXT_FORMATS",
    "Choice",
    "DefinitionError",
    "Item",
    "MatchPair",
    "Matching",
    "MultipleResponse",
    "Numeric",
    "NumericAnswer",
    "Ordering",
    "Question",
    "ResponseError",
    "Result",
    "ShortText",
    "SingleChoice",
    "TextAnswer",
    "TextFormat",
    "TrueFalse",
    "attempt_score",
    "correct_response",
    "katakana_to_hiragana",
    "normalize_text",
    "parse_number",
    "public_view",
    "score",
    "shuffled",
    "text_matches",
]

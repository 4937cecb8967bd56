"""Hypothesis strategies for questions, shaped so that both Moodle formats can carry them.

Texts mix GIFT's special characters, XML's, Japanese and any printable Unicode; they are trimmed
(both formats trim). Ids are derived from the texts as the importers derive them, so that
``parse(render(q)) == q``. ``gift=True`` also keeps to what GIFT can express (no ordering, weight 1,
default flags, no '->' where it would be read as a matching pair).
"""

from dx_assessment.grading import (
    Choice,
    Item,
    Matching,
    MatchPair,
    MultipleResponse,
    Numeric,
    NumericAnswer,
    Ordering,
    ShortText,
    SingleChoice,
    TextAnswer,
    TrueFalse,
)
from hypothesis import settings
from hypothesis import strategies as st

from assessments.formats import derive_ids

PROPERTY = settings(deadline=None, max_examples=150)

SPECIAL = [
    *'~=#{}:\\%->[]/$*\n"<>&',
    "]]>",
    "->",
    "//",
    "[html]",
    "日本語",
    "あいう",
    "アイウ",
    "漢字",
    "\u3000",
]
_chars = st.one_of(st.sampled_from(SPECIAL), st.characters(exclude_categories=("Cs", "Cc", "Co", "Cn")))


def texts(max_size: int = 20) -> st.SearchStrategy[str]:
    """Non-blank trimmed texts full of special characters."""
    return (
        st.lists(_chars, min_size=1, max_size=max_size).map(lambda parts: "".join(parts).strip()).filter(bool)
    )


def no_arrow(max_size: int = 20) -> st.SearchStrategy[str]:
    return texts(max_size).filter(lambda text: "->" not in text)


feedbacks = st.one_of(st.just(""), texts())
formats = st.sampled_from(["plain", "html", "markdown"])


@st.composite
def _common(draw, gift: bool) -> dict:
    return {
        "text": draw(texts(40)),
        "text_format": draw(formats),
        "explanation": draw(feedbacks),
        "weight": 1.0 if gift else draw(st.floats(min_value=0, max_value=100)),
        "name": draw(st.one_of(st.none(), texts())),
    }


@st.composite
def single_choices(draw, gift: bool = False) -> SingleChoice:
    labels = draw(st.lists(texts(), min_size=2, max_size=5))
    others = st.sampled_from([0.0, 0.5, -0.5, 0.25, 0.3333333, -0.3333333, -1.0, 0.9, 1.0])
    fractions = [draw(others) for _ in labels]
    correct = draw(st.integers(0, len(labels) - 1))
    fractions[correct] = 1.0
    if all(fraction == 1.0 for fraction in fractions):
        fractions[(correct + 1) % len(labels)] = 0.0
    choices = [
        Choice(id=choice_id, text=text, fraction=fraction, feedback=draw(feedbacks))
        for choice_id, text, fraction in zip(derive_ids(labels), labels, fractions, strict=True)
    ]
    shuffle = True if gift else draw(st.booleans())
    return SingleChoice(**draw(_common(gift)), choices=choices, shuffle_choices=shuffle)


@st.composite
def multiple_responses(draw, gift: bool = False) -> MultipleResponse:
    labels = draw(st.lists(texts(), min_size=2, max_size=6))
    positive = draw(st.integers(1, len(labels)))
    share = round(1 / positive, 7)
    negatives = st.sampled_from([0.0, -0.5, -1.0, -share]) if draw(st.booleans()) else st.just(0.0)
    fractions = [share] * positive + [draw(negatives) for _ in range(len(labels) - positive)]
    fractions = draw(st.permutations(fractions))
    choices = [
        Choice(id=choice_id, text=text, fraction=fraction, feedback=draw(feedbacks))
        for choice_id, text, fraction in zip(derive_ids(labels), labels, fractions, strict=True)
    ]
    shuffle = True if gift else draw(st.booleans())
    return MultipleResponse(**draw(_common(gift)), choices=choices, shuffle_choices=shuffle)


@st.composite
def true_falses(draw, gift: bool = False) -> TrueFalse:
    return TrueFalse(
        **draw(_common(gift)),
        correct_answer=draw(st.booleans()),
        feedback_true=draw(feedbacks),
        feedback_false=draw(feedbacks),
    )


_values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def numerics(draw, gift: bool = False) -> Numeric:
    count = draw(st.integers(1, 3))
    fractions = [draw(st.sampled_from([0.0, 0.5, 0.25, 1.0])) for _ in range(count)]
    fractions[draw(st.integers(0, count - 1))] = 1.0
    answers = [
        NumericAnswer(
            value=draw(_values),
            tolerance=draw(st.floats(min_value=0, max_value=1000)),
            fraction=fraction,
            feedback=draw(feedbacks),
        )
        for fraction in fractions
    ]
    return Numeric(**draw(_common(gift)), answers=answers, other_feedback=draw(feedbacks))


@st.composite
def short_texts(draw, gift: bool = False) -> ShortText:
    labels = draw(st.lists(no_arrow() if gift else texts(), min_size=1, max_size=3))
    fractions = [draw(st.sampled_from([0.0, 0.5, 0.9, 1.0])) for _ in labels]
    fractions[draw(st.integers(0, len(labels) - 1))] = 1.0
    answers = [
        TextAnswer(text=text, fraction=fraction, feedback=draw(feedbacks))
        for text, fraction in zip(labels, fractions, strict=True)
    ]
    flags = (False, False) if gift else (draw(st.booleans()), draw(st.booleans()))
    return ShortText(
        **draw(_common(gift)), answers=answers, case_sensitive=flags[0], kana_insensitive=flags[1]
    )


@st.composite
def orderings(draw, gift: bool = False) -> Ordering:
    labels = draw(st.lists(texts(), min_size=2, max_size=6))
    items = [Item(id=item_id, text=text) for item_id, text in zip(derive_ids(labels), labels, strict=True)]
    return Ordering(**draw(_common(gift)), items=items)


@st.composite
def matchings(draw, gift: bool = False) -> Matching:
    lefts = draw(st.lists(no_arrow() if gift else texts(), min_size=2, max_size=5))
    pool = draw(st.lists(texts(), min_size=1, max_size=len(lefts), unique=True))
    rights = [draw(st.sampled_from(pool)) for _ in lefts]
    unique_rights = list(dict.fromkeys(rights))
    extra = draw(st.lists(texts().filter(lambda text: text not in pool), max_size=2, unique=True))
    right_ids = dict(zip(unique_rights + extra, derive_ids(unique_rights + extra), strict=True))
    pairs = [
        MatchPair(left=Item(id=left_id, text=left), right=Item(id=right_ids[right], text=right))
        for left_id, left, right in zip(derive_ids(lefts), lefts, rights, strict=True)
    ]
    distractors = [Item(id=right_ids[text], text=text) for text in extra]
    return Matching(**draw(_common(gift)), pairs=pairs, distractors=distractors)


def questions(gift: bool = False) -> st.SearchStrategy:
    """Any question type (all but ordering when ``gift``)."""
    kinds = [single_choices, multiple_responses, true_falses, numerics, short_texts, matchings]
    if not gift:
        kinds.append(orderings)
    return st.one_of(*(kind(gift) for kind in kinds))


category_names = texts(15).filter(lambda name: name != "top" and not name.startswith(("/", "$")))
categories = st.lists(category_names.filter(lambda name: not name.endswith("/")), max_size=3)

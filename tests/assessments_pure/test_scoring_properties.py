"""Properties of scoring that hold for every question type."""

import math
import re

from dx_assessment.grading import (
    Matching,
    MultipleResponse,
    Ordering,
    ResponseError,
    SingleChoice,
    attempt_score,
    correct_response,
    katakana_to_hiragana,
    normalize_text,
    parse_number,
    score,
    text_matches,
)
from hypothesis import given
from hypothesis import strategies as st

from .strategies import PROPERTY, questions, texts

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)


def plausible_responses(question) -> st.SearchStrategy:
    """Well-typed responses made of the question's own ids, in any combination."""
    if isinstance(question, SingleChoice | MultipleResponse):
        ids = [c.id for c in question.choices]
        return st.sampled_from(ids) | st.lists(st.sampled_from(ids), max_size=len(ids))
    if isinstance(question, Ordering):
        return st.permutations([item.id for item in question.items])
    if isinstance(question, Matching):
        lefts = [pair.left.id for pair in question.pairs]
        rights = [item.id for item in question.rights()]
        return st.dictionaries(st.sampled_from(lefts), st.none() | st.sampled_from(rights))
    return st.booleans() | st.floats() | st.text(max_size=30)


@PROPERTY
@given(questions())
def test_the_key_response_earns_full_credit(question):
    result = score(question, correct_response(question))
    assert result.fraction == 1.0
    assert result.correct


@PROPERTY
@given(questions(), json_values)
def test_junk_responses_raise_response_error_or_score_within_bounds(question, junk):
    try:
        result = score(question, junk)
    except ResponseError:
        return
    assert 0.0 <= result.fraction <= 1.0
    assert result.correct == (result.fraction == 1.0)


@PROPERTY
@given(st.data())
def test_plausible_responses_score_within_bounds(data):
    question = data.draw(questions())
    response = data.draw(plausible_responses(question))
    try:
        result = score(question, response)
    except ResponseError:
        return
    assert 0.0 <= result.fraction <= 1.0
    assert all(isinstance(text, str) and text for text in result.feedback)


@PROPERTY
@given(st.lists(st.tuples(questions(), st.booleans(), st.floats(min_value=0, max_value=10)), max_size=5))
def test_attempt_percent_is_within_bounds(entries):
    items = [(q, correct_response(q) if answered else None, weight) for q, answered, weight in entries]
    points, maximum, percent = attempt_score(items)
    assert 0.0 <= points <= maximum + 1e-9
    assert 0.0 <= percent <= 100.0
    if all(answered for _, answered, _ in entries) and maximum > 0:
        assert percent == 100.0


@PROPERTY
@given(texts())
def test_a_text_matches_itself_after_normalisation(text):
    literal = text.replace("\\", "").replace("*", "")
    if literal.strip():
        assert text_matches(literal, literal)
        assert text_matches(literal, f"  {literal} ")
        ascii_swapped = "".join(c.swapcase() if c.isascii() else c for c in literal)
        assert text_matches(literal, ascii_swapped)


@PROPERTY
@given(st.text(alphabet=st.characters(min_codepoint=0x30A1, max_codepoint=0x30F6), max_size=20))
def test_katakana_and_hiragana_compare_equal_when_kana_insensitive(katakana):
    hiragana = katakana_to_hiragana(katakana)
    assert normalize_text(katakana, kana_insensitive=True) == normalize_text(hiragana, kana_insensitive=True)


@PROPERTY
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_parse_number_reads_python_float_text(value):
    assert parse_number(repr(value)) == value


@PROPERTY
@given(st.text(max_size=40))
def test_parse_number_returns_a_finite_float_or_raises_value_error(text):
    try:
        value = parse_number(text)
    except ValueError:
        return
    assert math.isfinite(value)


@PROPERTY
@given(st.text(alphabet="ab*", min_size=1, max_size=8), st.text(alphabet="ab", min_size=1, max_size=12))
def test_wildcards_match_like_a_regular_expression(pattern, response):
    if not pattern.replace("*", ""):
        pattern += "a"
    expected = re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), response) is not None
    assert text_matches(pattern, response, case_sensitive=True) == expected

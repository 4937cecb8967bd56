"""The scoring rules, one example at a time (the properties are in test_scoring_properties)."""

import time

import pytest
from dx_assessment.grading import (
    Choice,
    Item,
    Matching,
    MatchPair,
    MultipleResponse,
    Numeric,
    NumericAnswer,
    Ordering,
    ResponseError,
    ShortText,
    SingleChoice,
    TextAnswer,
    TrueFalse,
    attempt_score,
    score,
)


def choices(**fractions: float) -> list[Choice]:
    return [
        Choice(id=key, text=key.upper(), fraction=value, feedback=f"fb {key}")
        for key, value in fractions.items()
    ]


SINGLE = SingleChoice(text="Q", choices=choices(a=1.0, b=0.5, c=-0.5))
TRUE = TrueFalse(text="Q", correct_answer=True, feedback_true="yes", feedback_false="no")


class TestSingleChoiceAndTrueFalse:
    def test_the_picked_fraction_is_the_score(self):
        assert score(SINGLE, "a").fraction == 1.0 and score(SINGLE, "a").correct
        assert score(SINGLE, "b").fraction == 0.5 and not score(SINGLE, "b").correct

    def test_a_negative_fraction_is_clamped_to_zero(self):
        result = score(SINGLE, "c")
        assert result.fraction == 0.0
        assert result.per_part == {"c": -0.5}
        assert result.feedback == ["fb c"]

    def test_true_false_accepts_bools_and_form_strings(self):
        assert score(TRUE, True).correct
        assert score(TRUE, "true").correct
        assert score(TRUE, False).fraction == 0.0
        assert score(TRUE, "false").feedback == ["no"]

    @pytest.mark.parametrize("response", ["z", 1, None, ["a"], "a" * 1001])
    def test_a_malformed_single_choice_response_is_rejected(self, response):
        with pytest.raises(ResponseError):
            score(SINGLE, response)

    @pytest.mark.parametrize("response", ["yes", 1, 0, None, "True"])
    def test_a_malformed_true_false_response_is_rejected(self, response):
        with pytest.raises(ResponseError, match="true or false"):
            score(TRUE, response)


class TestMultipleResponse:
    WITH_PENALTIES = MultipleResponse(text="Q", choices=choices(a=0.5, b=0.5, c=-0.5, d=-0.5))
    WITHOUT_PENALTIES = MultipleResponse(text="Q", choices=choices(a=0.5, b=0.5, c=0.0, d=0.0))
    THIRDS = MultipleResponse(text="Q", choices=choices(a=0.33333, b=0.33333, c=0.33333, d=-1))

    def test_the_fractions_of_the_picked_options_add_up(self):
        assert score(self.WITH_PENALTIES, ["a", "b"]).fraction == 1.0
        assert score(self.WITH_PENALTIES, ["a"]).fraction == 0.5
        assert score(self.WITH_PENALTIES, ["a", "c"]).fraction == 0.0
        assert score(self.WITH_PENALTIES, []).fraction == 0.0

    def test_selecting_everything_does_not_pay(self):
        assert score(self.WITH_PENALTIES, ["a", "b", "c", "d"]).fraction == 0.0
        assert score(self.WITHOUT_PENALTIES, ["a", "b", "c", "d"]).fraction == 0.0

    def test_without_negative_fractions_each_wrong_pick_costs_one_over_the_number_correct(self):
        result = score(self.WITHOUT_PENALTIES, ["a", "b", "c"])
        assert result.fraction == 0.5
        assert result.per_part == {"a": 0.5, "b": 0.5, "c": -0.5}

    def test_rounded_thirds_give_full_credit(self):
        assert score(self.THIRDS, ["a", "b", "c"]).correct
        assert score(self.THIRDS, ["a", "b", "c"]).fraction == 1.0

    @pytest.mark.parametrize(
        ("response", "message"),
        [
            ("a", "list of ids"),
            (["a", "a"], "twice"),
            (["z"], "unknown id"),
            ([1], "string"),
            ({"a": 1}, "list"),
        ],
    )
    def test_a_malformed_selection_is_rejected(self, response, message):
        with pytest.raises(ResponseError, match=message):
            score(self.WITH_PENALTIES, response)


class TestNumeric:
    QUESTION = Numeric(
        text="Q",
        answers=[
            NumericAnswer(value=12.5, tolerance=0.1, fraction=1.0, feedback="exact"),
            NumericAnswer(value=12.5, tolerance=1.0, fraction=0.5, feedback="close"),
        ],
        other_feedback="other",
    )

    @pytest.mark.parametrize(
        "response", [12.5, "12.5", "１２．５", "12,5", " 12.45 ", "+12.5", "1.25e1", 12.6]
    )
    def test_accepted_spellings_of_the_answer(self, response):
        assert score(self.QUESTION, response).correct

    def test_the_best_matching_answer_wins(self):
        result = score(self.QUESTION, "13")
        assert result.fraction == 0.5
        assert result.feedback == ["close"]

    def test_no_match_gives_the_other_feedback(self):
        assert score(self.QUESTION, -12.5).feedback == ["other"]
        assert score(self.QUESTION, -12.5).fraction == 0.0

    def test_floating_point_noise_does_not_fail_an_exact_answer(self):
        question = Numeric(text="Q", answers=[NumericAnswer(value=0.3)])
        assert score(question, 0.1 + 0.2).correct

    def test_japanese_thousands_separators(self):
        question = Numeric(text="Q", answers=[NumericAnswer(value=12345.5)])
        assert score(question, "12,345.5").correct
        assert score(question, "１２，３４５．５").correct

    @pytest.mark.parametrize(
        "response", ["abc", "", " ", "12.5m", "1,2,3", "nan", "inf", True, None, [1], "1" * 1001]
    )
    def test_non_numbers_are_rejected(self, response):
        with pytest.raises(ResponseError):
            score(self.QUESTION, response)

    def test_a_huge_int_is_rejected_not_crashing(self):
        with pytest.raises(ResponseError, match="too large"):
            score(self.QUESTION, 10**400)


class TestShortText:
    CAPITAL = ShortText(
        text="Q",
        answers=[
            TextAnswer(text="東京", feedback="正解"),
            TextAnswer(text="Tokyo*", fraction=1.0),
            TextAnswer(text="とうきょう", fraction=0.5, feedback="漢字で"),
            TextAnswer(text="*", fraction=0.0, feedback="ちがいます"),
        ],
    )

    @pytest.mark.parametrize(
        "response", ["東京", " 東京 ", "ｔｏｋｙｏ", "TOKYO", "Tokyo-to", "tokyo  metropolis"]
    )
    def test_normalised_matches(self, response):
        assert score(self.CAPITAL, response).correct

    def test_the_best_fraction_wins_over_an_earlier_catch_all(self):
        question = ShortText(text="Q", answers=[TextAnswer(text="*", fraction=0.0), TextAnswer(text="a")])
        assert score(question, "A").correct

    def test_partial_credit_and_catch_all_feedback(self):
        assert score(self.CAPITAL, "とうきょう").fraction == 0.5
        assert score(self.CAPITAL, "大阪").feedback == ["ちがいます"]
        assert score(self.CAPITAL, "大阪").fraction == 0.0

    def test_a_blank_response_earns_nothing_even_against_a_wildcard(self):
        assert score(self.CAPITAL, "   ").fraction == 0.0
        assert score(self.CAPITAL, "   ").feedback == []

    def test_case_sensitive(self):
        question = ShortText(text="Q", answers=[TextAnswer(text="pH")], case_sensitive=True)
        assert score(question, "pH").correct
        assert not score(question, "PH").correct
        assert score(question, "ｐH").correct  # full-width letters are still folded by NFKC

    def test_kana_insensitive(self):
        question = ShortText(text="Q", answers=[TextAnswer(text="トウキョウ")], kana_insensitive=True)
        assert score(question, "とうきょう").correct
        assert score(question, "ﾄｳｷｮｳ").correct  # half-width katakana
        strict = ShortText(text="Q", answers=[TextAnswer(text="トウキョウ")])
        assert not score(strict, "とうきょう").correct

    def test_an_escaped_asterisk_is_literal(self):
        question = ShortText(text="Q", answers=[TextAnswer(text="a\\*b")])
        assert score(question, "a*b").correct
        assert not score(question, "axb").correct

    def test_whitespace_around_a_wildcard_is_significant_inside(self):
        question = ShortText(text="Q", answers=[TextAnswer(text="* apple")])
        assert score(question, "an   apple").correct
        assert not score(question, "pineapple").correct

    def test_many_wildcards_against_a_long_response_is_fast(self):
        question = ShortText(text="Q", answers=[TextAnswer(text="*a*a*a*a*a*a*a*a*a*b")])
        started = time.monotonic()
        assert not score(question, "a" * 1000).correct
        assert time.monotonic() - started < 0.5
        assert score(question, "xa" * 9 + "yb").correct

    @pytest.mark.parametrize("response", [None, 1, ["東京"], "x" * 1001])
    def test_malformed_text_is_rejected(self, response):
        with pytest.raises(ResponseError):
            score(self.CAPITAL, response)


class TestOrdering:
    QUESTION = Ordering(text="Q", items=[Item(id=i, text=i) for i in "abcd"])

    @pytest.mark.parametrize(
        ("order", "fraction"),
        [("abcd", 1.0), ("dcba", 0.0), ("bacd", 5 / 6), ("abdc", 5 / 6), ("dabc", 3 / 6), ("cdab", 2 / 6)],
    )
    def test_the_share_of_pairs_in_the_correct_order(self, order, fraction):
        assert score(self.QUESTION, list(order)).fraction == pytest.approx(fraction)

    def test_per_part_is_the_share_of_items_each_item_is_correctly_placed_against(self):
        result = score(self.QUESTION, list("dabc"))
        assert result.per_part == pytest.approx({"a": 2 / 3, "b": 2 / 3, "c": 2 / 3, "d": 0.0})

    @pytest.mark.parametrize(
        ("response", "message"),
        [(list("abc"), "all 4 items"), (list("abcc"), "twice"), (list("abcz"), "unknown"), ("abcd", "list")],
    )
    def test_an_incomplete_or_invalid_order_is_rejected(self, response, message):
        with pytest.raises(ResponseError, match=message):
            score(self.QUESTION, response)


class TestMatching:
    QUESTION = Matching(
        text="Q",
        pairs=[
            MatchPair(left=Item(id="dog", text="Dog"), right=Item(id="m", text="mammal")),
            MatchPair(left=Item(id="cat", text="Cat"), right=Item(id="m", text="mammal")),
            MatchPair(left=Item(id="eagle", text="Eagle"), right=Item(id="b", text="bird")),
            MatchPair(left=Item(id="ant", text="Ant"), right=Item(id="i", text="insect")),
        ],
        distractors=[Item(id="f", text="fish")],
    )

    def test_the_share_of_lefts_matched(self):
        assert score(self.QUESTION, {"dog": "m", "cat": "m", "eagle": "b", "ant": "i"}).correct
        result = score(self.QUESTION, {"dog": "m", "cat": "f", "eagle": None})
        assert result.fraction == 0.25
        assert result.per_part == {"dog": 1.0, "cat": 0.0, "eagle": 0.0, "ant": 0.0}

    @pytest.mark.parametrize(
        ("response", "message"),
        [
            (["m"], "object"),
            ({"wolf": "m"}, "unknown left"),
            ({"dog": "x"}, "unknown right"),
            ({"dog": 1}, "string"),
        ],
    )
    def test_malformed_matches_are_rejected(self, response, message):
        with pytest.raises(ResponseError, match=message):
            score(self.QUESTION, response)


class TestAttemptScore:
    def test_weighted_points_and_percent(self):
        points, maximum, percent = attempt_score(
            [(SINGLE, "a", 2.0), (SINGLE, "b", 1.0), (TRUE, None, 1.0), (TRUE, False, None)]
        )
        assert (points, maximum, percent) == (2.5, 5.0, 50.0)

    def test_float_noise_is_rounded_away(self):
        thirds = [(SINGLE, "a", 0.1)] * 8 + [(SINGLE, "c", 0.1)] * 2
        assert attempt_score(thirds) == (0.8, 1.0, 80.0)

    def test_an_empty_attempt_is_zero_percent(self):
        assert attempt_score([]) == (0.0, 0.0, 0.0)

    def test_a_negative_weight_is_rejected(self):
        with pytest.raises(ValueError, match="weight"):
            attempt_score([(SINGLE, "a", -1.0)])

    def test_a_malformed_response_is_not_silently_zero(self):
        with pytest.raises(ResponseError):
            attempt_score([(SINGLE, "nope", 1.0)])

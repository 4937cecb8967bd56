"""GIFT import: every supported feature, and every problem reported with its line."""

from pathlib import Path

import pytest
from dx_assessment.grading import (
    Matching,
    MultipleResponse,
    Numeric,
    ShortText,
    SingleChoice,
    TrueFalse,
    correct_response,
    score,
)

from assessments.formats import parse_gift, render_gift

DATA = Path(__file__).parent / "data"


def only(text: str):
    result = parse_gift(text)
    assert result.errors == []
    assert len(result.questions) == 1
    return result.questions[0].question


def errors(text: str) -> list[tuple[int, str]]:
    return [(error.line, error.message) for error in parse_gift(text).errors]


def line_of(text: str, marker: str) -> int:
    return text[: text.index(marker)].count("\n") + 1


class TestSampleFile:
    TEXT = (DATA / "sample.gift.txt").read_text(encoding="utf-8")

    def test_every_question_imports_with_its_category_name_and_line(self):
        result = parse_gift(self.TEXT)
        assert result.ok and result.errors == []
        names = [q.name for q in result.questions]
        assert names == [f"A1-L1-0{i}" for i in range(1, 6)] + [f"A2-L1-0{i}" for i in range(1, 5)]
        assert {tuple(q.category) for q in result.questions} == {
            ("既定のカテゴリ", "A1 DXの基礎"),
            ("既定のカテゴリ", "A2 データ活用"),
        }
        for imported in result.questions:
            assert imported.line == line_of(self.TEXT, f"::{imported.name}::")

    def test_the_types_are_recognised(self):
        kinds = [type(q.question) for q in parse_gift(self.TEXT).questions]
        assert kinds == [
            SingleChoice, MultipleResponse, TrueFalse, Numeric, Numeric,
            ShortText, Matching, TrueFalse, SingleChoice,
        ]  # fmt: skip

    def test_every_imported_question_can_be_answered_correctly(self):
        for imported in parse_gift(self.TEXT).questions:
            assert score(imported.question, correct_response(imported.question)).correct

    def test_rendering_and_reading_again_gives_the_same_questions(self):
        first = parse_gift(self.TEXT)
        second = parse_gift(render_gift(first.questions))
        assert second.errors == []
        assert [q.question for q in second.questions] == [q.question for q in first.questions]
        assert [q.category for q in second.questions] == [q.category for q in first.questions]


class TestBrokenSampleFile:
    TEXT = (DATA / "sample_broken.gift.txt").read_text(encoding="utf-8")

    def test_the_error_names_the_broken_questions_line_and_the_others_still_parse(self):
        result = parse_gift(self.TEXT)
        assert result.errors
        assert not result.ok
        line = line_of(self.TEXT, "::A1-L1-04::")
        assert [(e.line, e.message) for e in result.errors] == [
            (line, "\"A1-L1-04\": missing closing brace '}'")
        ]
        assert "A1-L1-04" not in [q.name for q in result.questions]
        assert len(result.questions) == 8


class TestSyntax:
    def test_comments_and_crlf_line_ends(self):
        question = only("// a comment\r\n::Q::Text\r\n// inside\r\n{T}\r\n")
        assert question.text == "Text"

    def test_format_markers(self):
        assert only("[html]<b>x</b>{T}").text_format == "html"
        assert only("[markdown]*x*{T}").text_format == "markdown"
        assert only("[moodle]x{T}").text_format == "plain"
        assert only("[plain]x{T}").text_format == "plain"
        assert only("[unknown]x{T}").text == "[unknown]x"

    def test_escapes(self):
        question = only(r"::a\:b::1 \= 2 \~ 3 \# 4 \{5\} a\:b \\ x\ny{=\=a\#b#fb\: \}}")
        assert question.name == "a:b"
        assert question.text == "1 = 2 ~ 3 # 4 {5} a:b \\ x\ny"
        assert question.answers[0].text == "=a#b"
        assert question.answers[0].feedback == "fb: }"

    def test_missing_word_format(self):
        assert only("Grant is {~buried =entombed} in Grant's tomb.").text == "Grant is _____ in Grant's tomb."

    def test_name_and_general_feedback(self):
        question = only("::名前::問題{=a ~b ####全体の解説}")
        assert (question.name, question.explanation) == ("名前", "全体の解説")

    def test_unnamed_questions_get_a_display_name_but_no_name(self):
        imported = parse_gift("What is <b>this</b>?{T}").questions[0]
        assert imported.question.name is None
        assert imported.name == "What is this ?"


class TestTypes:
    def test_single_choice_with_partial_and_negative_weights(self):
        question = only("Q{=a#right ~%50%b ~%-33.33333%c ~d}")
        assert isinstance(question, SingleChoice)
        assert [c.fraction for c in question.choices] == [1.0, 0.5, -0.3333333, 0.0]
        assert question.choices[0].feedback == "right"

    def test_multiple_response_with_decimal_weights(self):
        question = only("Q{~%33.33333%a ~%33.33333%b ~%33.33334%c ~%-100%d}")
        assert isinstance(question, MultipleResponse)
        assert [c.fraction for c in question.choices] == [0.3333333, 0.3333333, 0.3333334, -1.0]

    @pytest.mark.parametrize(
        ("token", "value"), [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)]
    )
    def test_true_false_tokens(self, token, value):
        assert only(f"Q{{{token}}}").correct_answer is value

    def test_true_false_feedback_is_wrong_then_right(self):
        true = only("Q{TRUE#wrong#right####general}")
        assert (true.feedback_true, true.feedback_false, true.explanation) == ("right", "wrong", "general")
        false = only("Q{FALSE#wrong#right}")
        assert (false.feedback_true, false.feedback_false) == ("wrong", "right")

    def test_numeric_forms(self):
        assert only("Q{#5:0.5}").answers[0].value == 5.0
        assert only("Q{#5:0.5}").answers[0].tolerance == 0.5
        assert (only("Q{#1..2}").answers[0].value, only("Q{#1..2}").answers[0].tolerance) == (1.5, 0.5)
        several = only("Q{#=5:0#exact =%50%5:1#close ~#other}")
        assert [(a.value, a.tolerance, a.fraction, a.feedback) for a in several.answers] == [
            (5.0, 0.0, 1.0, "exact"),
            (5.0, 1.0, 0.5, "close"),
        ]
        assert several.other_feedback == "other"
        assert only("Q{#-2..-1}").answers[0].value == -1.5

    def test_short_text_with_weights_wildcards_and_a_bare_answer(self):
        question = only("Q{=東京#正解 =%50%とうきょう =Tokyo*}")
        assert [(a.text, a.fraction) for a in question.answers] == [
            ("東京", 1.0),
            ("とうきょう", 0.5),
            ("Tokyo*", 1.0),
        ]
        assert only("Q{Paris}").answers[0].text == "Paris"

    def test_matching_with_a_distractor_and_a_shared_right(self):
        question = only("Q{=dog -> mammal =cat -> mammal =eagle -> bird = -> fish}")
        assert [p.left.text for p in question.pairs] == ["dog", "cat", "eagle"]
        assert question.pairs[0].right == question.pairs[1].right
        assert [item.text for item in question.distractors] == ["fish"]

    def test_ids_are_derived_from_texts_not_positions(self):
        first = only("Q{=a ~b ~c}")
        reordered = only("Q{~c =a ~b}")
        assert {c.text: c.id for c in first.choices} == {c.text: c.id for c in reordered.choices}


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("::E::Write an essay{}", 1, "essay questions ('{}') are not supported"),
        ("::D::Just a description", 1, "descriptions"),
        ("::O::Order{>2 none\nA\nB\n}", 1, "ordering questions"),
        ("Q{=a ~b", 1, "missing closing brace"),
        ("Q =a ~b}", 1, "'}' without a matching '{'"),
        ("Q{=a {~b}}", 1, "'{' inside an answer block"),
        ("Q{=a ~b}\nQ2{T}", 2, "unexpected '{' after the answer block"),
        ("::Q name\nQ{T}", 1, "not closed with '::'"),
        ("Q{=a ~}", 1, "empty answer"),
        ("Q{=a}{", 1, "unexpected '{'"),
        ("Q{~a ~b}", 1, "no correct answer"),
        ("Q{~%50%a ~%40%b ~c}", 1, "add up to 90%, not 100%"),
        ("Q{~%150%a ~b}", 1, "outside -100..100"),
        ("Q{~%abc%a =b}", 1, "invalid weight '%abc%'"),
        ("Q{=a}", None, None),
        ("Q{=onlyone ~}", 1, "empty answer"),
        ("Q{=a -> 1}", 1, "at least 2 pairs, got 1"),
        ("Q{=a -> 1 =b}", 1, "'b' is not a pair"),
        ("Q{=a -> 1#fb =b -> 2}", 1, "cannot have feedback"),
        ("Q{#abc}", 1, "'abc' is not a number"),
        ("Q{#2..1}", 1, "minimum above its maximum"),
        ("Q{#5:-1}", 1, "negative tolerance"),
        ("Q{#}", 1, "at least one answer"),
        ("Q{#=%50%5}", 1, "no answer earns 100%"),
        ("Q{#5 ~oops}", 1, "must be followed by '#feedback"),
        ("Q{=%50%a}", 1, "no answer earns 100%"),
        ("Q{=%-50%a =b}", 1, "outside 0..100"),
        ("::N::{T}", 1, '"N": the question text is empty'),
        ("Q\n{=a\n~b\n~%x%c}", 4, "invalid weight"),
        ("Q\ufdd0{T}", 1, "noncharacters"),
    ],
)
def test_problems_are_reported_with_their_line(source, line, message):
    found = errors(source)
    if message is None:
        assert found == []
        return
    assert any(found_line == line and message in text for found_line, text in found), found


def test_every_problem_in_a_file_is_reported_not_only_the_first():
    source = "::A::ok{T}\n\n::B::{~a ~b}\n\n::C::ok{=x ~y}\n\n::D::bad{#zz}\n\n::E::essay{}\n"
    result = parse_gift(source)
    assert sorted({(e.line, e.message.split(":")[0]) for e in result.errors}) == [
        (3, '"B"'),
        (7, '"D"'),
        (9, '"E"'),
    ]
    assert [q.name for q in result.questions] == ["A", "C"]


def test_a_category_line_needs_no_blank_line_around_it():
    result = parse_gift("$CATEGORY: A/B\n::Q::x{T}\n$CATEGORY: $course$/top/C//D\n::R::y{F}")
    assert [q.category for q in result.questions] == [["A", "B"], ["C/D"]]

"""Moodle XML import: the types, Moodle's export shape, errors naming the element, and XML attacks."""

import time
from pathlib import Path

import pytest
from dx_assessment.grading import (
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    ShortText,
    SingleChoice,
    TrueFalse,
    correct_response,
    score,
)

from assessments.formats import parse_moodle_xml, render_moodle_xml

DATA = Path(__file__).parent / "data"


def quiz(*questions: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>\n"
    ).encode()


def question(qtype: str, body: str, name: str = "Q1", text: str = "Question?", fmt: str = "html") -> str:
    return (
        f'<question type="{qtype}">\n<name><text>{name}</text></name>\n'
        f'<questiontext format="{fmt}"><text>{text}</text></questiontext>\n{body}\n</question>'
    )


def answer(fraction: str, text: str, feedback: str = "", extra: str = "") -> str:
    feedback_element = f"<feedback><text>{feedback}</text></feedback>"
    return f'<answer fraction="{fraction}"><text>{text}</text>{feedback_element}{extra}</answer>'


def line_of(data: bytes, marker: str) -> int:
    text = data.decode()
    return text[: text.index(marker)].count("\n") + 1


class TestSampleFile:
    DATA = (DATA / "sample.moodle.xml").read_bytes()

    def test_every_question_imports_with_category_weight_and_line(self):
        result = parse_moodle_xml(self.DATA)
        assert result.errors == [] and result.warnings == []
        assert [type(q.question) for q in result.questions] == [
            SingleChoice, MultipleResponse, TrueFalse, ShortText, Numeric, Matching, Ordering,
        ]  # fmt: skip
        assert [q.question.weight for q in result.questions] == [2.0, 1.0, 1.0, 1.0, 1.0, 3.0, 1.0]
        assert result.questions[0].category == ["既定のカテゴリ", "A1 DXの基礎"]
        assert result.questions[-1].category == ["既定のカテゴリ", "A2 データ活用"]
        for imported in result.questions:
            assert imported.line == line_of(self.DATA, f"<text>{imported.name}</text>") - 2

    def test_texts_formats_and_feedback(self):
        first, second, true_false, short, numeric, matching, ordering = (
            q.question for q in parse_moodle_xml(self.DATA).questions
        )
        assert first.text_format == "html"
        assert first.text.startswith("<p>自治体DXの目的")
        assert first.explanation.startswith("<p>自治体DX推進計画")
        assert [c.fraction for c in first.choices] == [1.0, 0.0, -0.5]
        assert second.shuffle_choices is False
        assert [c.fraction for c in second.choices] == [0.3333333, 0.3333333, 0.3333333, -1.0]
        assert true_false.text_format == "plain"
        assert (true_false.correct_answer, true_false.feedback_false) == (
            True,
            "誤りです。公的個人認証に使えます。",
        )
        assert short.case_sensitive is False
        assert numeric.other_feedback == "合計を件数で割りましょう。"
        assert [(a.value, a.tolerance, a.fraction) for a in numeric.answers] == [
            (12.0, 0.0, 1.0),
            (12.0, 0.5, 0.5),
        ]
        assert [item.text for item in matching.distractors] == ["紙の書類の電子化だけ"]
        assert ordering.items[0].text == "課題の設定"

    def test_every_imported_question_can_be_answered_correctly(self):
        for imported in parse_moodle_xml(self.DATA).questions:
            assert score(imported.question, correct_response(imported.question)).correct

    def test_rendering_and_reading_again_gives_the_same_questions(self):
        first = parse_moodle_xml(self.DATA)
        second = parse_moodle_xml(render_moodle_xml(first.questions))
        assert second.errors == []
        assert [q.question for q in second.questions] == [q.question for q in first.questions]
        assert [q.category for q in second.questions] == [q.category for q in first.questions]


def test_the_broken_sample_names_the_broken_question_and_its_line():
    data = (DATA / "sample_broken.moodle.xml").read_bytes()
    result = parse_moodle_xml(data)
    assert result.errors
    line = line_of(data, "<text>A1-L1-02</text>") - 2
    assert [(e.line, e.message) for e in result.errors] == [
        (line, 'question[3] (multichoice "A1-L1-02"): no answer with fraction 100')
    ]
    assert len(result.questions) == 6


def test_the_question_index_counts_categories_like_xpath():
    category = '<question type="category"><category><text>$course$/top/A1</text></category></question>'
    good = question("truefalse", answer("100", "true") + answer("0", "false"), name="ok")
    bad = question("multichoice", answer("50", "a") + answer("0", "b"), name="A1-L1-03")
    result = parse_moodle_xml(quiz(category, good, category, good, bad))
    assert [e.message for e in result.errors] == [
        'question[5] (multichoice "A1-L1-03"): no answer with fraction 100'
    ]


@pytest.mark.parametrize(
    ("xml_question", "message"),
    [
        (question("essay", ""), 'unsupported question type "essay"'),
        (question("multianswer", ""), 'unsupported question type "multianswer"'),
        (question("multichoice", answer("100", "a")), "needs at least 2 answers, got 1"),
        (
            question("multichoice", answer("100", "a") + answer("x", "b")),
            "answer[2]: fraction 'x' is not a number",
        ),
        (
            question("multichoice", answer("100", "a") + answer("150", "b")),
            "answer[2]: fraction 150 is outside",
        ),
        (question("multichoice", answer("100", "a") + answer("0", "")), "answer[2]: empty text"),
        (
            question("multichoice", "<single>false</single>" + answer("50", "a") + answer("40", "b")),
            "positive fractions add up to 90, not 100",
        ),
        (
            question("multichoice", "<single>maybe</single>" + answer("100", "a") + answer("0", "b")),
            "<single>",
        ),
        (question("truefalse", answer("100", "true") + answer("100", "false")), "exactly one"),
        (
            question("truefalse", answer("100", "yes") + answer("0", "false")),
            'text must be "true" or "false"',
        ),
        (question("truefalse", answer("100", "true")), 'needs one answer "true" and one answer "false"'),
        (question("shortanswer", answer("50", "a")), "no answer with fraction 100"),
        (question("shortanswer", answer("100", "a") + answer("-50", "b")), "outside 0..100"),
        (question("numerical", answer("100", "abc")), "answer[1]: value 'abc' is not a number"),
        (question("numerical", answer("100", "5", extra="<tolerance>-1</tolerance>")), "negative tolerance"),
        (question("numerical", answer("100", "5") + answer("50", "*")), "a '*' answer must have fraction 0"),
        (
            question("matching", "<subquestion><text>a</text><answer><text>1</text></answer></subquestion>"),
            "2 sub",
        ),
        (
            question("matching", "<subquestion><text>a</text><answer><text></text></answer></subquestion>"),
            "empty",
        ),
        (question("ordering", answer("1", "only")), "needs at least 2 answers"),
        (
            question("truefalse", answer("100", "true") + answer("0", "false"), fmt="rtf"),
            'unknown text format "rtf"',
        ),
        (
            question("truefalse", answer("100", "true") + answer("0", "false"), text=""),
            "empty <questiontext>",
        ),
        (
            question(
                "truefalse", "<defaultgrade>-1</defaultgrade>" + answer("100", "true") + answer("0", "false")
            ),
            "negative <defaultgrade>",
        ),
    ],
)
def test_problems_name_the_question_element(xml_question, message):
    result = parse_moodle_xml(quiz(xml_question))
    assert result.errors, message
    assert all(error.message.startswith("question[1] (") for error in result.errors)
    assert any(message in error.message for error in result.errors), result.errors
    assert all(error.line >= 3 for error in result.errors)
    assert result.questions == []


def test_every_problem_is_reported_not_only_the_first():
    good = question("truefalse", answer("100", "true") + answer("0", "false"), name="good")
    result = parse_moodle_xml(
        quiz(question("essay", "", name="E"), good, question("shortanswer", "", name="S"))
    )
    assert [e.message for e in result.errors] == [
        'question[1] (essay "E"): unsupported question type "essay"',
        'question[3] (shortanswer "S"): answers: needs at least 1, got 0',
    ]
    assert [q.name for q in result.questions] == ["good"]


def test_dropped_information_is_reported_as_warnings():
    units = "<units><unit><multiplier>1</multiplier><unit_name>円</unit_name></unit></units>"
    ordering = "<selecttype>RANDOM</selecttype>" + answer("1", "a") + answer("2", "b")
    result = parse_moodle_xml(
        quiz(question("numerical", answer("100", "5") + units), question("ordering", ordering))
    )
    assert result.errors == []
    assert ["units" in w.message or "selecttype" in w.message for w in result.warnings] == [True, True]


def test_kana_insensitivity_and_case_sensitivity_are_read():
    body = "<usecase>1</usecase><kanainsensitive>1</kanainsensitive>" + answer("100", "トウキョウ")
    short = parse_moodle_xml(quiz(question("shortanswer", body))).questions[0].question
    assert (short.case_sensitive, short.kana_insensitive) == (True, True)


class TestMalformedAndHostileXml:
    def test_not_well_formed_xml_gives_one_error_with_its_line(self):
        result = parse_moodle_xml(b"<quiz>\n<question type='truefalse'>\n</quiz>")
        assert len(result.errors) == 1
        assert result.errors[0].line == 3
        assert "not well-formed" in result.errors[0].message

    def test_a_root_other_than_quiz_is_refused(self):
        assert "not <quiz>" in parse_moodle_xml(b"<questions/>").errors[0].message

    def test_empty_input(self):
        assert parse_moodle_xml(b"").errors

    def test_str_input_is_a_programming_error(self):
        with pytest.raises(TypeError):
            parse_moodle_xml("<quiz/>")  # type: ignore[arg-type]

    def test_billion_laughs_is_refused_without_expanding(self):
        entities = ['<!ENTITY lol0 "lol">'] + [
            f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
        ]
        data = (
            '<?xml version="1.0"?>\n<!DOCTYPE quiz [\n' + "\n".join(entities) + "\n]>\n"
            '<quiz><question type="truefalse"><name><text>&lol9;</text></name></question></quiz>'
        ).encode()
        started = time.monotonic()
        result = parse_moodle_xml(data)
        assert time.monotonic() - started < 1.0
        assert result.questions == []
        assert len(result.errors) == 1
        assert "DTDs and entity declarations are not allowed" in result.errors[0].message
        assert "lollol" not in str(result.errors[0])

    @pytest.mark.parametrize(
        "doctype",
        [
            '<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
            '<!DOCTYPE quiz [<!ENTITY % remote SYSTEM "http://example.invalid/x.dtd"> %remote;]>',
            '<!DOCTYPE quiz SYSTEM "http://example.invalid/quiz.dtd">',
        ],
    )
    def test_external_entities_and_dtds_are_refused(self, doctype):
        data = f'<?xml version="1.0"?>\n{doctype}\n<quiz><question type="category">&xxe;</question></quiz>'
        result = parse_moodle_xml(data.encode())
        assert result.questions == []
        assert len(result.errors) == 1
        assert result.errors[0].line == 2
        assert "not allowed" in result.errors[0].message
        assert "root:" not in result.errors[0].message

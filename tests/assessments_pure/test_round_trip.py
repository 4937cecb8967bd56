"""parse(render(questions)) gives the same questions back, for every type each format supports."""

import dataclasses

import pytest
from dx_assessment.grading import Choice, Item, Ordering, ShortText, SingleChoice, TextAnswer
from hypothesis import given
from hypothesis import strategies as st

from assessments.formats import (
    ImportedQuestion,
    RenderError,
    derive_ids,
    parse_gift,
    parse_moodle_xml,
    render_gift,
    render_moodle_xml,
)
from assessments.formats.common import default_name

from .strategies import PROPERTY, categories, questions


def _with_default_name(question):
    return question if question.name else dataclasses.replace(question, name=default_name(question))


@PROPERTY
@given(st.lists(questions(gift=True), min_size=1, max_size=4))
def test_gift_round_trip(originals):
    text = render_gift(originals)
    result = parse_gift(text)
    assert result.errors == [], text
    assert [imported.question for imported in result.questions] == originals


@PROPERTY
@given(st.lists(questions(), min_size=1, max_size=4))
def test_moodle_xml_round_trip(originals):
    data = render_moodle_xml(originals)
    result = parse_moodle_xml(data)
    assert result.errors == [], data.decode()
    assert [imported.question for imported in result.questions] == [_with_default_name(q) for q in originals]


@PROPERTY
@given(st.lists(st.tuples(questions(gift=True), categories), min_size=1, max_size=4))
def test_categories_round_trip_in_both_formats(entries):
    imported = [
        ImportedQuestion(question, category, default_name(question), 0) for question, category in entries
    ]
    for render, parse in ((render_gift, parse_gift), (render_moodle_xml, parse_moodle_xml)):
        result = parse(render(imported))
        assert result.errors == []
        assert [q.category for q in result.questions] == [category for _, category in entries]


def test_gift_special_characters_and_japanese_survive():
    labels = ["住民の利便性向上 = 目的", "紙を~なくす", "{括弧}", "a:b#c\\d"]
    question = SingleChoice(
        name="A1::L1#01",
        text="自治体DXの目的は？ {重要} 1+1=2 #タグ ~波 a:b \\ 改行\nあり",
        explanation="[html] で始まる説明",
        choices=[
            Choice(id=i, text=t, fraction=1.0 if n == 0 else 0.0, feedback="正解！ => 100%" if n == 0 else "")
            for n, (i, t) in enumerate(zip(derive_ids(labels), labels, strict=True))
        ],
    )
    text = render_gift([question])
    assert parse_gift(text).questions[0].question == question
    assert parse_moodle_xml(render_moodle_xml([question])).questions[0].question == question


def test_render_gift_refuses_ordering_questions():
    question = Ordering(text="並べ替え", items=[Item(id="a", text="A"), Item(id="b", text="B")])
    with pytest.raises(RenderError, match="ordering"):
        render_gift([question])


def test_render_gift_refuses_an_arrow_in_a_short_text_answer():
    question = ShortText(name="S1", text="Q", answers=[TextAnswer(text="a->b")])
    with pytest.raises(RenderError, match=r"question 'S1'.*'->'"):
        render_gift([question])


def test_render_moodle_xml_refuses_control_characters():
    question = ShortText(text="Q\x07", answers=[TextAnswer(text="a")])
    with pytest.raises(RenderError, match="XML cannot carry"):
        render_moodle_xml([question])

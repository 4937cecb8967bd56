"""Question dataclasses: validation on construction and the versioned dict form."""

import json

import pytest
from dx_assessment.grading import (
    QUESTION_TYPES,
    Choice,
    DefinitionError,
    Item,
    Matching,
    MatchPair,
    MultipleResponse,
    Numeric,
    NumericAnswer,
    Ordering,
    Question,
    ShortText,
    SingleChoice,
    TextAnswer,
    TrueFalse,
)
from hypothesis import given

from .strategies import PROPERTY, questions


def _choices(*fractions: float) -> list[Choice]:
    return [Choice(id=f"c{i}", text=f"choice {i}", fraction=f) for i, f in enumerate(fractions)]


def test_lists_are_stored_as_tuples_and_numbers_as_floats():
    question = SingleChoice(text="Q", choices=_choices(1, 0), weight=2)
    assert isinstance(question.choices, tuple)
    assert question.weight == 2.0 and isinstance(question.weight, float)
    assert question.choices[0].fraction == 1.0 and isinstance(question.choices[0].fraction, float)


def test_questions_are_immutable():
    question = TrueFalse(text="Q", correct_answer=True)
    with pytest.raises(AttributeError):
        question.text = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: SingleChoice(text="Q", choices=_choices(0.5, 0)), "fraction 1.0"),
        (lambda: SingleChoice(text="Q", choices=_choices(1)), "at least 2"),
        (lambda: SingleChoice(text=" ", choices=_choices(1, 0)), "question text must not be empty"),
        (lambda: SingleChoice(text="Q", choices=_choices(1, 0), text_format="rtf"), "text_format"),
        (lambda: SingleChoice(text="Q", choices=_choices(1, 0), weight=-1), "weight"),
        (lambda: SingleChoice(text="Q", choices=_choices(1, 0), weight=float("nan")), "weight"),
        (lambda: SingleChoice(text="Q", choices=_choices(1, 0), name=""), "name must not be empty"),
        (lambda: SingleChoice(text="Q", choices=[*_choices(1), *_choices(0)]), "unique"),
        (lambda: MultipleResponse(text="Q", choices=_choices(0.5, 0.4, 0)), "add up to 0.9"),
        (lambda: Numeric(text="Q", answers=[NumericAnswer(value=1, fraction=0.5)]), "fraction 1.0"),
        (lambda: Numeric(text="Q", answers=[NumericAnswer(value=1, tolerance=-1)]), "tolerance"),
        (lambda: ShortText(text="Q", answers=[]), "at least 1"),
        (lambda: ShortText(text="Q", answers=[TextAnswer(text="a" * 1001)]), "longer than 1000"),
        (lambda: Ordering(text="Q", items=[Item(id="a", text="A")]), "at least 2"),
        (lambda: Choice(id="a", text="A", fraction=1.5), "fraction"),
        (lambda: Choice(id="", text="A"), "id must not be empty"),
        (
            lambda: Matching(
                text="Q",
                pairs=[
                    MatchPair(left=Item(id="l1", text="a"), right=Item(id="r", text="x")),
                    MatchPair(left=Item(id="l2", text="b"), right=Item(id="r", text="y")),
                ],
            ),
            "two different texts",
        ),
        (
            lambda: Matching(
                text="Q",
                pairs=[MatchPair(left=Item(id="l1", text="a"), right=Item(id="r", text="x"))],
                distractors=[Item(id="r", text="z")],
            ),
            "distractor id",
        ),
        (lambda: Question(text="Q"), "abstract"),
    ],
)
def test_invalid_definitions_raise_definition_error(build, message):
    with pytest.raises(DefinitionError, match=message):
        build()


def test_multiple_response_accepts_rounded_thirds():
    question = MultipleResponse(text="Q", choices=_choices(0.33333, 0.33333, 0.33333, -1))
    assert len(question.choices) == 4


def test_matching_rights_are_unique_rights_then_distractors():
    shared = Item(id="r1", text="mammal")
    question = Matching(
        text="Q",
        pairs=[
            MatchPair(left=Item(id="l1", text="dog"), right=shared),
            MatchPair(left=Item(id="l2", text="cat"), right=shared),
            MatchPair(left=Item(id="l3", text="eagle"), right=Item(id="r2", text="bird")),
        ],
        distractors=[Item(id="r3", text="fish")],
    )
    assert [item.id for item in question.rights()] == ["r1", "r2", "r3"]


def test_to_dict_is_tagged_with_type_and_version():
    data = TrueFalse(text="Q", correct_answer=False).to_dict()
    assert data["type"] == "true_false"
    assert data["version"] == 1
    assert json.loads(json.dumps(data)) == data


def test_every_type_has_a_distinct_type_tag():
    tags = [kind.TYPE for kind in QUESTION_TYPES]
    assert len(set(tags)) == len(tags) == 7


@PROPERTY
@given(questions())
def test_from_dict_rebuilds_the_question_after_a_json_round_trip(question):
    stored = json.loads(json.dumps(question.to_dict()))
    assert Question.from_dict(stored) == question
    assert type(question).from_dict(stored) == question


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(type="essay"), "unknown question type"),
        (lambda d: d.update(type=["single_choice"]), "unknown question type"),
        (lambda d: d.pop("type"), "unknown question type None"),
        (lambda d: d.update(version=2), "schema version"),
        (lambda d: d.update(colour="red"), "unknown keys colour"),
        (lambda d: d.pop("choices"), "missing key 'choices'"),
        (lambda d: d.update(weight="1"), r"single_choice.weight: expected a finite number"),
        (lambda d: d.update(shuffle_choices="yes"), "expected bool"),
        (lambda d: d["choices"][0].update(fraction=None), r"choices\[0\].fraction"),
        (lambda d: d["choices"][1].pop("id"), r"choices\[1\]: missing key 'id'"),
        (lambda d: d.update(choices="a,b"), "expected a list"),
        (lambda d: d.update(text_format="rtf"), "expected one of"),
        (lambda d: d["choices"][0].update(fraction=0.0), "fraction 1.0"),
    ],
)
def test_from_dict_rejects_malformed_data(mutate, message):
    data = SingleChoice(text="Q", choices=_choices(1, 0)).to_dict()
    mutate(data)
    with pytest.raises(DefinitionError, match=message):
        Question.from_dict(data)


def test_from_dict_on_a_subclass_rejects_another_type():
    data = TrueFalse(text="Q", correct_answer=True).to_dict()
    with pytest.raises(DefinitionError, match="for SingleChoice"):
        SingleChoice.from_dict(data)


def test_from_dict_rejects_a_non_object():
    with pytest.raises(DefinitionError, match="expected an object"):
        Question.from_dict(["single_choice"])  # type: ignore[arg-type]

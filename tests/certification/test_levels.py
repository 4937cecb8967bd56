"""The level rule: highest verified level, with quizzes and courses capped at level 2."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.certification.levels import (
    LEVEL_CAP_WITHOUT_PRACTICE,
    PRACTICE_SOURCES,
    EvidenceFact,
    competency_levels,
    level_basis,
    supported_level,
)
from courses.competencies.scale import KNOWLEDGE_LEVEL_CAP, LEVELS
from courses.profile import level_from_course

SOURCES = ["quiz", "course", "qualification", "ojt", "advisor", "something_new"]
STATUSES = ["verified", "pending", "rejected"]


def fact(competency="C1", level=1, source="quiz", status="verified", ref=None) -> EvidenceFact:
    return EvidenceFact(competency, level, source, status, ref)


def test_quizzes_and_courses_support_at_most_level_2():
    assert competency_levels([fact(level=3, source="quiz")]) == {"C1": 2}
    assert competency_levels([fact(level=5, source="course")]) == {"C1": 2}
    assert competency_levels([fact(level=1, source="course")]) == {"C1": 1}


@pytest.mark.parametrize("source", ["ojt", "advisor", "qualification"])
def test_practice_sources_support_the_level_they_record(source):
    assert competency_levels([fact(level=4, source=source)]) == {"C1": 4}


def test_only_verified_evidence_counts():
    facts = [
        fact(level=4, source="ojt", status="pending"),
        fact(level=3, source="advisor", status="rejected"),
    ]
    assert competency_levels(facts) == {}
    assert supported_level(facts[0]) == 0


def test_the_highest_supported_level_wins_per_competency():
    facts = [
        fact("A1", 1, "quiz"),
        fact("A1", 2, "course"),
        fact("A1", 4, "quiz"),  # capped: still 2
        fact("B1", 3, "ojt"),
        fact("B1", 2, "quiz"),
    ]
    assert competency_levels(facts) == {"A1": 2, "B1": 3}


def test_an_unknown_source_never_unlocks_practice_levels():
    assert competency_levels([fact(level=5, source="vendor_badge")]) == {"C1": 2}


def test_level_basis_names_the_evidence_behind_each_level():
    facts = [
        fact("C1", 2, "quiz", ref=1),
        fact("C1", 3, "qualification", ref=2),
        fact("C1", 3, "ojt", ref=3),
        fact("C1", 4, "advisor", status="pending", ref=4),
        fact("D1", 3, "course", ref=5),
    ]
    basis = level_basis(facts)
    assert [f.ref for f in basis["C1"]] == [2, 3]
    assert [f.ref for f in basis["D1"]] == [5]


def test_a_level_outside_1_to_5_is_refused():
    with pytest.raises(ValueError, match="level"):
        fact(level=6)
    with pytest.raises(ValueError, match="level"):
        fact(level=0)


facts_strategy = st.lists(
    st.builds(
        EvidenceFact,
        competency=st.sampled_from(["A1", "A2", "C1"]),
        level=st.integers(1, 5),
        source=st.sampled_from(SOURCES),
        status=st.sampled_from(STATUSES),
    ),
    max_size=20,
)


@given(facts_strategy, facts_strategy)
def test_adding_evidence_never_lowers_a_level(facts, more):
    before = competency_levels(facts)
    after = competency_levels(facts + more)
    assert all(after.get(key, 0) >= level for key, level in before.items())


@given(facts_strategy, st.randoms(use_true_random=False))
def test_the_order_of_evidence_does_not_matter(facts, rng: random.Random):
    shuffled = list(facts)
    rng.shuffle(shuffled)
    assert competency_levels(shuffled) == competency_levels(facts)


@given(facts_strategy)
def test_levels_are_bounded_by_the_verified_evidence_and_the_practice_rule(facts):
    for key, level in competency_levels(facts).items():
        verified = [f for f in facts if f.competency == key and f.status == "verified"]
        assert level <= max(f.level for f in verified)
        if not any(f.source in PRACTICE_SOURCES for f in verified):
            assert level <= LEVEL_CAP_WITHOUT_PRACTICE
        assert level_basis(facts)[key], "every level has evidence behind it"


@pytest.mark.parametrize("level", LEVELS)
def test_me_estimate_and_level_table_agree_on_a_course_whatever_its_level(level):
    # /me/'s interim estimate (courses.profile) and the level rule apply the one cap to course evidence
    fact = EvidenceFact("A2", level, "course")
    assert level_from_course(level=level) == supported_level(fact) == min(level, KNOWLEDGE_LEVEL_CAP)

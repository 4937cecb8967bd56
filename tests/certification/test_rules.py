"""Eligibility: every requirement of a programme, met or missing, from rules that are plain data."""

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from assessments.certification import defaults
from assessments.certification.rules import (
    BREADTH,
    CAPSTONE,
    COMPETENCY,
    ENDORSEMENT,
    EXAM,
    PREREQUISITE,
    SPECIALISM,
    CompetencyMinimum,
    PersonFacts,
    ProgramRules,
    Shortfall,
    competency_requirements,
    evaluate,
)

AREAS = {area: tuple(f"{area}{n}" for n in range(1, 5)) for area in "ABCDEF"}
ALL = [code for codes in AREAS.values() for code in codes]


def rules_from(default: defaults.ProgramDefault) -> ProgramRules:
    return ProgramRules(
        code=default.code,
        competencies=tuple(CompetencyMinimum(code, level) for code, level in default.competencies),
        breadth_min_level=default.breadth_min_level,
        specialism_min_level=default.specialism_min_level,
        requires_exam=default.requires_exam,
        exam_pass_percent=default.exam_pass_percent,
        requires_capstone=default.requires_capstone,
        requires_cross_project=default.requires_cross_project,
        requires_endorsement=default.requires_endorsement,
        prerequisite=default.prerequisite,
    )


LEADER = rules_from(defaults.LEADER)
BASIC = rules_from(defaults.BASIC)
EXPERT = rules_from(defaults.EXPERT)


def leader_levels() -> dict[str, int]:
    """Just enough for DX推進リーダー: core at 3, area E all at 3, the rest at 2."""
    levels = dict.fromkeys(ALL, 2)
    levels.update(dict.fromkeys(defaults.LEADER_CORE, 3))
    levels.update(dict.fromkeys(AREAS["E"], 3))
    return levels


def ready_for_leader(**changes) -> PersonFacts:
    facts = PersonFacts(levels=leader_levels(), exam_best_percent=70, capstone_approved=True, endorsed=True)
    return dataclasses.replace(facts, **changes)


def by_kind(result, kind):
    return [r for r in result.requirements if r.kind == kind]


def test_a_candidate_meeting_every_leader_rule_is_eligible():
    result = evaluate(rules=LEADER, areas=AREAS, facts=ready_for_leader())
    assert result.eligible
    assert [r.kind for r in result.requirements] == [COMPETENCY] * 8 + [
        BREADTH,
        SPECIALISM,
        EXAM,
        CAPSTONE,
        ENDORSEMENT,
    ]
    assert by_kind(result, SPECIALISM)[0].subject == "E"


def test_a_core_competency_below_3_is_reported_with_what_is_missing():
    levels = leader_levels() | {"C1": 2}
    result = evaluate(rules=LEADER, areas=AREAS, facts=ready_for_leader(levels=levels))
    assert not result.eligible
    (c1,) = [r for r in result.unmet if r.kind == COMPETENCY]
    assert (c1.subject, c1.current, c1.required) == ("C1", 2, 3)
    assert c1.missing == "C1: Lv2 → Lv3"
    assert len(result.unmet) == 1


def test_breadth_lists_every_competency_below_level_2():
    levels = leader_levels() | {"B3": 1}
    del levels["F4"]
    (breadth,) = by_kind(evaluate(rules=LEADER, areas=AREAS, facts=ready_for_leader(levels=levels)), BREADTH)
    assert not breadth.met
    assert breadth.shortfalls == (Shortfall("B3", 1, 2), Shortfall("F4", 0, 2))
    assert breadth.current == 0


def test_specialism_points_at_the_area_closest_to_meeting_it():
    levels = dict.fromkeys(ALL, 2) | dict.fromkeys(defaults.LEADER_CORE, 3)
    levels |= {"D2": 3, "D3": 3}  # D: only D4 short (D1 is core) -> closest
    (specialism,) = by_kind(
        evaluate(rules=LEADER, areas=AREAS, facts=ready_for_leader(levels=levels)), SPECIALISM
    )
    assert not specialism.met
    assert specialism.subject == "D"
    assert specialism.missing == "D4: Lv2 → Lv3"


def test_the_exam_needs_the_pass_mark_and_workflow_facts_default_to_missing():
    result = evaluate(
        rules=LEADER, areas=AREAS, facts=PersonFacts(levels=leader_levels(), exam_best_percent=69.5)
    )
    (exam,) = by_kind(result, EXAM)
    assert not exam.met
    assert exam.missing == "69.5% → 70%"
    assert {r.kind for r in result.unmet} == {EXAM, CAPSTONE, ENDORSEMENT}
    never_sat = evaluate(rules=LEADER, areas=AREAS, facts=PersonFacts(levels=leader_levels()))
    assert by_kind(never_sat, EXAM)[0].missing == "— → 70%"


def test_requirements_a_programme_does_not_set_are_not_listed():
    result = evaluate(
        rules=BASIC, areas=AREAS, facts=PersonFacts(levels=dict.fromkeys(["A1", "A4", "C1", "D1", "E1"], 2))
    )
    assert result.eligible
    assert [r.subject for r in result.requirements] == ["A1", "A4", "C1", "D1", "E1"]


def test_expert_needs_the_leader_certificate_a_level_4_area_and_a_cross_division_project():
    levels = leader_levels() | dict.fromkeys(AREAS["E"], 4)
    facts = PersonFacts(levels=levels, cross_project_approved=True)
    assert [r.kind for r in evaluate(rules=EXPERT, areas=AREAS, facts=facts).unmet] == [PREREQUISITE]
    held = dataclasses.replace(facts, held_programs=frozenset({"DX_LEADER"}))
    assert evaluate(rules=EXPERT, areas=AREAS, facts=held).eligible


def test_changing_the_rule_data_changes_the_outcome():
    facts = ready_for_leader(levels=leader_levels() | {"C1": 2})
    assert not evaluate(rules=LEADER, areas=AREAS, facts=facts).eligible
    relaxed = dataclasses.replace(
        LEADER,
        competencies=tuple(
            CompetencyMinimum(row.competency, 2 if row.competency == "C1" else row.min_level)
            for row in LEADER.competencies
        ),
    )
    assert evaluate(rules=relaxed, areas=AREAS, facts=facts).eligible
    stricter = dataclasses.replace(LEADER, exam_pass_percent=80)
    assert not evaluate(rules=stricter, areas=AREAS, facts=ready_for_leader()).eligible


def test_an_empty_framework_meets_no_breadth_or_specialism():
    rules = ProgramRules(code="X", breadth_min_level=1, specialism_min_level=1)
    result = evaluate(rules=rules, areas={}, facts=PersonFacts())
    assert [r.met for r in result.requirements] == [False, False]


@given(
    st.dictionaries(st.sampled_from(ALL), st.integers(0, 5)),
    st.sampled_from(ALL),
    st.integers(1, 5),
)
def test_raising_a_level_never_unmeets_a_requirement(levels, code, increase):
    before = evaluate(rules=LEADER, areas=AREAS, facts=ready_for_leader(levels=levels))
    raised = levels | {code: min(levels.get(code, 0) + increase, 5)}
    after = evaluate(rules=LEADER, areas=AREAS, facts=ready_for_leader(levels=raised))
    for old, new in zip(before.requirements, after.requirements, strict=True):
        assert new.met or not old.met, (old, new)
    assert after.eligible or not before.eligible


def test_each_competency_needs_the_higher_of_its_row_and_the_breadth_minimum():
    program = ProgramRules(
        code="X",
        competencies=(CompetencyMinimum("A2", 3), CompetencyMinimum("A1", 1), CompetencyMinimum("Z9", 4)),
        breadth_min_level=2,
        specialism_min_level=4,  # binds no single competency
    )
    required = competency_requirements(rules=program, codes=["A1", "A2", "C1"])
    assert required == {"A1": 2, "A2": 3, "C1": 2}  # Z9 is not in the framework
    without_breadth = dataclasses.replace(program, breadth_min_level=None)
    assert competency_requirements(rules=without_breadth, codes=["A1", "A2", "C1"]) == {
        "A1": 1,
        "A2": 3,
        "C1": 0,
    }

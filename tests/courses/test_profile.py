"""The pure rules behind the competency profile and the gap to DX推進リーダー."""

from courses.competencies.scale import KNOWLEDGE_LEVEL_CAP
from courses.profile import (
    CompetencyInfo,
    CourseTarget,
    current_levels,
    gaps,
    leader_requirements,
    level_from_course,
)

A1 = CompetencyInfo("A1", "行政DXの理解", "A", is_core=False)
A2 = CompetencyInfo("A2", "住民中心", "A", is_core=True)


def test_a_course_counts_at_most_level_2_whatever_its_delivery():
    assert level_from_course(level=3) == 2  # e-learning, classroom and OJT alike: practice is other evidence
    assert level_from_course(level=5) == KNOWLEDGE_LEVEL_CAP == 2
    assert level_from_course(level=1) == 1


def test_current_level_is_the_highest_any_completed_course_supports():
    completed = [
        CourseTarget(1, "A1", 1),
        CourseTarget(2, "A1", 2),
        CourseTarget(3, "A2", 3),
    ]
    assert current_levels(completed=completed) == {"A1": 2, "A2": 2}


def test_without_a_programme_the_fallback_needs_level_3_in_core_and_2_elsewhere():
    assert leader_requirements(competencies=[A1, A2]) == {"A1": 2, "A2": 3}


def test_gaps_list_core_first_with_the_courses_that_raise_each():
    targets = [
        CourseTarget(10, "A1", 2),
        CourseTarget(12, "A2", 3),  # an OJT course: it too gives Lv2 at most
        CourseTarget(11, "A2", 2),
        CourseTarget(13, "A2", 1),
    ]
    result = gaps(
        competencies=[A1, A2],
        levels={"A2": 1},
        required={"A1": 2, "A2": 3},
        targets=targets,
        completed_course_ids={13},
    )
    assert [(g.competency.code, g.current, g.required, g.course_ids) for g in result] == [
        ("A2", 1, 3, [11, 12]),  # both give Lv2: in course order
        ("A1", 0, 2, [10]),
    ]


def test_a_competency_without_a_requirement_has_no_gap():
    assert (
        gaps(competencies=[A1, A2], levels={}, required={"A2": 0}, targets=[], completed_course_ids=set())
        == []
    )


def test_no_gap_when_requirements_are_met():
    assert (
        gaps(competencies=[A1], levels={"A1": 2}, required={"A1": 2}, targets=[], completed_course_ids=set())
        == []
    )

"""The pure rules behind the competency profile and the gap to DX推進リーダー."""

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


def test_e_learning_counts_at_most_level_2_and_practice_counts_in_full():
    assert level_from_course(level=3, delivery="elearning") == 2
    assert level_from_course(level=3, delivery="classroom") == 2
    assert level_from_course(level=3, delivery="ojt") == 3
    assert level_from_course(level=1, delivery="elearning") == 1


def test_current_level_is_the_highest_any_completed_course_supports():
    completed = [
        CourseTarget(1, "A1", 1, "elearning"),
        CourseTarget(2, "A1", 2, "elearning"),
        CourseTarget(3, "A2", 3, "classroom"),
    ]
    assert current_levels(completed=completed) == {"A1": 2, "A2": 2}


def test_leader_needs_level_3_in_core_and_2_elsewhere():
    assert leader_requirements(competencies=[A1, A2]) == {"A1": 2, "A2": 3}


def test_gaps_list_core_first_with_the_courses_that_raise_each():
    targets = [
        CourseTarget(10, "A1", 2, "elearning"),
        CourseTarget(11, "A2", 2, "elearning"),
        CourseTarget(12, "A2", 3, "ojt"),
        CourseTarget(13, "A2", 1, "elearning"),
    ]
    result = gaps(
        competencies=[A1, A2],
        levels={"A2": 1},
        required={"A1": 2, "A2": 3},
        targets=targets,
        completed_course_ids={13},
    )
    assert [(g.competency.code, g.current, g.required, g.course_ids) for g in result] == [
        ("A2", 1, 3, [12, 11]),
        ("A1", 0, 2, [10]),
    ]


def test_no_gap_when_requirements_are_met():
    assert (
        gaps(competencies=[A1], levels={"A1": 2}, required={"A1": 2}, targets=[], completed_course_ids=set())
        == []
    )

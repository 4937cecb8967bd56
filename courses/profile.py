"""A learner's competency profile from completed courses, and the gap to DX推進リーダー. No ORM here.

Rules (from the draft certification rules, until the certification programme stores them as data):

* Completing a course is evidence of each competency it develops, at the course's level, but **at most
  level 2** unless the course is practice (OJT): quizzes and e-learning show knowing and using (Lv1–2);
  practising (Lv3+) needs evidence of practice.
* A competency's current level is the highest level any completed course supports.
* DX推進リーダー requires level 3 in each core competency and level 2 in every other one.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

PRACTICE_DELIVERIES = frozenset({"ojt"})
LEVEL_CAP_WITHOUT_PRACTICE = 2
LEADER_CORE_LEVEL = 3
LEADER_BREADTH_LEVEL = 2


@dataclass(frozen=True)
class CompetencyInfo:
    code: str
    name: str
    area_code: str
    is_core: bool


@dataclass(frozen=True)
class CourseTarget:
    """One competency a course develops: the course, its delivery, and the level it brings."""

    course_id: int
    competency_code: str
    level: int
    delivery: str


@dataclass
class Gap:
    competency: CompetencyInfo
    current: int
    required: int
    course_ids: list[int] = field(default_factory=list)


def level_from_course(*, level: int, delivery: str) -> int:
    return level if delivery in PRACTICE_DELIVERIES else min(level, LEVEL_CAP_WITHOUT_PRACTICE)


def current_levels(*, completed: Iterable[CourseTarget]) -> dict[str, int]:
    levels: dict[str, int] = {}
    for target in completed:
        level = level_from_course(level=target.level, delivery=target.delivery)
        levels[target.competency_code] = max(levels.get(target.competency_code, 0), level)
    return levels


def leader_requirements(*, competencies: Iterable[CompetencyInfo]) -> dict[str, int]:
    return {c.code: LEADER_CORE_LEVEL if c.is_core else LEADER_BREADTH_LEVEL for c in competencies}


def gaps(
    *,
    competencies: list[CompetencyInfo],
    levels: dict[str, int],
    required: dict[str, int],
    targets: Iterable[CourseTarget],
    completed_course_ids: set[int],
) -> list[Gap]:
    """Competencies below their requirement, core first, each with the uncompleted courses that raise it.

    A course is listed when the level it can give (after the practice rule) is above the current level.
    """
    helpful: dict[str, list[tuple[int, int]]] = {}
    for target in targets:
        if target.course_id in completed_course_ids:
            continue
        gives = level_from_course(level=target.level, delivery=target.delivery)
        if gives > levels.get(target.competency_code, 0):
            helpful.setdefault(target.competency_code, []).append((gives, target.course_id))
    result = [
        Gap(
            competency=c,
            current=levels.get(c.code, 0),
            required=required[c.code],
            course_ids=[course_id for _, course_id in sorted(helpful.get(c.code, []), key=lambda t: -t[0])],
        )
        for c in competencies
        if levels.get(c.code, 0) < required.get(c.code, 0)
    ]
    return sorted(result, key=lambda g: (not g.competency.is_core, g.competency.code))

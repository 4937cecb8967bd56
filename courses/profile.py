"""A learner's competency profile from completed courses, and the gap to DX推進リーダー. No ORM here.

Rules:

* Completing a course is evidence of each competency it develops, recorded at the course's level; like
  all knowledge evidence it supports **at most** ``KNOWLEDGE_LEVEL_CAP`` (2), whatever the course's
  delivery, OJT included: practice (Lv3+) counts when it is recorded as practice evidence. This is the
  level table's rule (``assessments.certification.levels``); this module only repeats it for the interim
  estimate, with the cap from the one place it lives (``courses.competencies.scale``).
* A competency's current level (the interim estimate, used when no app provides the level table) is the
  highest level any completed course supports.
* The level each competency needs comes from the DX推進リーダー programme HR edits (the certification app
  provides it through ``courses.hooks``). Only when no app provides it does /me/ fall back to
  ``leader_requirements``: level 3 in each core competency and level 2 in every other one, the draft
  rules' defaults.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from courses.competencies.scale import KNOWLEDGE_LEVEL_CAP

# The fallback requirements (no app provides the programme's): the draft rules' DX推進リーダー.
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
    """One competency a course develops: the course and the level it brings."""

    course_id: int
    competency_code: str
    level: int


@dataclass
class Gap:
    competency: CompetencyInfo
    current: int
    required: int
    course_ids: list[int] = field(default_factory=list)


def level_from_course(*, level: int) -> int:
    """The level a completed course supports: its level, capped as all knowledge evidence is."""
    return min(level, KNOWLEDGE_LEVEL_CAP)


def current_levels(*, completed: Iterable[CourseTarget]) -> dict[str, int]:
    levels: dict[str, int] = {}
    for target in completed:
        level = level_from_course(level=target.level)
        levels[target.competency_code] = max(levels.get(target.competency_code, 0), level)
    return levels


def leader_requirements(*, competencies: Iterable[CompetencyInfo]) -> dict[str, int]:
    """The fallback requirements, used only when no app provides the programme's (see the module)."""
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

    A course is listed when the level it can give (after the cap) is above the current level, highest
    first, then in course order. A competency absent from ``required`` has no requirement.
    """
    helpful: dict[str, list[tuple[int, int]]] = {}
    for target in targets:
        if target.course_id in completed_course_ids:
            continue
        gives = level_from_course(level=target.level)
        if gives > levels.get(target.competency_code, 0):
            helpful.setdefault(target.competency_code, []).append((gives, target.course_id))
    result = [
        Gap(
            competency=c,
            current=levels.get(c.code, 0),
            required=required.get(c.code, 0),
            course_ids=[
                course_id for _, course_id in sorted(helpful.get(c.code, []), key=lambda t: (-t[0], t[1]))
            ],
        )
        for c in competencies
        if levels.get(c.code, 0) < required.get(c.code, 0)
    ]
    return sorted(result, key=lambda g: (not g.competency.is_core, g.competency.code))

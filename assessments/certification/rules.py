"""Certification eligibility: a programme's rules (plain data) against a person's levels and facts. Pure.

A programme is eligible when **every** requirement it sets is met; requirements a programme does not set
(``None`` / ``False``) are simply not listed. The requirements, in the order they are reported:

* ``prerequisite``: the person holds the named programme (e.g. DXエキスパート needs DX推進リーダー).
* ``competency``: one per rule row: the competency at ``min_level`` or higher (e.g. C1 ≥ 3).
* ``breadth``: every competency of the framework at ``breadth_min_level`` or higher.
* ``specialism``: at least one area with all its competencies at ``specialism_min_level`` or higher.
* ``exam``: a best score of at least ``exam_pass_percent`` in the knowledge examination.
* ``capstone``, ``cross_project``, ``endorsement``: approved / endorsed (facts from the workflows).

Each result says whether it is met and, if not, what is missing: per competency ``C1: Lv2 → Lv3``; for the
specialism, the area closest to meeting it (least total level gap, then fewest competencies short, then
area order); for the exam, best score against the pass mark. Nothing here is hard-coded per programme: the
rules are data, so HR changes who qualifies by editing them.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

PREREQUISITE = "prerequisite"
COMPETENCY = "competency"
BREADTH = "breadth"
SPECIALISM = "specialism"
EXAM = "exam"
CAPSTONE = "capstone"
CROSS_PROJECT = "cross_project"
ENDORSEMENT = "endorsement"


@dataclass(frozen=True)
class CompetencyMinimum:
    competency: str
    min_level: int


@dataclass(frozen=True)
class ProgramRules:
    code: str
    competencies: tuple[CompetencyMinimum, ...] = ()
    breadth_min_level: int | None = None
    specialism_min_level: int | None = None
    requires_exam: bool = False
    exam_pass_percent: float = 70
    requires_capstone: bool = False
    requires_cross_project: bool = False
    requires_endorsement: bool = False
    prerequisite: str | None = None


@dataclass(frozen=True)
class PersonFacts:
    """What is known about the person: levels by competency code, and the workflow facts."""

    levels: Mapping[str, int] = field(default_factory=dict)
    exam_best_percent: float | None = None
    capstone_approved: bool = False
    cross_project_approved: bool = False
    endorsed: bool = False
    held_programs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Shortfall:
    competency: str
    current: int
    required: int

    def __str__(self) -> str:
        return f"{self.competency}: Lv{self.current} → Lv{self.required}"


@dataclass(frozen=True)
class RequirementResult:
    kind: str
    met: bool
    subject: str = ""
    required: float | None = None
    current: float | None = None
    shortfalls: tuple[Shortfall, ...] = ()

    @property
    def missing(self) -> str:
        """What is missing, language-neutral (``C1: Lv2 → Lv3``); empty when met."""
        if self.met:
            return ""
        if self.shortfalls:
            return ", ".join(map(str, self.shortfalls))
        if self.kind == EXAM:
            best = "—" if self.current is None else f"{self.current:g}%"
            return f"{best} → {self.required:g}%"
        return self.subject or self.kind


@dataclass(frozen=True)
class Eligibility:
    program: str
    requirements: tuple[RequirementResult, ...]

    @property
    def eligible(self) -> bool:
        return all(r.met for r in self.requirements)

    @property
    def unmet(self) -> tuple[RequirementResult, ...]:
        return tuple(r for r in self.requirements if not r.met)


def _shortfalls(codes: Sequence[str], levels: Mapping[str, int], required: int) -> tuple[Shortfall, ...]:
    return tuple(
        Shortfall(code, levels.get(code, 0), required) for code in codes if levels.get(code, 0) < required
    )


def _specialism(areas: Mapping[str, Sequence[str]], levels: Mapping[str, int], n: int) -> RequirementResult:
    candidates = []
    for order, (area, codes) in enumerate(areas.items()):
        if not codes:
            continue
        short = _shortfalls(codes, levels, n)
        gap = sum(s.required - s.current for s in short)
        candidates.append((gap, len(short), order, area, short))
    if not candidates:
        return RequirementResult(SPECIALISM, met=False, required=n)
    gap, _, _, area, short = min(candidates)
    return RequirementResult(SPECIALISM, met=gap == 0, subject=area, required=n, shortfalls=short)


def competency_requirements(*, rules: ProgramRules, codes: Sequence[str]) -> dict[str, int]:
    """The level each of ``codes`` needs on its own: the highest of its rule rows and the breadth minimum.

    0 where the programme sets none. The specialism (any one area at a level) binds no single competency,
    so it is left out. /me/ shows these beside the person's levels.
    """
    breadth = rules.breadth_min_level or 0
    required = dict.fromkeys(codes, breadth)
    for row in rules.competencies:
        if row.competency in required:
            required[row.competency] = max(required[row.competency], row.min_level)
    return required


def evaluate(*, rules: ProgramRules, areas: Mapping[str, Sequence[str]], facts: PersonFacts) -> Eligibility:
    """Every requirement of ``rules`` for a person, met or not, with what is missing.

    ``areas`` maps each area code of the framework to its competency codes (in display order); breadth
    and specialism range over it.
    """
    levels = facts.levels
    results: list[RequirementResult] = []
    if rules.prerequisite:
        held = rules.prerequisite in facts.held_programs
        results.append(RequirementResult(PREREQUISITE, met=held, subject=rules.prerequisite))
    for row in rules.competencies:
        current = levels.get(row.competency, 0)
        results.append(
            RequirementResult(
                COMPETENCY,
                met=current >= row.min_level,
                subject=row.competency,
                required=row.min_level,
                current=current,
                shortfalls=_shortfalls([row.competency], levels, row.min_level),
            )
        )
    if rules.breadth_min_level:
        codes = [code for area_codes in areas.values() for code in area_codes]
        short = _shortfalls(codes, levels, rules.breadth_min_level)
        lowest = min((levels.get(code, 0) for code in codes), default=0)
        results.append(
            RequirementResult(
                BREADTH,
                met=bool(codes) and not short,
                required=rules.breadth_min_level,
                current=lowest,
                shortfalls=short,
            )
        )
    if rules.specialism_min_level:
        results.append(_specialism(areas, levels, rules.specialism_min_level))
    if rules.requires_exam:
        best = facts.exam_best_percent
        passed = best is not None and best >= rules.exam_pass_percent
        results.append(RequirementResult(EXAM, met=passed, required=rules.exam_pass_percent, current=best))
    for kind, wanted, fact in (
        (CAPSTONE, rules.requires_capstone, facts.capstone_approved),
        (CROSS_PROJECT, rules.requires_cross_project, facts.cross_project_approved),
        (ENDORSEMENT, rules.requires_endorsement, facts.endorsed),
    ):
        if wanted:
            results.append(RequirementResult(kind, met=fact))
    return Eligibility(program=rules.code, requirements=tuple(results))

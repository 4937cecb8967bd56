"""The level rule: from a person's evidence to a level per competency. Pure: no Django, no ORM.

The rule (the draft's proficiency scale, ``shared/reference/certification_rules_draft.md``):

1. Only **verified** evidence counts; pending and rejected evidence support nothing.
2. A piece of evidence supports the level it records, except that **knowledge sources** (``quiz`` and
   ``course``) support **at most level 2** (知る・使う): tests and e-learning show knowing and using, not
   practice. This holds for every course, whatever its delivery; practice done in an OJT course counts
   when it is recorded as ``ojt`` evidence and verified. This is the one place the cap is applied: a
   completed course is recorded at the course's own level (``assessments.evidence``), and /me/'s interim
   estimate (``courses.profile``) applies the same cap, whose number lives with the scale
   (``courses.competencies.scale``).
3. **Practice sources** (``ojt``: OJT or project records; ``advisor``: an external adviser's direct
   assessment; ``qualification``: an external qualification, at the level the qualification map assigns)
   support the level they record, 1 to 5. So levels 3 and above need a practice source.
4. Any other source is treated as a knowledge source (at most level 2): an unknown kind of evidence
   never unlocks practice levels.
5. A competency's level is the **highest** level any of its evidence supports; a competency without
   supporting evidence has no level (it is absent from the result, i.e. level 0).

Consequences the tests pin: the result never exceeds the highest recorded level; adding evidence never
lowers a level; the order of the evidence does not matter; without a practice source no level exceeds 2.

Competencies are keys the caller chooses (a code within one framework version, or a database id); they
are carried through untouched, as is each fact's ``ref`` (e.g. the Evidence id), so that the caller can
show the evidence behind each level.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from courses.competencies.scale import KNOWLEDGE_LEVEL_CAP, LEVEL_MAX, LEVEL_MIN

VERIFIED = "verified"
KNOWLEDGE_SOURCES = frozenset({"quiz", "course"})
PRACTICE_SOURCES = frozenset({"ojt", "advisor", "qualification"})
LEVEL_CAP_WITHOUT_PRACTICE = KNOWLEDGE_LEVEL_CAP
MIN_LEVEL, MAX_LEVEL = LEVEL_MIN, LEVEL_MAX


@dataclass(frozen=True)
class EvidenceFact:
    """One piece of evidence as the rule sees it."""

    competency: Hashable
    level: int
    source: str
    status: str = VERIFIED
    ref: Hashable = None

    def __post_init__(self) -> None:
        if not MIN_LEVEL <= self.level <= MAX_LEVEL:
            raise ValueError(f"level must be {MIN_LEVEL}..{MAX_LEVEL}, not {self.level}")


def is_practice(source: str) -> bool:
    return source in PRACTICE_SOURCES


def supported_level(fact: EvidenceFact) -> int:
    """The level this piece of evidence supports on its own (0 when it is not verified)."""
    if fact.status != VERIFIED:
        return 0
    if is_practice(fact.source):
        return fact.level
    return min(fact.level, LEVEL_CAP_WITHOUT_PRACTICE)


def competency_levels(facts: Iterable[EvidenceFact]) -> dict[Hashable, int]:
    """The level per competency: the highest level its evidence supports (competencies at 0 omitted)."""
    levels: dict[Hashable, int] = {}
    for fact in facts:
        level = supported_level(fact)
        if level > levels.get(fact.competency, 0):
            levels[fact.competency] = level
    return levels


def level_basis(facts: Iterable[EvidenceFact]) -> dict[Hashable, tuple[EvidenceFact, ...]]:
    """Per competency, the evidence that supports its level (each fact supporting exactly that level)."""
    facts = list(facts)
    levels = competency_levels(facts)
    basis: dict[Hashable, list[EvidenceFact]] = {key: [] for key in levels}
    for fact in facts:
        if fact.competency in levels and supported_level(fact) == levels[fact.competency]:
            basis[fact.competency].append(fact)
    return {key: tuple(found) for key, found in basis.items()}

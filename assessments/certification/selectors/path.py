"""The path to a certification: each requirement met or missing, with the evidence behind it.

Levels are computed here from the person's evidence with the same pure rule the level table uses, so a
piece of evidence HR has just verified shows at once, even before the recompute task has run.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, Prefetch, Q, Value, When
from django.utils import timezone

from assessments.models import Attempt, AttemptStatus, Evidence, EvidenceStatus
from courses.competencies.api import (
    Competency,
    CompetencyArea,
    CompetencyFramework,
    competencies_of,
    framework_current,
)
from lms_site.organisation.api import offered_to, profile_of
from lms_site.shared_memo import memoized_shared

from .. import levels, rules
from ..models import Capstone, CapstoneStatus, Certificate, CertificationProgram, ProgramRequirement

DEFAULT_PROGRAM = "DX_LEADER"


@dataclass(frozen=True)
class PathRequirement:
    result: rules.RequirementResult
    competencies: tuple[Competency, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    pending: tuple[Evidence, ...] = ()
    area: CompetencyArea | None = None
    attempt: Attempt | None = None

    @property
    def met(self) -> bool:
        return self.result.met


@dataclass
class CertificationPath:
    program: CertificationProgram
    framework: CompetencyFramework
    eligibility: rules.Eligibility
    requirements: list[PathRequirement] = field(default_factory=list)
    levels: dict[str, int] = field(default_factory=dict)

    @property
    def eligible(self) -> bool:
        return self.eligibility.eligible


def program_rules(program: CertificationProgram) -> rules.ProgramRules:
    """The programme's rules as plain data (its ``requirements`` prefetched, or one query)."""
    return rules.ProgramRules(
        code=program.code,
        competencies=tuple(
            rules.CompetencyMinimum(r.competency.code, r.min_level) for r in program.requirements.all()
        ),
        breadth_min_level=program.breadth_min_level,
        specialism_min_level=program.specialism_min_level,
        requires_exam=program.requires_exam,
        exam_pass_percent=program.exam_pass_percent,
        requires_capstone=program.requires_capstone,
        requires_cross_project=program.requires_cross_project,
        requires_endorsement=program.requires_endorsement,
        prerequisite=program.prerequisite.code if program.prerequisite else None,
    )


def in_force_order(municipality_id):
    """Most specific first: the municipality's own, then its prefecture's, then the shared default."""
    if municipality_id is None:
        return Value(0)
    return Case(
        When(municipality_id=municipality_id, then=Value(0)),
        When(municipality__isnull=True, then=Value(2)),
        default=Value(1),
    )


def _offered(municipality_id):
    return CertificationProgram.objects.filter(offered_to(municipality_id)).annotate(
        specificity=in_force_order(municipality_id)
    )


def programs_in_force(municipality_id: int | None) -> list[CertificationProgram]:
    """For each code, the programme a municipality's staff are held to (ADR 0024): its own, else its
    prefecture's, else the shared default; none where that one is switched off. ``None``: the shared."""
    chosen: dict[str, CertificationProgram] = {}
    for program in _offered(municipality_id).select_related("prerequisite").order_by("code", "specificity"):
        chosen.setdefault(program.code, program)
    return [program for program in chosen.values() if program.is_active]


def program_in_force(*, code: str, municipality_id: int | None) -> CertificationProgram | None:
    """The programme of this code a municipality's staff are held to, if it is active."""
    program = _offered(municipality_id).filter(code=code).order_by("specificity").first()
    return program if program is not None and program.is_active else None


def municipality_of(user) -> int | None:
    """The municipality whose programmes hold for ``user`` (its staff record's; None without one)."""
    profile = profile_of(user)
    return profile.municipality_id if profile is not None else None


def program_with_rules(*, code: str, municipality_id: int | None = None) -> CertificationProgram | None:
    """The programme in force for the municipality, with its requirements and prerequisite (read once per
    page view, and kept across /me/'s views while no programme, requirement or competency row and no
    municipality changes: ``shared_memo``). Read it, never change it."""
    return memoized_shared(
        ("program_with_rules", code, municipality_id),
        lambda: _program_with_rules(code=code, municipality_id=municipality_id),
    )


def _program_with_rules(*, code: str, municipality_id: int | None) -> CertificationProgram | None:
    requirements = ProgramRequirement.objects.select_related("competency").order_by("sort_order", "pk")
    program = (
        _offered(municipality_id)
        .select_related("prerequisite")  # the exam is named by its id only (exam_id)
        .prefetch_related(Prefetch("requirements", queryset=requirements))
        .filter(code=code)
        .order_by("specificity")
        .first()
    )
    return program if program is not None and program.is_active else None


def exam_best_attempt(*, user, program: CertificationProgram) -> Attempt | None:
    """The best graded attempt at the programme's exam (its quiz, else any leader-exam quiz)."""
    quizzes = Q(quiz_id=program.exam_id) if program.exam_id else Q(quiz__is_leader_exam=True)
    return (
        Attempt.objects.filter(quizzes, user=user, percent__isnull=False)
        .exclude(status=AttemptStatus.IN_PROGRESS)
        .order_by("-percent", "finished_at")
        .first()
    )


def held_program_codes(*, user, on: datetime.date | None = None) -> frozenset[str]:
    """Codes of the programmes held on ``on`` (today): a certificate neither revoked nor expired."""
    on = on or timezone.localdate()
    return frozenset(
        Certificate.objects.filter(user=user, revoked_at__isnull=True, issued_on__lte=on)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
        .values_list("program__code", flat=True)
    )


def _held_codes(certificates: list[Certificate], on: datetime.date) -> frozenset[str]:
    """``held_program_codes`` of certificates already read (each with its ``program``)."""
    return frozenset(
        c.program.code
        for c in certificates
        if c.revoked_at is None and c.issued_on <= on and (c.expires_on is None or c.expires_on >= on)
    )


def approved_capstone(*, user, program: CertificationProgram) -> Capstone | None:
    """The person's latest approved capstone for ``program`` (endorsed on the way, by the workflow)."""
    return (
        Capstone.objects.filter(user=user, program=program, status=CapstoneStatus.APPROVED)
        .order_by("-approved_at")
        .first()
    )


def _latest_approved(capstones: list[Capstone]) -> Capstone | None:
    """``approved_capstone`` of the programme's capstones already read: the approved one approved last
    (an approval time missing sorts as the database sorts it, first in descending order on PostgreSQL)."""
    approved = [c for c in capstones if c.status == CapstoneStatus.APPROVED]
    if not approved:
        return None
    missing = 0 if connection.features.nulls_order_largest else 2  # before or after every time

    def order(capstone: Capstone) -> tuple:
        if capstone.approved_at is None:
            return (missing, 0.0)
        return (1, -capstone.approved_at.timestamp())

    return min(approved, key=order)


def workflow_facts(*, user, program: CertificationProgram, capstones: list[Capstone] | None = None) -> dict:
    """The capstone, cross-課 project and endorsement facts ``rules.PersonFacts`` needs (one query; none
    with ``capstones``, the person's capstones for ``program`` already read)."""
    wanted = program.requires_capstone or program.requires_cross_project
    if not wanted:
        capstone = None
    elif capstones is not None:
        capstone = _latest_approved(capstones)
    else:
        capstone = approved_capstone(user=user, program=program)
    return {
        "capstone_approved": capstone is not None,
        "cross_project_approved": capstone is not None and capstone.is_cross_department,
        "endorsed": capstone is not None and capstone.endorsed_at is not None,
    }


def certification_path(
    *,
    user,
    program_code: str = DEFAULT_PROGRAM,
    on: datetime.date | None = None,
    certificates: list[Certificate] | None = None,
    capstones: list[Capstone] | None = None,
) -> CertificationPath | None:
    """Each requirement of the programme for ``user``: met or missing, with the evidence behind it.

    None when the programme does not exist (or is inactive) or there is no current framework. Runs a
    fixed number of queries (at most eight). ``certificates`` (each with its ``program``) and ``capstones``
    (for the programme): the person's rows, when the caller has read them (the plan, which shows them too).
    """
    program = program_with_rules(code=program_code, municipality_id=municipality_of(user))
    framework = framework_current()
    if program is None or framework is None:
        return None
    competencies = list(competencies_of(framework=framework))
    by_code = {c.code: c for c in competencies}
    areas: dict[str, list[str]] = defaultdict(list)
    area_objects: dict[str, CompetencyArea] = {}
    for competency in sorted(competencies, key=lambda c: (c.area.sort_order, c.area.code)):
        areas[competency.area.code].append(competency.code)
        area_objects[competency.area.code] = competency.area
    evidence = list(
        Evidence.objects.filter(user=user, competency__framework=framework)
        .exclude(status=EvidenceStatus.REJECTED)
        .select_related("competency")
        .order_by("-level", "recorded_at")
    )
    by_pk = {row.pk: row for row in evidence}
    facts = [
        levels.EvidenceFact(row.competency.code, row.level, row.source, row.status, row.pk)
        for row in evidence
    ]
    for fact in facts:  # what each row supports, which the path shows (a course recorded at Lv3 shows Lv2)
        by_pk[fact.ref].supports = levels.supported_level(fact)
    current = levels.competency_levels(facts)
    basis = {code: tuple(by_pk[f.ref] for f in found) for code, found in levels.level_basis(facts).items()}
    pending: dict[str, list[Evidence]] = defaultdict(list)
    for row in evidence:
        if row.status == EvidenceStatus.PENDING:
            pending[row.competency.code].append(row)
    attempt = exam_best_attempt(user=user, program=program) if program.requires_exam else None
    facts_of_person = rules.PersonFacts(
        levels=current,
        exam_best_percent=float(attempt.percent) if attempt else None,
        held_programs=held_program_codes(user=user, on=on)
        if certificates is None
        else _held_codes(certificates, on or timezone.localdate()),
        **workflow_facts(user=user, program=program, capstones=capstones),
    )
    eligibility = rules.evaluate(rules=program_rules(program), areas=areas, facts=facts_of_person)

    def codes_of(result: rules.RequirementResult) -> list[str]:
        if result.kind == rules.COMPETENCY:
            return [result.subject]
        if result.kind == rules.BREADTH:
            return [code for codes in areas.values() for code in codes]
        if result.kind == rules.SPECIALISM:
            return list(areas.get(result.subject, []))
        return []

    requirements = []
    for result in eligibility.requirements:
        codes = codes_of(result)
        requirements.append(
            PathRequirement(
                result=result,
                competencies=tuple(by_code[code] for code in codes if code in by_code),
                evidence=tuple(row for code in codes for row in basis.get(code, ())),
                pending=tuple(row for code in codes for row in pending.get(code, ())),
                area=area_objects.get(result.subject) if result.kind == rules.SPECIALISM else None,
                attempt=attempt if result.kind == rules.EXAM else None,
            )
        )
    return CertificationPath(
        program=program,
        framework=framework,
        eligibility=eligibility,
        requirements=requirements,
        levels=current,
    )

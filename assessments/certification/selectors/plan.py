"""The learner's path to a certification on /me/: each requirement met or missing, the evidence behind it,
and the ways to close each gap, ordered by least effort.

Effort is an estimate in hours, used only to order the advice:

* a course: its ``estimated_hours`` (only courses whose evidence reaches the level needed: courses,
  whatever their delivery, and quizzes show Lv1–2, as in the level table);
* the knowledge examination: ``EXAM_HOURS`` (the exam itself plus revision);
* a qualification mapped to the competency at the level needed: ``QUALIFICATION_HOURS`` (study for a
  national examination is counted in weeks, not hours);
* the capstone (practice at Lv3, endorsement, cross-課 project): ``CAPSTONE_HOURS`` (a 3–6 month project
  beside the daily work).

A requirement's effort is that of its cheapest way; for a requirement short in several competencies, the
distinct courses needed are added up (a course raising two of them counts once). Requirements are listed
cheapest first, met ones last.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from courses.api import level_from_course, offered_targets
from courses.competencies.api import framework_current
from lms_site.shared_memo import memoized_shared

from .. import rules
from ..models import Capstone, CapstoneStatus, Certificate, QualificationCompetency
from .path import (
    CertificationPath,
    PathRequirement,
    certification_path,
    municipality_of,
    program_with_rules,
)

EXAM_HOURS = Decimal(3)
QUALIFICATION_HOURS = Decimal(100)
CAPSTONE_HOURS = Decimal(120)
DEFAULT_PROGRAM = "DX_LEADER"


@dataclass
class Way:
    """One way to close (part of) a gap."""

    kind: str  # course | exam | qualification | capstone
    label: str
    hours: Decimal
    url: str = ""
    competencies: tuple[str, ...] = ()


@dataclass
class PlanStep:
    requirement: PathRequirement
    ways: list[Way] = field(default_factory=list)
    hours: Decimal | None = None  # None: no known way (e.g. nothing in the catalogue reaches the level)


@dataclass
class CertificationPlan:
    path: CertificationPath
    steps: list[PlanStep]
    met: list[PathRequirement]
    certificate: Certificate | None = None
    capstone: Capstone | None = None


def _course_ways(needed: dict[str, int], *, user, request=None) -> dict[str, list[tuple[Way, int]]]:
    """For each competency code, the live courses offered to ``user`` raising it, with the level their
    evidence reaches, in catalogue order (so that courses of equal hours keep one order).

    The targets are the ones /me/'s profile already read (no query of their own); with the request,
    Wagtail keeps the site's root paths on it for the course links."""
    framework = framework_current()
    ways: dict[str, list[tuple[Way, int]]] = defaultdict(list)
    if framework is None:
        return ways
    urls: dict[int, str] = {}  # a course raising several gaps: its address worked out once
    for target in offered_targets(user=user, framework=framework):
        if target.code not in needed:
            continue
        if target.course_id not in urls:
            urls[target.course_id] = target.url(request)
        reach = level_from_course(level=target.level)  # the level table's cap, OJT included
        way = Way("course", target.title, target.hours, urls[target.course_id])
        ways[target.code].append((way, reach))
    return ways


def _qualification_ways(needed: dict[str, int]) -> dict[str, list[tuple[Way, int]]]:
    """For each competency code, the active qualifications mapped to it in the current framework, with the
    level they show (one query: the names and levels only, as ``claimable_qualifications`` lists them; kept
    across /me/'s views while no qualification, competency or framework row changes: ``shared_memo``)."""
    codes = sorted(needed)

    def read() -> tuple[tuple[str, str, int], ...]:
        return tuple(
            QualificationCompetency.objects.filter(
                competency__framework__is_current=True,
                competency__code__in=codes,
                qualification__is_active=True,
            )
            .order_by("qualification__name", "sort_order", "pk")
            .values_list("qualification__name", "competency__code", "level")
        )

    ways: dict[str, list[tuple[Way, int]]] = defaultdict(list)
    for name, code, level in memoized_shared(("qualification_ways", tuple(codes)), read):
        ways[code].append((Way("qualification", name, QUALIFICATION_HOURS), level))
    return ways


def certification_plan(
    *, user, program_code: str = DEFAULT_PROGRAM, request=None
) -> CertificationPlan | None:
    program = program_with_rules(code=program_code, municipality_id=municipality_of(user))
    if program is None or framework_current() is None:
        return None  # no path (certification_path's own test, on the same memoized rows)
    # The person's certificates and capstones for the programme, read once for what the path (the programmes
    # held, the approved capstone) and the plan (the latest certificate, the capstone to show) both need.
    certificates = list(
        Certificate.objects.filter(user=user).select_related(
            "program",
            "status_list",
            "municipality__site",  # its address (get_absolute_url)
        )
    )
    capstones = list(
        Capstone.objects.filter(user=user, program=program).order_by("approved_at", "-created_at")
    )
    path = certification_path(
        user=user, program_code=program_code, certificates=certificates, capstones=capstones
    )
    if path is None:
        return None
    current = [c for c in certificates if c.program_id == path.program.pk and c.revoked_at is None]
    certificate = max(current, key=lambda c: c.period, default=None)
    capstone = capstones[0] if capstones else None
    needed: dict[str, int] = {}
    for requirement in path.requirements:
        for shortfall in requirement.result.shortfalls:
            needed[shortfall.competency] = max(needed.get(shortfall.competency, 0), shortfall.required)
    courses = _course_ways(needed, user=user, request=request) if needed else {}
    qualifications = _qualification_ways(needed) if needed else {}
    capstone_way = Way("capstone", path.program.name, CAPSTONE_HOURS, "capstone")
    steps, met = [], []
    for requirement in path.requirements:
        if requirement.met:
            met.append(requirement)
            continue
        steps.append(_step(requirement, courses, qualifications, capstone_way, capstone))
    steps.sort(key=lambda s: (s.hours is None, s.hours or 0))
    return CertificationPlan(path=path, steps=steps, met=met, certificate=certificate, capstone=capstone)


def _step(requirement, courses, qualifications, capstone_way, capstone) -> PlanStep:
    kind = requirement.result.kind
    if kind == rules.EXAM:
        return PlanStep(requirement, [Way("exam", "", EXAM_HOURS)], EXAM_HOURS)
    if kind in (rules.CAPSTONE, rules.ENDORSEMENT, rules.CROSS_PROJECT):
        hours = CAPSTONE_HOURS if capstone is None or capstone.status == CapstoneStatus.DRAFT else Decimal(0)
        return PlanStep(requirement, [capstone_way], hours)
    if kind == rules.PREREQUISITE:
        return PlanStep(requirement, [], None)
    chosen: dict[str, Way] = {}
    ways: list[Way] = []
    total, known = Decimal(0), True
    for shortfall in requirement.result.shortfalls:
        code = shortfall.competency
        reaching = [way for way, reach in courses.get(code, []) if reach >= shortfall.required]
        options = sorted(reaching, key=lambda w: w.hours) + [
            way for way, level in qualifications.get(code, []) if level >= shortfall.required
        ]
        if shortfall.required >= 3:
            options.append(capstone_way)
        if not options:
            known = False
            continue
        best = options[0]
        key = f"{best.kind}:{best.label}"
        if key not in chosen:
            chosen[key] = Way(best.kind, best.label, best.hours, best.url, ())
            total += best.hours if best.kind != "capstone" else 0
        chosen[key].competencies += (code,)
    ways = sorted(chosen.values(), key=lambda w: w.hours)
    if any(w.kind == "capstone" for w in ways):
        total += CAPSTONE_HOURS
    return PlanStep(requirement, ways, total if known else None)

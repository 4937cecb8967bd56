"""Loading the default programmes (``defaults.py``) and qualification map (``fixtures/certification``).

Used by ``manage.py load_certification_defaults`` and by ``demo.py``. Idempotent, and it never changes a
programme or qualification that is already there: once loaded, they are HR's to edit in the admin.
Everything is written in one transaction: any problem (a missing competency, a bad row) writes nothing.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from assessments.models import Quiz
from courses.competencies.api import Competency, CompetencyFramework, framework_current

from .. import defaults, qualification_csv
from ..models import (
    CertificationProgram,
    ProgramRequirement,
    Qualification,
    QualificationCompetency,
    RubricCriterion,
)

QUALIFICATIONS_CSV = Path(settings.BASE_DIR) / "fixtures" / "certification" / "qualifications.csv"


class DefaultsError(Exception):
    pass


@dataclass
class DefaultsOutcome:
    programs_created: list[str] = field(default_factory=list)
    qualifications_created: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"programs": len(self.programs_created), "qualifications": len(self.qualifications_created)}


def _competencies(framework: CompetencyFramework, codes: set[str]) -> dict[str, Competency]:
    found = {c.code: c for c in Competency.objects.filter(framework=framework, code__in=codes)}
    if missing := sorted(codes - set(found)):
        raise DefaultsError(f"{framework}: no competency {', '.join(missing)}")
    return found


def program_defaults_load(*, framework: CompetencyFramework) -> list[str]:
    """Create the draft's programmes that do not exist yet (by code); returns the codes created."""
    codes = {code for program in defaults.PROGRAMS for code, _ in program.competencies}
    competencies = _competencies(framework, codes)
    exam = Quiz._base_manager.filter(is_leader_exam=True, municipality__isnull=True).order_by("pk").first()
    shared = CertificationProgram.objects.filter(municipality__isnull=True)  # the defaults are shared
    existing = set(shared.values_list("code", flat=True))
    created = []
    for data in defaults.PROGRAMS:  # prerequisites come first
        if data.code in existing:
            continue
        program = CertificationProgram.objects.create(
            code=data.code,
            name=data.name,
            description=data.description,
            sort_order=data.sort_order,
            prerequisite=shared.filter(code=data.prerequisite).first(),
            breadth_min_level=data.breadth_min_level,
            specialism_min_level=data.specialism_min_level,
            requires_exam=data.requires_exam,
            exam=exam if data.requires_exam else None,
            exam_pass_percent=data.exam_pass_percent,
            requires_capstone=data.requires_capstone,
            requires_cross_project=data.requires_cross_project,
            requires_endorsement=data.requires_endorsement,
            validity_years=data.validity_years,
            renewal_hours_per_year=data.renewal_hours_per_year,
            renewal_requirement=data.renewal_requirement,
        )
        ProgramRequirement.objects.bulk_create(
            ProgramRequirement(program=program, competency=competencies[code], min_level=level, sort_order=n)
            for n, (code, level) in enumerate(data.competencies)
        )
        created.append(data.code)
    rubric_defaults_load()
    return created


def rubric_defaults_load() -> int:
    """Give each programme with a capstone or cross-課 project the default rubric if it has none yet."""
    created = 0
    programs = CertificationProgram.objects.filter(Q(requires_capstone=True) | Q(requires_cross_project=True))
    for program in programs.exclude(rubric__isnull=False):
        RubricCriterion.objects.bulk_create(
            RubricCriterion(
                program=program, name=name, description=description, min_score=minimum, sort_order=n
            )
            for n, (name, description, minimum) in enumerate(defaults.RUBRIC)
        )
        created += len(defaults.RUBRIC)
    return created


def qualification_defaults_load(*, framework: CompetencyFramework, content: bytes) -> list[str]:
    """Create the qualifications of the map file that do not exist yet (by code); returns their codes."""
    try:
        rows = qualification_csv.parse(content)
    except qualification_csv.QualificationFileError as exc:
        raise DefaultsError(f"{QUALIFICATIONS_CSV.name}: {exc}") from exc
    competencies = _competencies(framework, {code for row in rows for code, _ in row.levels})
    existing = set(Qualification.objects.values_list("code", flat=True))
    created = []
    for row in rows:
        if row.code in existing:
            continue
        qualification = Qualification.objects.create(code=row.code, name=row.name, issuer=row.issuer)
        QualificationCompetency.objects.bulk_create(
            QualificationCompetency(
                qualification=qualification, competency=competencies[code], level=level, sort_order=n
            )
            for n, (code, level) in enumerate(row.levels)
        )
        created.append(row.code)
    return created


@transaction.atomic
def certification_defaults_load(*, qualifications_csv: bytes | None = None) -> DefaultsOutcome:
    """Programmes and qualifications against the current framework; refuses without one."""
    framework = framework_current()
    if framework is None:
        raise DefaultsError("no current competency framework: import one first (manage.py import_framework)")
    content = QUALIFICATIONS_CSV.read_bytes() if qualifications_csv is None else qualifications_csv
    return DefaultsOutcome(
        programs_created=program_defaults_load(framework=framework),
        qualifications_created=qualification_defaults_load(framework=framework, content=content),
    )

"""What the certification app adds to /me/ (through ``courses.hooks``): the level table as the learner's
levels, the DX推進リーダー programme's requirement per competency, and the path to it with the cheapest
ways to close each gap."""

from courses.competencies.api import competencies_of

from . import rules
from .models import CompetencyLevel
from .selectors.path import DEFAULT_PROGRAM, municipality_of, program_rules, program_with_rules
from .selectors.plan import certification_plan


def levels_of(user, framework) -> dict[str, int]:
    return dict(
        CompetencyLevel.objects.filter(user=user, competency__framework=framework).values_list(
            "competency__code", "level"
        )
    )


def requirements_of(framework, user=None) -> dict[str, int] | None:
    """The level each competency of ``framework`` needs for DX推進リーダー, as HR set it in the programme
    in force for the municipality (ADR 0024).

    None when the programme does not exist or is inactive: /me/ then falls back to the draft defaults.
    """
    program = program_with_rules(code=DEFAULT_PROGRAM, municipality_id=municipality_of(user))
    if program is None:
        return None
    codes = [competency.code for competency in competencies_of(framework=framework)]
    return rules.competency_requirements(rules=program_rules(program), codes=codes)


def path_section(request):
    plan = certification_plan(user=request.user, request=request)
    if plan is None:
        return None
    return "certification/includes/me_path.html", {"plan": plan}


def sources(user_id: int) -> list:
    """What the certification app's part of /me/ reads (``courses.hooks.me_sources_register``): the
    learner's levels, evidence, attempts, certificates and capstones, and the shared programmes,
    requirements, qualifications and quizzes (the exam) whole: /me/'s cached content is made again when
    any of their rows changes."""
    from assessments.models import Attempt, Evidence, Quiz

    from .models import (
        Capstone,
        Certificate,
        CertificationProgram,
        ProgramRequirement,
        Qualification,
        QualificationCompetency,
        StatusList,
    )

    mine = [CompetencyLevel, Evidence, Attempt, Certificate, Capstone]
    shared = [CertificationProgram, ProgramRequirement, Qualification, QualificationCompetency, Quiz]
    certificates = Certificate._base_manager.filter(user_id=user_id)
    return [
        *(model._base_manager.filter(user_id=user_id) for model in mine),
        *(model._base_manager.all() for model in shared),
        # a certificate's address is its status list's host (get_absolute_url)
        StatusList._base_manager.filter(pk__in=certificates.values("status_list_id")),
    ]

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

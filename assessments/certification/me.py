"""What the certification app adds to /me/ (through ``courses.hooks``): the level table as the learner's
levels, and the path to DX推進リーダー with the cheapest ways to close each gap."""

from .models import CompetencyLevel
from .selectors.plan import certification_plan


def levels_of(user, framework) -> dict[str, int]:
    return dict(
        CompetencyLevel.objects.filter(user=user, competency__framework=framework).values_list(
            "competency__code", "level"
        )
    )


def path_section(request):
    plan = certification_plan(user=request.user, request=request)
    if plan is None:
        return None
    return "certification/includes/me_path.html", {"plan": plan}

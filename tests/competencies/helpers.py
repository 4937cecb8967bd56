"""Comparing frameworks field by field."""

from courses.competencies.models import CompetencyFramework

# Bookkeeping, not content: which row, when, and whether this version is the current one.
NOT_CONTENT = {"id", "framework", "created_at", "updated_at", "is_current"}


def _fields(obj, *, identifiers: bool) -> dict:
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name in NOT_CONTENT or (field.name == "identifier" and not identifiers):
            continue
        value = getattr(obj, field.name)
        values[field.name] = value.code if field.name == "area" else value
    return values


def framework_content(framework: CompetencyFramework, *, identifiers: bool = True) -> dict:
    """Every field of the framework and of its levels, areas and competencies (areas by code)."""
    return {
        "framework": _fields(framework, identifiers=identifiers),
        "levels": [_fields(lv, identifiers=identifiers) for lv in framework.levels.order_by("level")],
        "areas": [_fields(a, identifiers=identifiers) for a in framework.areas.order_by("code")],
        "competencies": [
            _fields(c, identifiers=identifiers)
            for c in framework.competencies.select_related("area").order_by("code")
        ],
    }


def identifiers_of(framework: CompetencyFramework) -> set:
    rows = [framework, *framework.levels.all(), *framework.areas.all(), *framework.competencies.all()]
    return {row.identifier for row in rows}

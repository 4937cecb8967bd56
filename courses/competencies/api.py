"""The competency framework's door: what the other apps may use (ADR 0028).

Other apps import from here, never from ``models``, ``selectors``, ``services``, ``scale_fields`` or
``case_io`` directly; import-linter's "one door per app" contract holds them to it. Two exceptions, both
in pyproject.toml: the pure rule modules (``assessments.certification.levels`` and the like) read the level
scale from ``scale`` itself, because this door imports the ORM and they must not; and other apps' demo
builders may read ``demo``. Foreign keys keep their string references ("competencies.Competency").
"""

from .case_io.query import ListQuery, QueryError, parse_list_query
from .case_io.vocabulary import node_uri
from .case_provider import (
    case_association,
    case_document,
    case_documents,
    case_item,
    case_item_associations,
    case_item_type,
    case_nothing,
    case_package,
    case_rubric,
)
from .models import Competency, CompetencyArea, CompetencyFramework, ProficiencyLevel
from .scale import KNOWLEDGE_LEVEL_CAP, LEVEL_MAX, LEVEL_MIN, LEVELS
from .scale_fields import LEVEL_VALIDATORS, level_in_range
from .selectors import competencies_of, framework_current
from .services import framework_export_case

__all__ = [
    "KNOWLEDGE_LEVEL_CAP",
    "LEVELS",
    "LEVEL_MAX",
    "LEVEL_MIN",
    "LEVEL_VALIDATORS",
    "Competency",
    "CompetencyArea",
    "CompetencyFramework",
    "ListQuery",
    "ProficiencyLevel",
    "QueryError",
    "case_association",
    "case_document",
    "case_documents",
    "case_item",
    "case_item_associations",
    "case_item_type",
    "case_nothing",
    "case_package",
    "case_rubric",
    "competencies_of",
    "framework_current",
    "framework_export_case",
    "level_in_range",
    "node_uri",
    "parse_list_query",
]

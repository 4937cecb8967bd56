"""Reads for the CASE 1.0 provider (``/ims/case/v1p0/``, ADR 0021): every framework the platform holds, ours
(current and earlier versions) and the reference frameworks, as CFDocuments, CFPackages, CFItems and
CFAssociations.

Every part is cut from the framework's package as ``framework_export_case`` builds it (one exporter), so an
item or association read alone is the same JSON as in its package. Each read is a fixed number of queries,
whatever the size of the framework. ``None`` means no such object.
"""

import datetime
import uuid

from django.db.models import Case, F, Max, Prefetch, Q, QuerySet, TextField, Value, When

from .case_io.build import (
    build_document,
    child_of_identifier,
    document_link,
    item_type_definition,
    mapping_association,
    rubric_identifier,
    timestamp,
)
from .case_io.query import IDENTIFIER, TIME, URI, Condition, ListQuery
from .case_io.vocabulary import CREATOR, ITEM_TYPES, LANGUAGE, item_type_identifier
from .framework_data import CompetencyData, FrameworkData, MappingData
from .models import Competency, CompetencyArea, CompetencyFramework, CompetencyMapping, ProficiencyLevel
from .selectors import framework_head
from .services import framework_export_case


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _document_data(framework: CompetencyFramework) -> FrameworkData:
    """What the CFDocument needs: the framework and its levels (prefetched as ``framework.levels``)."""
    return framework_head(framework, framework.levels.all())


def _frameworks():
    levels = Prefetch("levels", queryset=ProficiencyLevel.objects.order_by("level"))
    return CompetencyFramework.objects.prefetch_related(levels)


# The database expression of each CFDocument field that can be filtered or sorted by: a column, or (creator,
# language) what ``build_document`` writes, said in SQL. The URI is "urn:uuid:" and the identifier.
DEFAULT_ORDER = ("is_reference", "-is_current", "title", "-created_at", "pk")
COLUMNS = {
    "identifier": "identifier",
    "uri": "identifier",
    "creator": "case_creator",
    "title": "title",
    "lastChangeDateTime": "updated_at",
    "description": "description",
    "language": "case_language",
    "version": "version",
    "notes": "source",
}
TEXT_LOOKUPS = {"=": "exact", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "~": "icontains"}
SECOND = datetime.timedelta(seconds=1)


def case_documents(*, query: ListQuery, offset: int, limit: int) -> tuple[int, list[dict]]:
    """How many frameworks ``query`` selects, and the CFDocuments of ``limit`` of them from ``offset``: ours
    (current first, then earlier versions), then the reference frameworks, unless sorted by a field. Filtered,
    sorted, counted and paged in the database (three queries: the count, the page and its levels), so the
    cost does not grow with the number of frameworks (``fields`` is the caller's, on the page)."""
    frameworks = _selected(query)
    total = frameworks.count()
    order = DEFAULT_ORDER
    if query.sort:
        column = COLUMNS[query.sort]
        order = (f"-{column}" if query.descending else column, *DEFAULT_ORDER)
    page = frameworks.order_by(*order)[offset : offset + limit]
    return total, [build_document(_document_data(f), last_change=f.updated_at) for f in page]


def _selected(query: ListQuery) -> QuerySet:
    frameworks = _frameworks().annotate(
        case_creator=Case(
            When(Q(is_reference=True) & ~Q(source=""), then=F("source")),
            default=Value(CREATOR),
            output_field=TextField(),
        ),
        case_language=Case(
            When(is_reference=True, then=Value("")), default=Value(LANGUAGE), output_field=TextField()
        ),
    )
    if not query.conditions:
        return frameworks
    selections = [_selection(condition) for condition in query.conditions]
    combined = selections[0]
    for selection in selections[1:]:
        combined = combined | selection if query.any_of else combined & selection
    return frameworks.filter(combined)


def _selection(condition: Condition) -> Q:
    column, predicate, value = COLUMNS[condition.field], condition.predicate, condition.value
    kind = {"identifier": IDENTIFIER, "uri": URI, "lastChangeDateTime": TIME}.get(condition.field)
    if kind in (IDENTIFIER, URI):
        matches = Q(**{column: value}) if isinstance(value, uuid.UUID) else Q(pk__in=[])
        return matches if predicate == "=" else ~matches
    if kind == TIME:
        return _time_selection(column, predicate, value)
    if predicate == "!=":
        return ~Q(**{column: value})
    return Q(**{f"{column}__{TEXT_LOOKUPS[predicate]}": value})


def _time_selection(column: str, predicate: str, moment: datetime.datetime) -> Q:
    """The served ``lastChangeDateTime`` is the time to the second: compare that, not the stored time."""
    floor = moment.replace(microsecond=0)
    ceiling = floor if floor == moment else floor + SECOND
    same_second = Q(**{f"{column}__gte": floor, f"{column}__lt": floor + SECOND})
    equal = same_second if floor == moment else Q(pk__in=[])
    return {
        "=": equal,
        "!=": ~equal,
        ">": Q(**{f"{column}__gte": floor + SECOND}),
        ">=": Q(**{f"{column}__gte": ceiling}),
        "<": Q(**{f"{column}__lt": ceiling}),
        "<=": Q(**{f"{column}__lt": floor + SECOND}),
    }[predicate]


def case_document(*, identifier: str) -> dict | None:
    """The CFDocument with this identifier (two queries)."""
    key = _uuid(identifier)
    framework = _frameworks().filter(identifier=key).first() if key else None
    if framework is None:
        return None
    return build_document(_document_data(framework), last_change=framework.updated_at)


def case_package(*, identifier: str) -> dict | None:
    """The whole CFPackage of the framework whose CFDocument has this identifier (five queries)."""
    key = _uuid(identifier)
    framework = CompetencyFramework.objects.filter(identifier=key).first() if key else None
    return None if framework is None else framework_export_case(framework=framework)


def _framework_of_item(key: uuid.UUID) -> CompetencyFramework | None:
    for model in (Competency, CompetencyArea):
        row = model.objects.filter(identifier=key).select_related("framework").first()
        if row is not None:
            return row.framework
    return None


def _item_in_package(identifier: str) -> tuple[dict, dict] | None:
    key = _uuid(identifier)
    framework = _framework_of_item(key) if key else None
    if framework is None:
        return None
    package = framework_export_case(framework=framework)
    return next(item for item in package["CFItems"] if item["identifier"] == str(key)), package


def case_item(*, identifier: str) -> dict | None:
    """The CFItem (an area or a competency of any framework) with this identifier (at most seven queries)."""
    found = _item_in_package(identifier)
    return None if found is None else found[0]


def case_item_associations(*, identifier: str) -> dict | None:
    """The CFItem with every association that has it at one end: its place in its framework's hierarchy,
    and mappings, from our competency or (for a reference item) from any of our versions to it (at most
    eight queries)."""
    found = _item_in_package(identifier)
    if found is None:
        return None
    item, package = found
    key = item["identifier"]
    associations = [
        association
        for association in package["CFAssociations"]
        if key
        in (association["originNodeURI"]["identifier"], association["destinationNodeURI"]["identifier"])
    ]
    known = {association["identifier"] for association in associations}
    associations += [
        association for association in _mappings_to(uuid.UUID(key)) if association["identifier"] not in known
    ]
    return {"CFItem": item, "CFAssociations": associations}


def _mappings_to(key: uuid.UUID) -> list[dict]:
    """The mappings from our competencies to the reference item ``key``, each as it is in the package of our
    framework it belongs to (one query)."""
    rows = (
        CompetencyMapping.objects.filter(reference__identifier=key)
        .select_related("competency__framework", "reference")
        .order_by("competency__framework__title", "competency__framework__created_at", "pk")
    )
    found = []
    for mapping in rows:
        framework, competency = mapping.competency.framework, mapping.competency
        document = document_link(
            FrameworkData(title=framework.title, version="", identifier=framework.identifier)
        )
        common = {
            "lastChangeDateTime": timestamp(framework.updated_at),
            "CFDocumentURI": document,
        }
        found.append(
            mapping_association(
                MappingData(
                    competency_code=competency.code,
                    reference=mapping.reference.identifier,
                    relation=mapping.relation,
                    reference_title=mapping.reference.code,
                    reference_uri=mapping.reference.uri,
                    identifier=mapping.identifier,
                ),
                CompetencyData(
                    code=competency.code, area_code="", name=competency.name, identifier=competency.identifier
                ),
                common,
            )
        )
    return found


def case_association(*, identifier: str) -> dict | None:
    """The CFAssociation with this identifier: a mapping (found by its UUID) or a step of a framework's
    hierarchy (whose identifier is derived from its two ends, so found among every framework's rows, two
    queries of identifiers only); then cut from its framework's package."""
    key = _uuid(identifier)
    if key is None:
        return None
    framework = _framework_of_association(key)
    if framework is None:
        return None
    package = framework_export_case(framework=framework)
    return next((a for a in package["CFAssociations"] if a["identifier"] == str(key)), None)


def _framework_of_association(key: uuid.UUID) -> CompetencyFramework | None:
    mapping = CompetencyMapping.objects.filter(identifier=key).select_related("competency__framework").first()
    if mapping is not None:
        return mapping.competency.framework
    child_of = child_of_identifier
    for area, framework_id, document in CompetencyArea.objects.values_list(
        "identifier", "framework_id", "framework__identifier"
    ):
        if child_of(area, document) == key:
            return CompetencyFramework.objects.get(pk=framework_id)
    for competency, framework_id, area in Competency.objects.values_list(
        "identifier", "framework_id", "area__identifier"
    ):
        if child_of(competency, area) == key:
            return CompetencyFramework.objects.get(pk=framework_id)
    return None


def case_rubric(*, identifier: str) -> dict | None:
    """The CFRubric (a framework's levels) with this identifier: derived from its framework's, so found
    among the frameworks' identifiers (one query), then cut from the package."""
    key = _uuid(identifier)
    if key is None:
        return None
    for pk, document in CompetencyFramework.objects.values_list("pk", "identifier"):
        if rubric_identifier(document) == key:
            package = framework_export_case(framework=CompetencyFramework.objects.get(pk=pk))
            return next(rubric for rubric in package["CFRubrics"] if rubric["identifier"] == str(key))
    return None


def case_item_type(*, identifier: str) -> dict | None:
    """One of our two item types (領域, 能力), as ``CFItemTypes/`` gives it: ``{"CFItemTypes": [it]}`` (the
    binding's set: the type, then the types under it in its hierarchy, none for ours), as it is in the
    CFDefinitions of the last changed of our versions (one query); none when there is no version of ours.
    A reference framework's item types are not kept (ADR 0021)."""
    key = _uuid(identifier)
    name = next((name for name in ITEM_TYPES if item_type_identifier(name) == key), None)
    if name is None:
        return None
    changed = CompetencyFramework.objects.filter(is_reference=False).aggregate(last=Max("updated_at"))["last"]
    if changed is None:
        return None
    return {"CFItemTypes": [item_type_definition(name, changed=timestamp(changed))]}


def case_nothing(*, identifier: str) -> None:
    """CFConcepts, CFSubjects, CFLicenses, CFAssociationGroupings: no package here has any (ours carry none;
    a reference framework's are not kept on import, ADR 0021)."""
    return None


__all__ = [
    "case_association",
    "case_document",
    "case_documents",
    "case_item",
    "case_item_associations",
    "case_item_type",
    "case_nothing",
    "case_package",
    "case_rubric",
]

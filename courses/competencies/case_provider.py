"""Reads for the CASE 1.0 provider (``/ims/case/v1p0/``, ADR 0021): every framework the platform holds, ours
(current and earlier versions) and the reference frameworks, as CFDocuments, CFPackages, CFItems and
CFAssociations.

Every part is cut from the framework's package as ``framework_export_case`` builds it (one exporter), so an
item or association read alone is the same JSON as in its package. Each read is a fixed number of queries,
whatever the size of the framework. ``None`` means no such object.
"""

import uuid

from django.db.models import Prefetch

from .case_io.build import (
    build_document,
    child_of_identifier,
    document_link,
    mapping_association,
    rubric_identifier,
    timestamp,
)
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


def case_documents() -> list[dict]:
    """Every framework's CFDocument: ours (current first, then earlier versions), then the reference
    frameworks (two queries)."""
    frameworks = _frameworks().order_by("is_reference", "-is_current", "title", "-created_at")
    return [build_document(_document_data(f), last_change=f.updated_at) for f in frameworks]


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


__all__ = [
    "case_association",
    "case_document",
    "case_documents",
    "case_item",
    "case_item_associations",
    "case_package",
    "case_rubric",
]

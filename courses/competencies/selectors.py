"""Reads of the competency framework: the current version, its competencies, and the whole of it as data."""

import dataclasses
from collections.abc import Collection

from django.db.models import Prefetch, QuerySet

from lms_site.shared_memo import memoized_shared

from .framework_data import AreaData, CompetencyData, FrameworkData, LevelData, MappingData
from .models import Competency, CompetencyArea, CompetencyFramework, CompetencyMapping, ProficiencyLevel


def framework_current() -> CompetencyFramework | None:
    """The version new learning records are made against (at most one); read once per page view (and kept
    across /me/'s views while no framework row changes: ``shared_memo``)."""
    return memoized_shared(
        "framework_current", lambda: CompetencyFramework.objects.filter(is_current=True).first()
    )


def framework_list() -> QuerySet[CompetencyFramework]:
    return CompetencyFramework.objects.order_by("title", "-created_at")


def mappings_of(*, framework: CompetencyFramework) -> QuerySet[CompetencyMapping]:
    """Mappings from the framework's competencies, or (for a reference framework) to its items (one query)."""
    side = "reference__framework" if framework.is_reference else "competency__framework"
    return (
        CompetencyMapping.objects.filter(**{side: framework})
        .select_related("competency__area", "reference__framework", "reference__area")
        .order_by("competency__sort_order", "competency__code", "reference__sort_order", "reference__code")
    )


def mappings_to(*, references: Collection[int]) -> dict[int, list[CompetencyMapping]]:
    """``{reference item id: the mappings to it from our current framework}`` (one query; none without
    items): what an item of another publisher's framework means in our competencies."""
    found: dict[int, list[CompetencyMapping]] = {pk: [] for pk in references}
    if not found:
        return found
    rows = (
        CompetencyMapping.objects.filter(reference_id__in=found, competency__framework__is_current=True)
        .select_related("competency")
        .order_by("competency__sort_order", "competency__code")
    )
    for mapping in rows:
        found[mapping.reference_id].append(mapping)
    return found


def mapping_data(*, framework: CompetencyFramework) -> tuple[MappingData, ...]:
    """The framework's mappings as plain data, for its CASE export (one query)."""
    return tuple(
        MappingData(
            competency_code=mapping.competency.code,
            reference=mapping.reference.identifier,
            relation=mapping.relation,
            reference_title=mapping.reference.code,
            reference_uri=mapping.reference.uri,
            identifier=mapping.identifier,
        )
        for mapping in mappings_of(framework=framework)
    )


def framework_get(*, title: str, version: str) -> CompetencyFramework | None:
    return CompetencyFramework.objects.filter(title=title, version=version).first()


def competencies_of(*, framework: CompetencyFramework) -> QuerySet[Competency]:
    """The framework's competencies in display order, each with its area (one query; within a page view,
    the same queryset for every caller, so the rows are read once: /me/'s profile, its requirements and
    the certification path all ask; and kept across /me/'s views while no competency, area or framework row
    changes: ``shared_memo``). Read it, never change it."""

    def competencies() -> QuerySet[Competency]:
        rows = Competency.objects.filter(framework=framework).select_related("area")
        rows = rows.order_by("sort_order", "code")
        len(rows)  # read now: the rows, not the query, are what is kept
        return rows

    return memoized_shared(("competencies_of", framework.pk), competencies)


def areas_of(*, framework: CompetencyFramework) -> QuerySet[CompetencyArea]:
    """The framework's areas in display order, each with its competencies prefetched (two queries)."""
    return (
        CompetencyArea.objects.filter(framework=framework)
        .order_by("sort_order", "code")
        .prefetch_related(
            Prefetch("competencies", queryset=Competency.objects.order_by("sort_order", "code"))
        )
    )


def levels_of(*, framework: CompetencyFramework) -> QuerySet[ProficiencyLevel]:
    return ProficiencyLevel.objects.filter(framework=framework).order_by("level")


def framework_head(framework: CompetencyFramework, levels) -> FrameworkData:
    """The framework and its ``levels`` as plain data, without its areas and competencies: what a
    CFDocument needs (no query of its own)."""
    return FrameworkData(
        title=framework.title,
        title_en=framework.title_en,
        version=framework.version,
        is_reference=framework.is_reference,
        source=framework.source,
        description=framework.description,
        identifier=framework.identifier,
        levels=tuple(
            LevelData(
                level=level.level,
                name=level.name,
                name_en=level.name_en,
                descriptor=level.descriptor,
                descriptor_en=level.descriptor_en,
                identifier=level.identifier,
            )
            for level in levels
        ),
    )


def framework_data(*, framework: CompetencyFramework) -> FrameworkData:
    """The whole framework as plain data, for export and comparison (three queries)."""
    return dataclasses.replace(
        framework_head(framework, levels_of(framework=framework)),
        areas=tuple(
            AreaData(
                code=area.code,
                name=area.name,
                name_en=area.name_en,
                sort_order=area.sort_order,
                identifier=area.identifier,
            )
            for area in CompetencyArea.objects.filter(framework=framework).order_by("sort_order", "code")
        ),
        competencies=tuple(
            CompetencyData(
                code=competency.code,
                area_code=competency.area.code,
                name=competency.name,
                name_en=competency.name_en,
                description=competency.description,
                description_en=competency.description_en,
                source_mapping=competency.source_mapping,
                is_core=competency.is_core,
                sort_order=competency.sort_order,
                uri=competency.uri,
                identifier=competency.identifier,
            )
            for competency in competencies_of(framework=framework)
        ),
    )

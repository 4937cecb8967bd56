"""Building a CASE 1.0 CFPackage from a framework's data (with identifiers set: the model UUIDs).

Our versions are built as ``case_io`` describes. A reference framework (``data.is_reference``) is built so
that ``parse_reference`` reads it back to the same rows (ADR 0021): its items carry no item type (the
publisher's is not kept; ours would make it read as one of our versions), a competency's
``humanCodingScheme`` is the publisher's code (its 対応する標準), ``fullStatement`` its description and
``abbreviatedStatement`` its name, and every item carries its display order in ``extensions.sortOrder``.
"""

import datetime
import uuid

from ..framework_data import AreaData, CompetencyData, FrameworkData, MappingData
from .vocabulary import (
    AREA_TYPE,
    COMPETENCY_TYPE,
    CREATOR,
    ITEM_TYPES,
    LANGUAGE,
    RUBRIC_TITLE,
    derived_identifier,
    item_type_identifier,
    node_uri,
)


def _link(identifier: uuid.UUID, title: str) -> dict:
    return {"title": title, "identifier": str(identifier), "uri": node_uri(identifier)}


def _compact(values: dict) -> dict:
    """Leave out empty optional text, as CASE tools do."""
    return {key: value for key, value in values.items() if value != ""}


def build(data: FrameworkData, *, last_change: datetime.datetime) -> dict:
    """The CFPackage as a JSON-ready dict, deterministic for the same data and time."""
    if None in (data.identifier, *(r.identifier for r in (*data.levels, *data.areas, *data.competencies))):
        raise ValueError("Every record needs its identifier to be exported to CASE.")
    changed = timestamp(last_change)
    document = document_link(data)

    def common() -> dict:
        # Fresh dicts each time: a caller editing one part of the package must not change another.
        return {"lastChangeDateTime": changed, "CFDocumentURI": dict(document)}

    item_types = (
        {} if data.is_reference else {name: _link(item_type_identifier(name), name) for name in ITEM_TYPES}
    )
    items, associations = [], []

    def child_of(origin: uuid.UUID, origin_title: str, parent: dict, sequence: int) -> None:
        identifier = child_of_identifier(origin, parent["identifier"])
        associations.append(
            {
                "identifier": str(identifier),
                "uri": node_uri(identifier),
                "associationType": "isChildOf",
                "sequenceNumber": sequence,
                "originNodeURI": _link(origin, origin_title),
                "destinationNodeURI": dict(parent),
                **common(),
            }
        )

    area_item, competency_item = (
        (_reference_area, _reference_competency)
        if data.is_reference
        else (
            _area_item,
            _competency_item,
        )
    )
    for area, competencies in data.competencies_by_area():
        items.append(area_item(area, item_types, common()))
        child_of(area.identifier, area.code, document, area.sort_order)
        area_link = _link(area.identifier, area.code)
        for competency in competencies:
            items.append(competency_item(competency, item_types, common()))
            child_of(competency.identifier, competency.code, area_link, competency.sort_order)

    by_code = {competency.code: competency for competency in data.competencies}
    associations += [
        mapping_association(mapping, by_code[mapping.competency_code], common()) for mapping in data.mappings
    ]

    return {
        "CFDocument": build_document(data, last_change=last_change),
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": {
            "CFItemTypes": [
                item_type_definition(name, changed=changed) for name in ITEM_TYPES if name in item_types
            ]
        },
        "CFRubrics": [_rubric(data, changed)],
    }


def item_type_definition(name: str, *, changed: str) -> dict:
    """One of our two item types (領域, 能力), as our packages' ``CFDefinitions`` and ``CFItemTypes/`` give
    it."""
    code, description = ITEM_TYPES[name]
    return {
        **_link(item_type_identifier(name), name),
        "hierarchyCode": code,
        "description": description,
        "typeCode": name,
        "lastChangeDateTime": changed,
    }


def timestamp(moment: datetime.datetime) -> str:
    """A ``lastChangeDateTime``: UTC, to the second."""
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds")


def rubric_identifier(document: uuid.UUID | str) -> uuid.UUID:
    """The identifier of the framework's one rubric, its levels (derived from the framework's)."""
    return derived_identifier(document, "CFRubric")


def child_of_identifier(origin: uuid.UUID | str, parent: uuid.UUID | str) -> uuid.UUID:
    """The identifier of the ``isChildOf`` association from ``origin`` to ``parent`` (derived, not stored)."""
    return derived_identifier(origin, "isChildOf", parent)


def document_link(data: FrameworkData) -> dict:
    """The ``CFDocumentURI`` of every item and association of the framework's package."""
    return _link(data.identifier, data.title)


def build_document(data: FrameworkData, *, last_change: datetime.datetime) -> dict:
    """The package's CFDocument alone (needs the framework and its levels, not its items)."""
    changed = timestamp(last_change)
    return _compact(
        {
            "identifier": str(data.identifier),
            "uri": node_uri(data.identifier),
            # A reference framework's publisher (and the rest of its source) is read back as its source.
            "creator": (data.source or CREATOR) if data.is_reference else CREATOR,
            "title": data.title,
            "version": data.version,
            "description": data.description,
            "notes": data.source,
            "language": "" if data.is_reference else LANGUAGE,
            "lastChangeDateTime": changed,
            "extensions": {
                "titleEn": data.title_en,
                "levels": [
                    {
                        "identifier": str(level.identifier),
                        "nameEn": level.name_en,
                        "descriptorEn": level.descriptor_en,
                    }
                    for level in sorted(data.levels, key=lambda level: level.level)
                ],
            },
        }
    )


def mapping_association(mapping: MappingData, competency: CompetencyData, common: dict) -> dict:
    """A mapping as the CFAssociation from our competency to the reference item (outside the package)."""
    return {
        "identifier": str(mapping.identifier),
        "uri": node_uri(mapping.identifier),
        "associationType": mapping.relation,
        "originNodeURI": _link(competency.identifier, competency.code),
        "destinationNodeURI": {
            "title": mapping.reference_title,
            "identifier": str(mapping.reference),
            "uri": mapping.reference_uri or node_uri(mapping.reference),
        },
        **common,
    }


def _area_item(area: AreaData, item_types: dict, common: dict) -> dict:
    return _compact(
        {
            "identifier": str(area.identifier),
            "uri": node_uri(area.identifier),
            "CFItemType": AREA_TYPE,
            "CFItemTypeURI": dict(item_types[AREA_TYPE]),
            "humanCodingScheme": area.code,
            "fullStatement": area.name,
            "alternativeLabel": area.name_en,
            "language": LANGUAGE,
            **common,
        }
    )


def _reference_area(area: AreaData, _item_types: dict, common: dict) -> dict:
    item = _compact(
        {
            "identifier": str(area.identifier),
            "uri": node_uri(area.identifier),
            "humanCodingScheme": area.code,
            "fullStatement": area.name,
            "alternativeLabel": area.name_en,
            **common,
        }
    )
    item["extensions"] = {"sortOrder": area.sort_order}
    return item


def _reference_competency(competency: CompetencyData, _item_types: dict, common: dict) -> dict:
    item = _compact(
        {
            "identifier": str(competency.identifier),
            "uri": competency.uri or node_uri(competency.identifier),
            "humanCodingScheme": competency.source_mapping,
            "fullStatement": competency.description or competency.name,
            "abbreviatedStatement": competency.name,
            "alternativeLabel": competency.name_en,
            **common,
        }
    )
    item["extensions"] = {"sortOrder": competency.sort_order}
    return item


def _competency_item(competency, item_types: dict, common: dict) -> dict:
    item = _compact(
        {
            "identifier": str(competency.identifier),
            "uri": node_uri(competency.identifier),
            "CFItemType": COMPETENCY_TYPE,
            "CFItemTypeURI": dict(item_types[COMPETENCY_TYPE]),
            "humanCodingScheme": competency.code,
            "fullStatement": competency.name,
            "alternativeLabel": competency.name_en,
            "notes": competency.description,
            "language": LANGUAGE,
            **common,
        }
    )
    item["extensions"] = _compact(
        {
            "descriptionEn": competency.description_en,
            "sourceMapping": competency.source_mapping,
            "isCore": competency.is_core,
        }
    )
    return item


def _rubric(data: FrameworkData, changed: str) -> dict:
    rubric_id = rubric_identifier(data.identifier)
    criterion_id = derived_identifier(data.identifier, "CFRubricCriterion")
    levels = sorted(data.levels, key=lambda lv: lv.level)
    return {
        "identifier": str(rubric_id),
        "uri": node_uri(rubric_id),
        "title": RUBRIC_TITLE,
        "description": "・".join(lv.name for lv in levels),
        "lastChangeDateTime": changed,
        "CFRubricCriteria": [
            {
                "identifier": str(criterion_id),
                "uri": node_uri(criterion_id),
                "category": RUBRIC_TITLE,
                "position": 1,
                "rubricId": str(rubric_id),
                "lastChangeDateTime": changed,
                "CFRubricCriterionLevels": [
                    {
                        "identifier": str(level.identifier),
                        "uri": node_uri(level.identifier),
                        "quality": level.name,
                        "description": level.descriptor,
                        "score": level.level,
                        "position": level.level,
                        "rubricCriterionId": str(criterion_id),
                        "lastChangeDateTime": changed,
                    }
                    for level in levels
                ],
            }
        ],
    }

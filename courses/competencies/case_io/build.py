"""Building a CASE 1.0 CFPackage from a framework's data (with identifiers set: the model UUIDs)."""

import datetime
import uuid

from ..framework_data import FrameworkData
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
    changed = last_change.astimezone(datetime.UTC).isoformat(timespec="seconds")
    document = _link(data.identifier, data.title)

    def common() -> dict:
        # Fresh dicts each time: a caller editing one part of the package must not change another.
        return {"lastChangeDateTime": changed, "CFDocumentURI": dict(document)}

    item_types = {name: _link(item_type_identifier(name), name) for name in ITEM_TYPES}
    items, associations = [], []

    def child_of(origin: uuid.UUID, origin_title: str, parent: dict, sequence: int) -> None:
        identifier = derived_identifier(origin, "isChildOf", parent["identifier"])
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

    for area, competencies in data.competencies_by_area():
        items.append(
            _compact(
                {
                    "identifier": str(area.identifier),
                    "uri": node_uri(area.identifier),
                    "CFItemType": AREA_TYPE,
                    "CFItemTypeURI": dict(item_types[AREA_TYPE]),
                    "humanCodingScheme": area.code,
                    "fullStatement": area.name,
                    "alternativeLabel": area.name_en,
                    "language": LANGUAGE,
                    **common(),
                }
            )
        )
        child_of(area.identifier, area.code, document, area.sort_order)
        area_link = _link(area.identifier, area.code)
        for competency in competencies:
            items.append(_competency_item(competency, item_types, common()))
            child_of(competency.identifier, competency.code, area_link, competency.sort_order)

    by_code = {competency.code: competency for competency in data.competencies}
    for mapping in data.mappings:
        competency = by_code[mapping.competency_code]
        associations.append(
            {
                "identifier": str(mapping.identifier),
                "uri": node_uri(mapping.identifier),
                "associationType": mapping.relation,
                "originNodeURI": _link(competency.identifier, competency.code),
                "destinationNodeURI": {
                    "title": mapping.reference_title,
                    "identifier": str(mapping.reference),
                    "uri": mapping.reference_uri or node_uri(mapping.reference),
                },
                **common(),
            }
        )

    return {
        "CFDocument": _compact(
            {
                "identifier": str(data.identifier),
                "uri": node_uri(data.identifier),
                "creator": CREATOR,
                "title": data.title,
                "version": data.version,
                "description": data.description,
                "notes": data.source,
                "language": LANGUAGE,
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
        ),
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": {
            "CFItemTypes": [
                {
                    **item_types[name],
                    "hierarchyCode": code,
                    "description": description,
                    "typeCode": name,
                    "lastChangeDateTime": changed,
                }
                for name, (code, description) in ITEM_TYPES.items()
            ]
        },
        "CFRubrics": [_rubric(data, changed)],
    }


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
    rubric_id = derived_identifier(data.identifier, "CFRubric")
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

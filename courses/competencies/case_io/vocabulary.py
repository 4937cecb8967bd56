"""Names and identifiers shared by building and reading a CFPackage."""

import uuid

# Stored data in the file (its language is Japanese), not user-interface strings: not translated.
AREA_TYPE, COMPETENCY_TYPE = "領域", "能力"
ITEM_TYPES = {
    AREA_TYPE: ("1", "能力フレームワークの領域(能力項目のまとまり)"),
    COMPETENCY_TYPE: ("2", "領域に属する能力・スキル項目"),
}
# Names other CASE tools may use for the same item types.
TYPE_ALIASES = {"領域": AREA_TYPE, "area": AREA_TYPE, "能力": COMPETENCY_TYPE, "competency": COMPETENCY_TYPE}
# A mapping from one of our competencies to a reference framework's item is one of these association types.
MAPPING_TYPES = ("exactMatchOf", "isPartOf", "isRelatedTo")
RUBRIC_TITLE = "習熟度"
CREATOR = "自治体DX推進リーダー育成プラットフォーム"
LANGUAGE = "ja"
# Identifiers of things that are not rows (rubric, criterion, associations, item types) are derived from
# the framework's, so exporting the same framework twice gives the same file.
NAMESPACE = uuid.UUID("6f1f7c5e-2b9a-4d3c-9a57-0c1d2e3f4a5b")


def node_uri(identifier: uuid.UUID | str) -> str:
    return f"urn:uuid:{identifier}"


def derived_identifier(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join(str(part) for part in parts))


def item_type_identifier(name: str) -> uuid.UUID:
    return derived_identifier("CFItemType", name)

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
# The platform's five levels (as in the default framework, fixtures/framework/), for a reference framework
# that brings no five-level rubric when no version is current:
# (name, English name, descriptor, English descriptor).
PLATFORM_LEVELS = (
    (
        "知る",
        "Aware",
        "用語や考え方を知っており、それが自分の業務や住民サービスにとってなぜ重要かを説明できる。",
        "Can explain the terms and ideas, "
        "and why they matter for their own work and for services to residents.",
    ),
    (
        "使う",
        "Apply with guidance",
        "手順書や周囲の支援があれば、知識やツールを自分の担当業務で使える。",
        "Applies the knowledge and tools in their own duties, with procedures or support from colleagues.",
    ),
    (
        "実践する",
        "Practitioner",
        "自分の課の業務改善を自分で企画・実行し、その効果を測って報告できる。",
        "Independently plans and delivers improvements in their own division, "
        "and measures and reports the effect.",
    ),
    (
        "牽引する",
        "Lead",
        "複数の課にまたがるプロジェクトを率い、ほかの職員を指導し、庁内の標準や手順をつくれる。",
        "Leads projects across divisions, "
        "coaches other staff and sets standards and procedures for the whole office.",
    ),
    (
        "変革する",
        "Transform / Advise",
        "全庁や複数の自治体にわたる戦略を形づくり、CIO補佐官に相当する立場で助言できる。",
        "Shapes organisation-wide or inter-municipal strategy, "
        "and can advise at the level of a CIO adviser (CIO補佐官).",
    ),
)
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

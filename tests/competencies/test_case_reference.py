"""Reference frameworks: any conformant CASE 1.0 package published by others, and mappings of ours to it.

The packages under fixtures/case/ are real exports of others (see its README); the expected areas and
competencies are worked out here from each package's own ``isChildOf`` associations, independently of the
reader: areas are the items under the document that have children (plus one area named after the
document when some leaf has none above it), competencies are the leaves, each in the area above it.
"""

import collections
import copy
import json
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from courses.competencies import case_io, services
from courses.competencies.case_io.parse import MAX_BYTES
from courses.competencies.models import Competency, CompetencyFramework, CompetencyMapping, MappingRelation

from .conftest import framework_row_counts

CASE_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "case"
PACKAGES = [
    "act-holistic-framework-math.json",
    "opensalt-ordering-sample.json",
    "opensalt-smartlevel-test.json",
    "opensalt-item-type-test.json",
]
INVALID = "what-standards-could-be-schema-invalid.json"


def load(name: str) -> dict:
    return json.loads((CASE_DIR / name).read_text(encoding="utf-8"))


def as_bytes(package: dict) -> bytes:
    return json.dumps(package, ensure_ascii=False).encode()


def expected_hierarchy(package: dict, area_depth: int = 1) -> dict[str, str | None]:
    """leaf identifier → identifier of the item ``area_depth`` steps under the document above it (None if
    the leaf is not below that depth), from the package's isChildOf associations alone."""
    document = package["CFDocument"]["identifier"]
    parent = {
        a["originNodeURI"]["identifier"]: a["destinationNodeURI"]["identifier"]
        for a in package["CFAssociations"]
        if a["associationType"] == "isChildOf"
    }
    has_children = set(parent.values())
    leaves = [i["identifier"] for i in package["CFItems"] if i["identifier"] not in has_children]

    def chain(identifier: str) -> list[str]:
        steps = [identifier]
        while parent.get(steps[-1], document) != document:
            steps.append(parent[steps[-1]])
        return list(reversed(steps))  # from the top down

    return {leaf: (chain(leaf)[area_depth - 1] if len(chain(leaf)) > area_depth else None) for leaf in leaves}


@pytest.mark.parametrize("name", PACKAGES)
def test_a_published_package_imports_as_a_reference_framework_with_its_hierarchy(framework, name):
    package = load(name)
    expected = expected_hierarchy(package)

    outcome = services.framework_import_case(content=(CASE_DIR / name).read_bytes())

    assert outcome.ok, outcome.errors
    imported = outcome.framework
    assert imported.is_reference and not imported.is_current and framework.is_current
    assert "参照フレームワークとして取り込みました。" in outcome.summary()
    competencies = {str(c.identifier): c for c in imported.competencies.select_related("area")}
    assert set(competencies) == set(expected)
    orphans = [leaf for leaf, area in expected.items() if area is None]
    areas = set(imported.areas.values_list("identifier", flat=True))
    assert len(areas) == len(set(expected.values()) - {None}) + (1 if orphans else 0)
    for leaf, area in expected.items():
        if area is not None:
            assert str(competencies[leaf].area.identifier) == area
        else:
            assert competencies[leaf].area.name == package["CFDocument"]["title"]
    items = {item["identifier"]: item for item in package["CFItems"]}
    for identifier, competency in competencies.items():
        assert competency.description.startswith(items[identifier]["fullStatement"].strip()[:50])
        assert competency.uri == items[identifier]["uri"]
        assert competency.source_mapping == items[identifier].get("humanCodingScheme", "")[:300]
    # No rubric in the package: the platform's five levels (the current version's names).
    assert list(imported.levels.values_list("name", flat=True)) == list(
        framework.levels.values_list("name", flat=True)
    )
    assert "ルーブリックがないため" in outcome.summary()


def test_with_no_current_version_the_platform_levels_are_the_default_framework_s(db):
    outcome = services.framework_import_case(content=(CASE_DIR / PACKAGES[2]).read_bytes())
    assert outcome.ok, outcome.errors
    names = list(outcome.framework.levels.values_list("name", "name_en"))
    assert names[0] == ("知る", "Aware") and names[4] == ("変革する", "Transform / Advise")


def test_importing_the_same_package_again_changes_nothing(framework):
    content = (CASE_DIR / PACKAGES[0]).read_bytes()
    first = services.framework_import_case(content=content)
    before = framework_row_counts()

    again = services.framework_import_case(content=content)

    assert again.ok and not again.created and again.framework == first.framework
    assert framework_row_counts() == before


def test_deeper_areas_flatten_the_steps_between_into_the_description(framework):
    package = load("opensalt-ordering-sample.json")
    expected = expected_hierarchy(package, area_depth=2)

    outcome = services.framework_import_case(
        content=as_bytes(package), hierarchy=case_io.Hierarchy.of(area_depth=2)
    )

    assert outcome.ok, outcome.errors
    competencies = {str(c.identifier): c for c in outcome.framework.competencies.select_related("area")}
    assert set(competencies) == set(expected)
    assert outcome.framework.areas.count() == len(set(expected.values()) - {None}) + 1
    for leaf, area in expected.items():
        if area is None:  # a leaf only one step under the document: the area named after the document
            assert competencies[leaf].area.name == package["CFDocument"]["title"]
        else:
            assert str(competencies[leaf].area.identifier) == area
    deep = [c for c in competencies.values() if "上位の項目: " in c.description]
    assert deep, "leaves more than one step under their area keep the steps between as their path"


def test_areas_and_competencies_chosen_by_item_type(framework):
    """The schema-invalid package of the fixtures, made valid: Cluster items are areas, Standards and
    Components are competencies; its associations to other frameworks are left out with a notice."""
    package = load(INVALID)
    for association in package["CFAssociations"]:
        if isinstance(association.get("sequenceNumber"), str):
            association["sequenceNumber"] = int(association["sequenceNumber"])
    del package["CFDefinitions"]
    items = package["CFItems"]
    types = collections.Counter(item["CFItemType"] for item in items)

    outcome = services.framework_import_case(
        content=as_bytes(package),
        hierarchy=case_io.Hierarchy.of(area_types=["cluster"], competency_types=["Standard", "Component"]),
    )

    assert outcome.ok, outcome.errors
    assert outcome.framework.areas.count() == types["Cluster"] + 0
    assert outcome.framework.competencies.count() == types["Standard"] + types["Component"]
    assert "階層(isChildOf)以外の関連" in outcome.summary()


def test_an_item_type_the_package_does_not_have_is_refused_naming_those_it_has(framework):
    before = framework_row_counts()
    outcome = services.framework_import_case(
        content=(CASE_DIR / "opensalt-item-type-test.json").read_bytes(),
        hierarchy=case_io.Hierarchy.of(area_types=["Domain"]),
    )
    assert not outcome.ok and "CFItemType「domain」の項目がありません" in outcome.errors[0]
    assert "Standard" in outcome.errors[0]
    assert framework_row_counts() == before


def _with_rubric(levels: list[tuple[str, float]]) -> dict:
    package = load("act-holistic-framework-math.json")
    stamp = package["CFDocument"]["lastChangeDateTime"]

    def node(**values) -> dict:
        identifier = str(uuid.uuid4())
        return {
            "identifier": identifier,
            "uri": f"urn:uuid:{identifier}",
            "lastChangeDateTime": stamp,
        } | values

    package["CFRubrics"] = [
        node(
            title="Mastery",
            CFRubricCriteria=[
                node(
                    category="Mastery",
                    CFRubricCriterionLevels=[
                        node(quality=quality, description=f"{quality}: described", score=score)
                        for quality, score in levels
                    ],
                )
            ],
        )
    ]
    return package


def test_a_five_level_rubric_becomes_the_levels_in_order_of_score(framework):
    package = _with_rubric(
        [("Proficient", 3), ("Novice", 1), ("Expert", 5), ("Beginner", 2), ("Advanced", 4)]
    )

    outcome = services.framework_import_case(content=as_bytes(package))

    assert outcome.ok, outcome.errors
    levels = list(outcome.framework.levels.values_list("level", "name", "descriptor"))
    assert [name for _level, name, _descriptor in levels] == [
        "Novice",
        "Beginner",
        "Proficient",
        "Advanced",
        "Expert",
    ]
    assert levels[0] == (1, "Novice", "Novice: described")
    assert "ルーブリック「Mastery」の5段階" in outcome.summary()


def test_a_rubric_of_another_length_leaves_the_platform_levels(framework):
    package = _with_rubric([("Low", 1), ("Mid", 2), ("High", 3), ("Top", 4)])
    outcome = services.framework_import_case(content=as_bytes(package))
    assert outcome.ok and "ルーブリックが5段階でないため" in outcome.summary()
    assert outcome.framework.levels.get(level=1).name == framework.levels.get(level=1).name


def test_a_reference_framework_never_becomes_current(framework):
    content = (CASE_DIR / PACKAGES[0]).read_bytes()
    refused = services.framework_import_case(content=content, make_current=True)
    assert not refused.ok and "現行版にできません" in refused.errors[0]
    assert not CompetencyFramework.objects.filter(is_reference=True).exists()

    reference = services.framework_import_case(content=content).framework
    with pytest.raises(ValidationError):
        services.framework_set_current(framework=reference)
    with pytest.raises(IntegrityError), transaction.atomic():
        CompetencyFramework.objects.filter(pk=reference.pk).update(is_current=True)
    assert CompetencyFramework.objects.get(is_current=True) == framework


# --- refusals: a clear message with where, and nothing written ---------------------------------------


def _smartlevel() -> dict:
    return load("opensalt-smartlevel-test.json")


def _cycle(package: dict) -> dict:
    """An area made the child of one of its own leaves."""
    child_of = [a for a in package["CFAssociations"] if a["associationType"] == "isChildOf"]
    document = package["CFDocument"]["identifier"]
    top = next(a for a in child_of if a["destinationNodeURI"]["identifier"] == document)
    below = next(
        a for a in child_of if a["destinationNodeURI"]["identifier"] == top["originNodeURI"]["identifier"]
    )
    top["destinationNodeURI"] = copy.deepcopy(below["originNodeURI"])
    return package


def _unknown_parent(package: dict) -> dict:
    package["CFAssociations"][3]["destinationNodeURI"]["identifier"] = str(uuid.uuid4())
    return package


def _unknown_child(package: dict) -> dict:
    package["CFAssociations"][2]["originNodeURI"]["identifier"] = str(uuid.uuid4())
    return package


def _duplicate_item(package: dict) -> dict:
    package["CFItems"][5]["identifier"] = package["CFItems"][4]["identifier"]
    return package


def _schema_invalid(package: dict) -> dict:
    package["CFItems"][2]["fullStatement"] = 42
    return package


REFUSALS = [
    (_cycle, "isChildOf の関連が循環しています", "CFAssociations["),
    (
        _unknown_parent,
        "に当たる CFItem も CFDocument もありません",
        "CFAssociations[3].destinationNodeURI.identifier",
    ),
    (_unknown_child, "に当たる CFItem がありません", "CFAssociations[2].originNodeURI.identifier"),
    (_duplicate_item, "が重複しています", "CFItems[5].identifier"),
    (_schema_invalid, "型が正しくありません", "CFItems[2].fullStatement"),
]


@pytest.mark.parametrize(("breaking", "message", "where"), REFUSALS, ids=[r[0].__name__ for r in REFUSALS])
def test_a_broken_foreign_package_is_refused_with_where_and_nothing_is_written(
    framework, breaking, message, where
):
    before = framework_row_counts()

    outcome = services.framework_import_case(content=as_bytes(breaking(_smartlevel())), reference=True)

    assert not outcome.ok
    assert any(message in error and where in error for error in outcome.errors), outcome.errors
    assert framework_row_counts() == before


def test_a_published_package_that_breaks_the_schema_is_refused_naming_the_json_paths(framework):
    before = framework_row_counts()
    outcome = services.framework_import_case(content=(CASE_DIR / INVALID).read_bytes())
    assert not outcome.ok
    assert "CFAssociations[15].sequenceNumber: 型が正しくありません(整数にしてください)。" in outcome.errors
    assert framework_row_counts() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG not json", "UTF-8"),
        (b'{"CFDocument": ', "JSONとして読めません"),
        (b"[1, 2]", "CFPackage"),
        (b" " * (MAX_BYTES + 1), "ファイルが大きすぎます"),
    ],
)
def test_what_is_not_a_package_is_refused_either_way(framework, content, message):
    before = framework_row_counts()
    for reference in (None, True):
        outcome = services.framework_import_case(content=content, reference=reference)
        assert not outcome.ok and message in outcome.errors[0]
    assert framework_row_counts() == before


# --- mappings: exported with our framework, read back ----------------------------------------------------


@pytest.fixture
def mapped(framework):
    """Our framework with two of its competencies mapped to the ACT framework's items."""
    reference = services.framework_import_case(content=(CASE_DIR / PACKAGES[0]).read_bytes()).framework
    items = list(reference.competencies.order_by("sort_order")[:2])
    ours = framework.competencies.get(code="C1"), framework.competencies.get(code="A1")
    CompetencyMapping.objects.create(
        competency=ours[0], reference=items[0], relation=MappingRelation.EXACT_MATCH
    )
    CompetencyMapping.objects.create(
        competency=ours[1], reference=items[1], relation=MappingRelation.IS_RELATED, note="一部"
    )
    return framework, reference


def _mapping_rows(framework) -> set[tuple]:
    return set(
        CompetencyMapping.objects.filter(competency__framework=framework).values_list(
            "identifier", "competency__code", "reference__identifier", "relation"
        )
    )


def test_mappings_are_exported_as_associations_and_come_back_on_import(mapped):
    framework, _reference = mapped
    before = _mapping_rows(framework)
    package = services.framework_export_case(framework=framework)
    mapping_associations = [
        a for a in package["CFAssociations"] if a["associationType"] in case_io.MAPPING_TYPES
    ]
    assert {(a["associationType"], a["destinationNodeURI"]["uri"]) for a in mapping_associations} == {
        (m.relation, m.reference.uri) for m in CompetencyMapping.objects.select_related("reference")
    }
    assert all(a["destinationNodeURI"]["uri"].startswith("http") for a in mapping_associations)

    framework.delete()
    outcome = services.framework_import_case(content=as_bytes(package))

    assert outcome.ok and outcome.created, outcome.errors
    assert not outcome.framework.is_reference
    assert _mapping_rows(outcome.framework) == before
    assert "対応付けを 2 件登録しました。" in outcome.summary()
    again = services.framework_export_case(framework=outcome.framework)
    assert [a for a in again["CFAssociations"] if a["associationType"] in case_io.MAPPING_TYPES] == [
        a | {"lastChangeDateTime": again["CFDocument"]["lastChangeDateTime"]} for a in mapping_associations
    ]


def test_reimporting_our_export_onto_itself_adds_no_mapping(mapped):
    framework, _reference = mapped
    package = services.framework_export_case(framework=framework)
    before = framework_row_counts()

    outcome = services.framework_import_case(content=as_bytes(package))

    assert outcome.ok and not outcome.created
    assert framework_row_counts() == before


def test_a_mapping_to_an_item_not_registered_is_refused_and_nothing_is_written(mapped):
    framework, _reference = mapped
    package = services.framework_export_case(framework=framework)
    package["CFDocument"]["version"] = "2.0"
    index, association = next(
        (i, a) for i, a in enumerate(package["CFAssociations"]) if a["associationType"] == "exactMatchOf"
    )
    association["destinationNodeURI"]["identifier"] = str(uuid.uuid4())
    before = framework_row_counts()

    outcome = services.framework_import_case(content=as_bytes(package))

    assert not outcome.ok
    assert f"CFAssociations[{index}].destinationNodeURI.identifier" in outcome.errors[0]
    assert "先に参照フレームワークを取り込んでください" in outcome.errors[0]
    assert framework_row_counts() == before


def test_a_new_version_keeps_the_mappings(mapped):
    framework, _reference = mapped
    created = services.framework_new_version(framework=framework, version="1.1")
    old = {(code, ref, rel) for _id, code, ref, rel in _mapping_rows(framework)}
    assert {(code, ref, rel) for _id, code, ref, rel in _mapping_rows(created)} == old


def test_a_mapping_joins_one_of_ours_to_a_reference_item_only(mapped):
    framework, reference = mapped
    ours, theirs = framework.competencies.first(), reference.competencies.first()
    with pytest.raises(ValidationError) as refused:
        CompetencyMapping(competency=theirs, reference=ours).full_clean()
    assert set(refused.value.message_dict) >= {"competency", "reference"}
    with pytest.raises(IntegrityError), transaction.atomic():
        CompetencyMapping.objects.create(competency=ours, reference=theirs, relation="owns")


# --- the command ------------------------------------------------------------------------------------------


def test_the_command_imports_a_reference_framework_with_the_chosen_depth(framework, capsys):
    call_command(
        "import_framework",
        str(CASE_DIR / "act-holistic-framework-math.json"),
        "--reference",
        "--area-depth",
        "2",
    )
    assert "参照フレームワークとして取り込みました。" in capsys.readouterr().out
    imported = CompetencyFramework.objects.get(is_reference=True)
    assert imported.competencies.count() == len(expected_hierarchy(load("act-holistic-framework-math.json")))


def test_the_command_refuses_a_reference_framework_as_current(framework):
    with pytest.raises(CommandError):
        call_command("import_framework", str(CASE_DIR / PACKAGES[1]), "--current")
    assert not CompetencyFramework.objects.filter(is_reference=True).exists()
    assert Competency.objects.filter(framework=framework).count() == 24


# --- mappings from a CSV of pairs ------------------------------------------------------------------------


def test_a_csv_of_pairs_maps_by_identifier_code_or_published_code_and_a_rerun_adds_nothing(
    framework, tmp_path, capsys
):
    reference = services.framework_import_case(content=(CASE_DIR / PACKAGES[1]).read_bytes()).framework
    items = list(reference.competencies.exclude(source_mapping="").order_by("sort_order")[:3])
    csv_file = tmp_path / "mappings.csv"
    csv_file.write_text(
        "能力コード,参照項目,関係,メモ\n"
        f"A1,{str(items[0].identifier).upper()},,\n"
        f"A2,{items[1].code},isRelatedTo,一部だけ\n"
        f"B1,{items[2].source_mapping},isPartOf,\n",
        encoding="utf-8-sig",
    )
    arguments = ["import_framework_mappings", str(csv_file), "--reference", reference.title]

    call_command(*arguments)
    call_command(*arguments)

    assert capsys.readouterr().out.splitlines() == [
        "3 mapping(s) added, 0 already registered.",
        "0 mapping(s) added, 3 already registered.",
    ]
    assert set(
        CompetencyMapping.objects.values_list("competency__code", "reference", "relation", "note")
    ) == {
        ("A1", items[0].pk, "exactMatchOf", ""),
        ("A2", items[1].pk, "isRelatedTo", "一部だけ"),
        ("B1", items[2].pk, "isPartOf", ""),
    }


def test_a_csv_with_any_bad_row_is_refused_with_its_lines_and_nothing_is_written(framework):
    reference = services.framework_import_case(content=(CASE_DIR / PACKAGES[1]).read_bytes()).framework
    item = reference.competencies.first()
    content = (
        "能力コード,参照項目,関係\n"
        f"A1,{item.identifier},exactMatchOf\n"
        f"Z9,{item.identifier},exactMatchOf\n"
        "A2,no-such-item,isRelatedTo\n"
        f"A3,{item.identifier},owns\n"
    ).encode()
    before = framework_row_counts()

    outcome = services.mappings_import_csv(framework=framework, reference=reference, content=content)

    assert outcome.errors == [
        "5行目: 関係は exactMatchOf・isPartOf・isRelatedTo のいずれかにしてください。",
        f"3行目: 能力コード Z9 は「{framework}」にありません。",
        f"4行目: 参照項目 no-such-item は「{reference}」にありません。",
    ]
    assert framework_row_counts() == before
    backwards = services.mappings_import_csv(framework=reference, reference=framework, content=content)
    assert backwards.errors and framework_row_counts() == before


def test_courses_and_questions_develop_only_our_competencies_never_a_reference_item(framework):
    """A reference framework is for mapping; evidence against its items would count nowhere, so the course
    editor, the question editor and the quiz's draw rules offer only ours."""
    from assessments.models import Question, QuizDrawRule
    from courses.models import CourseCompetency

    outcome = services.framework_import_case(content=(CASE_DIR / PACKAGES[0]).read_bytes())
    foreign = Competency.objects.filter(framework=outcome.framework)
    assert foreign.exists()

    from django.forms import modelform_factory

    for model in (CourseCompetency, Question, QuizDrawRule):
        offered = modelform_factory(model, fields=["competency"])().fields["competency"].queryset
        assert not offered.filter(pk__in=foreign).exists(), model.__name__
        assert offered.filter(framework=framework).exists(), model.__name__

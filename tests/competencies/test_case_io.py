"""CASE 1.0 CFPackage: schema-valid output, a lossless round trip, every problem at its JSON path."""

import copy
import dataclasses
import datetime
import json
import subprocess
import sys
import uuid
from pathlib import Path

import jsonschema
import pytest

from courses.competencies import case_io, csv_io
from courses.competencies.case_io.schema import SCHEMA_PATH

from .conftest import FRAMEWORK_CSV

CHANGED = datetime.datetime(2026, 4, 1, 9, 0, tzinfo=datetime.UTC)


def with_identifiers(record):
    return dataclasses.replace(record, identifier=uuid.uuid4())


@pytest.fixture(scope="module")
def data():
    parsed, problems = csv_io.parse(FRAMEWORK_CSV.read_bytes())
    assert problems == []
    return dataclasses.replace(
        with_identifiers(parsed),
        levels=tuple(map(with_identifiers, parsed.levels)),
        areas=tuple(map(with_identifiers, parsed.areas)),
        competencies=tuple(map(with_identifiers, parsed.competencies)),
    )


@pytest.fixture
def package(data) -> dict:
    return case_io.build(data, last_change=CHANGED)


def parse(package: dict):
    return case_io.parse(json.dumps(package, ensure_ascii=False).encode())


def messages(package: dict) -> list[str]:
    _data, problems = parse(package)
    return [str(p) for p in problems]


def test_the_package_is_valid_against_the_vendored_case_schema(package):
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(package)
    assert len(package["CFItems"]) == 30 and len(package["CFAssociations"]) == 30
    levels = package["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"]
    assert [(lv["score"], lv["quality"]) for lv in levels][:2] == [(1, "知る"), (2, "使う")]


def test_items_carry_codes_names_types_and_the_model_identifiers(package, data):
    a1 = next(item for item in package["CFItems"] if item.get("humanCodingScheme") == "A1")
    competency = next(c for c in data.competencies if c.code == "A1")
    assert a1["identifier"] == str(competency.identifier)
    assert a1["uri"] == f"urn:uuid:{competency.identifier}"
    assert (a1["CFItemType"], a1["fullStatement"], a1["language"]) == ("能力", "行政DXの背景・政策理解", "ja")
    assert a1["alternativeLabel"] == competency.name_en
    area = next(item for item in package["CFItems"] if item.get("humanCodingScheme") == "A")
    assert area["CFItemType"] == "領域"
    parent = next(
        a for a in package["CFAssociations"] if a["originNodeURI"]["identifier"] == a1["identifier"]
    )
    assert (parent["associationType"], parent["destinationNodeURI"]["identifier"]) == (
        "isChildOf",
        area["identifier"],
    )


def test_parsing_the_package_gives_back_the_same_framework(package, data):
    parsed, problems = parse(package)
    assert problems == []
    assert parsed == data  # every field, the identifiers included
    assert {c.code for c in parsed.competencies if c.is_core} == {
        "A2",
        "A4",
        "B1",
        "B2",
        "C1",
        "D1",
        "E1",
        "F1",
    }


def test_the_same_framework_always_gives_the_same_package(data):
    assert case_io.build(data, last_change=CHANGED) == case_io.build(data, last_change=CHANGED)


def test_item_types_may_be_written_in_english(package, data):
    for item in package["CFItems"]:
        item["CFItemType"] = {"領域": "Area", "能力": "Competency"}[item["CFItemType"]]
    parsed, problems = parse(package)
    assert problems == [] and parsed == data


def break_package(package: dict, how: str) -> dict:
    broken = copy.deepcopy(package)
    items, associations = broken["CFItems"], broken["CFAssociations"]
    levels = broken["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"]
    if how == "missing creator":
        del broken["CFDocument"]["creator"]
    elif how == "unknown association type":
        associations[0]["associationType"] = "isParentOf"
    elif how == "unknown top-level key":
        broken["CFThings"] = []
    elif how == "identifier not a uuid":
        items[3]["identifier"] = "A1"
    elif how == "dangling destination":
        associations[2]["destinationNodeURI"]["identifier"] = str(uuid.uuid4())
    elif how == "dangling origin":
        associations[2]["originNodeURI"]["identifier"] = str(uuid.uuid4())
    elif how == "duplicate code":
        items[3]["humanCodingScheme"] = items[1]["humanCodingScheme"]
    elif how == "duplicate identifier":
        items[3]["identifier"] = items[1]["identifier"]
    elif how == "two parents":
        extra = copy.deepcopy(associations[1])
        extra["identifier"] = str(uuid.uuid4())
        extra["destinationNodeURI"] = copy.deepcopy(associations[5]["originNodeURI"])
        associations.append(extra)
    elif how == "no parent":
        del associations[1]
    elif how == "level missing":
        levels.pop()
    elif how == "level out of range":
        levels[4]["score"] = 7
    elif how == "core not a boolean":
        items[1]["extensions"]["isCore"] = "yes"
    elif how == "unknown item type":
        items[1]["CFItemType"] = "Standard"
    elif how == "empty name":
        items[1]["fullStatement"] = ""
    return broken


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("missing creator", "CFDocument.creator: 必須の項目がありません。"),
        ("unknown association type", "CFAssociations[0].associationType: 「isParentOf」は使えません"),
        ("unknown top-level key", "CFThings: この項目は使えません。"),
        ("identifier not a uuid", "CFItems[3].identifier: 識別子はUUIDの形式"),
        ("dangling destination", "CFAssociations[2].destinationNodeURI.identifier: "),
        ("dangling origin", "CFAssociations[2].originNodeURI.identifier: "),
        ("duplicate code", "CFItems[3].humanCodingScheme: コード A1 が重複しています(CFItems[1])。"),
        ("duplicate identifier", "CFItems[3].identifier: 識別子 "),
        ("two parents", "CFItems[1]: 能力項目はちょうど1つの領域の子(isChildOf)にしてください(いまは2件)。"),
        ("no parent", "CFItems[1]: 能力項目はちょうど1つの領域の子(isChildOf)にしてください(いまは0件)。"),
        ("level missing", "CFRubrics: 習熟度レベル 5 がありません(1〜5がすべて必要です)。"),
        ("level out of range", "CFRubricCriterionLevels[4].score: レベルは1〜5の整数にしてください。"),
        (
            "core not a boolean",
            "CFItems[1].extensions.isCore: 型が正しくありません(真偽値(true/false)にしてください)。",
        ),
        ("unknown item type", "CFItems[1].CFItemType: CFItemType は「領域」か「能力」にしてください"),
        ("empty name", "CFItems[1].fullStatement: 名称が空です。"),
    ],
)
def test_a_broken_package_is_reported_at_the_json_path(package, how, expected):
    found = messages(break_package(package, how))
    assert any(expected in message for message in found), found


def test_dangling_associations_name_the_missing_identifier(package):
    broken = break_package(package, "dangling destination")
    missing = broken["CFAssociations"][2]["destinationNodeURI"]["identifier"]
    where = "CFAssociations[2].destinationNodeURI.identifier"
    assert f"{where}: {missing} に当たる CFItem も CFDocument もありません。" in messages(broken)


def test_every_problem_is_reported_at_once(package):
    broken = package
    for how in (
        "missing creator",
        "duplicate code",
        "level missing",
        "dangling origin",
        "core not a boolean",
    ):
        broken = break_package(broken, how)
    found = messages(broken)
    for fragment in (
        "CFDocument.creator",
        "CFItems[3].humanCodingScheme",
        "CFRubrics:",
        "CFAssociations[2].originNodeURI",
        "CFItems[1].extensions.isCore",
    ):
        assert any(message.startswith(fragment) for message in found), (fragment, found)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "JSONとして読めません(1行目 2文字目"),
        (b"[]", "CFPackage(JSONのオブジェクト)になっていません。"),
        (b"\xff\xfe{}", "UTF-8 で保存したJSONファイルにしてください。"),
        (b"{}", "CFDocument: 必須の項目がありません。"),
    ],
)
def test_unreadable_packages_are_refused_with_a_reason(content, message):
    _data, problems = case_io.parse(content)
    assert problems and str(problems[0]).startswith(message)


def test_pure_modules_import_no_orm():
    """csv_io and case_io run anywhere (XBlocks, Celery, benchmarks): importing them loads no django.db."""
    code = (
        "import sys; import courses.competencies.csv_io, courses.competencies.case_io; "
        "print(sorted(m for m in sys.modules if m.startswith('django.db') or m.endswith('.models')))"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"

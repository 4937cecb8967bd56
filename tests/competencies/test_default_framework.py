"""The default framework file (fixtures/framework): complete, bilingual, canonical, and true to the drafts."""

import csv
from pathlib import Path

import pytest

from courses.competencies import csv_io

from .conftest import FRAMEWORK_CSV

DRAFT = Path("/work/shared/reference/competency_framework_draft.csv")
CORE = {"A2", "A4", "B1", "B2", "C1", "D1", "E1", "F1"}


def parsed():
    data, problems = csv_io.parse(FRAMEWORK_CSV.read_bytes())
    assert problems == []
    return data


def test_the_file_has_six_areas_of_four_competencies_and_eight_core_ones():
    data = parsed()
    assert [a.code for a in data.areas] == list("ABCDEF")
    assert [c.code for c in data.competencies] == [f"{a}{n}" for a in "ABCDEF" for n in range(1, 5)]
    assert all(c.area_code == c.code[0] for c in data.competencies)
    assert {c.code for c in data.competencies if c.is_core} == CORE


def test_every_competency_and_level_is_described_in_both_languages():
    data = parsed()
    for competency in data.competencies:
        assert competency.name_en and competency.source_mapping, competency.code
        assert 20 <= len(competency.description) <= 140, competency.code
        assert competency.description_en.count(" ") >= 10, competency.code
    assert [(lv.level, lv.name) for lv in data.levels] == [
        (1, "知る"),
        (2, "使う"),
        (3, "実践する"),
        (4, "牽引する"),
        (5, "変革する"),
    ]
    assert all(lv.name_en and lv.descriptor and lv.descriptor_en for lv in data.levels)


def test_framework_names_its_title_version_and_sources():
    data = parsed()
    assert (data.title, data.version) == ("自治体DX人材 能力フレームワーク", "1.0")
    assert "デジタルスキル標準" in data.source and "経済産業省" in data.source and "IPA" in data.source
    assert "自治体デジタル・トランスフォーメーション(DX)推進計画【第3.0版】" in data.source


def test_the_file_is_in_canonical_form():
    """Rendering what was parsed gives the file back byte for byte, so an export diffs cleanly against it."""
    assert csv_io.render(parsed()) == FRAMEWORK_CSV.read_text(encoding="utf-8")


def test_names_and_mappings_follow_the_researched_draft():
    if not DRAFT.exists():
        pytest.skip(f"{DRAFT} (reference material outside the repository) is not here")
    draft = {row["code"]: row for row in csv.DictReader(DRAFT.open(encoding="utf-8"))}
    for competency in parsed().competencies:
        row = draft[competency.code]
        assert competency.name == row["competency_ja"]
        assert competency.source_mapping == row["source_mapping"]

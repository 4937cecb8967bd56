"""The framework CSV: every problem reported with its line, encodings, booleans, and rendering back."""

import pytest
from django.db import models as db_models

from courses.competencies import csv_io
from courses.competencies.framework_data import MAX_LENGTH
from courses.competencies.models import Competency, CompetencyArea, CompetencyFramework, ProficiencyLevel

HEADER = "種別,コード,領域コード,名称,英語名称,説明,英語の説明,対応する標準,中核\n"
LEVELS = "".join(f"レベル,{n},,段階{n},Step {n},目安{n},Guide {n},,\n" for n in range(1, 6))
SMALL = (
    HEADER
    + "フレームワーク,2.0,,小さな枠組み,Small,説明文,,出典,\n"
    + LEVELS
    + "領域,A,,領域A,Area A,,,,\n"
    + "能力,A1,A,能力A1,Comp A1,説明,Desc,DSS,○\n"
    + "能力,A2,A,能力A2,,,,,\n"
)


def parse(text: str, encoding: str = "utf-8"):
    return csv_io.parse(text.encode(encoding))


def messages(text: str) -> list[str]:
    _data, problems = parse(text)
    return [str(p) for p in problems]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_reads_utf8_with_or_without_bom_and_cp932(encoding):
    data, problems = parse(SMALL, encoding)
    assert problems == []
    assert (data.title, data.version) == ("小さな枠組み", "2.0")
    assert [(c.code, c.area_code, c.is_core, c.sort_order) for c in data.competencies] == [
        ("A1", "A", True, 1),
        ("A2", "A", False, 2),
    ]
    assert data.competencies[0].description_en == "Desc"
    assert data.levels[4].descriptor_en == "Guide 5"


def test_render_gives_back_the_same_framework():
    data, _ = parse(SMALL)
    again, problems = parse(csv_io.render(data))
    assert problems == [] and again == data


def test_columns_may_come_in_any_order_and_extra_columns_are_ignored():
    reordered = SMALL.replace(HEADER, "備考," + HEADER.replace("種別,コード", "コード,種別"))
    lines = reordered.splitlines()
    rows = [lines[0]] + [
        "メモ," + ",".join([line.split(",")[1], line.split(",")[0], *line.split(",")[2:]])
        for line in lines[1:]
    ]
    data, problems = parse("\n".join(rows) + "\n")
    assert problems == []
    assert [c.code for c in data.competencies] == ["A1", "A2"]


@pytest.mark.parametrize("mark", ["○", "〇", "1", "TRUE", "はい", "中核", "ｃｏｒｅ"])
def test_core_marks_that_mean_yes(mark):
    data, problems = parse(SMALL.replace(",DSS,○", f",DSS,{mark}"))
    assert problems == [] and data.competencies[0].is_core


def test_every_problem_is_reported_with_its_line():
    broken = (
        HEADER
        + "フレームワーク,2.0,,小さな枠組み,,,,,\n"  # 2
        + LEVELS.replace("レベル,5,", "レベル,7,")  # 3-7: level 7 on line 7, so 5 is missing
        + "領域,A,,領域A,,説明は使わない,,,\n"  # 8
        + "能力,A1,A,能力A1,,,,,たぶん\n"  # 9
        + "能力,A1,B,能力A1の重複,,,,,\n"  # 10
        + "能力,A3,,,,,,,\n"  # 11
        + "区分,X,,何か,,,,,\n"  # 12
        + "能力,Ａ4,A,全角コード,,,,,,余分\n"  # 13
        + "能力,A 5,A,空白入り,,,,,\n"  # 14
    )
    found = messages(broken)
    expected = [
        "2行目: 習熟度レベル 5 がありません(1〜5がすべて必要です)。",
        "7行目「コード」: レベルは1〜5の整数にしてください。",
        "8行目: 種別「領域」の行では「説明」は使いません(空にしてください)。",
        "9行目: 中核は「○」か空欄にしてください(「たぶん」は使えません)。",
        "10行目: コード A1 が重複しています(9行目)。",
        "10行目「領域コード」: 領域コード B の領域がありません。",
        "11行目: 領域コードが空です。",
        "11行目: 名称が空です。",
        "12行目: 種別「区分」は使えません(フレームワーク・レベル・領域・能力)。",
        "13行目: 列が多すぎます。",
        "14行目: コードは半角英数字で入力してください。",
    ]
    assert sorted(found) == sorted(expected)
    assert found == sorted(found, key=lambda m: int(m.split("行目")[0]))


def test_full_width_codes_are_folded():
    data, problems = parse(SMALL.replace("能力,A2,A,", "能力,Ａ２,Ａ,"))
    assert problems == [] and data.competencies[1].code == "A2"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "見出し行に必要な列がありません"),
        ("コード,名称\nA,x\n".encode(), "見出し行に必要な列がありません: 種別、領域コード"),
        (HEADER.encode(), "種別「フレームワーク」の行がありません。"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "CSVではないファイルです"),
        (b"\x81 \x81 ", "文字コードを判別できません"),  # neither UTF-8 nor CP932
    ],
)
def test_unreadable_files_are_refused_with_a_reason(content, message):
    _data, problems = csv_io.parse(content)
    assert problems and message in str(problems[0])


def test_two_framework_rows_and_no_areas_are_refused():
    found = messages(HEADER + "フレームワーク,1,,a,,,,,\nフレームワーク,2,,b,,,,,\n" + LEVELS)
    assert "3行目: 種別「フレームワーク」の行は1つだけにしてください。" in found
    assert "2行目: 領域が1つもありません。" in found
    assert "2行目: 能力項目が1つもありません。" in found


def test_too_long_values_are_refused():
    found = messages(SMALL.replace("能力A2", "長" * 201).replace(",2.0,", ",1" + "0" * 20 + ","))
    assert "2行目「コード」: 版が長すぎます(20文字以内)。" in found
    assert "10行目: 名称が長すぎます(200文字以内)。" in found


def test_length_limits_match_the_model_fields():
    models = {
        "framework": CompetencyFramework,
        "area": CompetencyArea,
        "competency": Competency,
        "level": ProficiencyLevel,
    }
    for key, limit in MAX_LENGTH.items():
        kind, name = key.split(".")
        field = models[kind]._meta.get_field(name)
        assert isinstance(field, db_models.CharField) and field.max_length == limit, key

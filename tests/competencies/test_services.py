"""Importing, versioning, exporting: all or nothing, and a registered version is never rewritten."""

import pytest
from django.core.exceptions import ValidationError

from courses.competencies import csv_io, selectors, services
from courses.competencies.models import Competency, CompetencyFramework

from .conftest import framework_row_counts
from .helpers import framework_content, identifiers_of


def test_csv_import_creates_the_whole_framework(framework):
    assert framework.title == "自治体DX人材 能力フレームワーク" and framework.is_current
    assert (framework.areas.count(), framework.competencies.count(), framework.levels.count()) == (6, 24, 5)
    assert framework.competencies.filter(is_core=True).count() == 8
    a1 = Competency.objects.get(framework=framework, code="A1")
    assert (a1.area.code, a1.sort_order) == ("A", 1)
    assert Competency.objects.get(framework=framework, code="F4").sort_order == 24


def test_import_is_not_current_unless_asked(db, framework_csv):
    outcome = services.framework_import_csv(content=framework_csv)
    assert outcome.ok and outcome.created and not outcome.framework.is_current
    assert selectors.framework_current() is None
    assert "領域 6、能力項目 24、習熟度レベル 5" in outcome.summary()


def test_reimporting_the_same_file_changes_nothing(framework, framework_csv):
    before = framework_row_counts()
    outcome = services.framework_import_csv(content=framework_csv.decode().encode("cp932"))
    assert outcome.ok and not outcome.created and outcome.framework == framework
    assert "同じ内容で登録済み" in outcome.summary()
    assert framework_row_counts() == before


def test_a_registered_version_with_different_content_is_refused(framework, framework_csv):
    before = framework_row_counts()
    changed = framework_csv.decode().replace("データリテラシー,", "データ・リテラシー,")
    outcome = services.framework_import_csv(content=changed.encode())
    assert not outcome.ok
    assert outcome.errors == [
        "「自治体DX人材 能力フレームワーク」版 1.0 は登録済みで、内容が異なります。"
        "登録済みの版は書き換えません。版を変えて取り込んでください。"
    ]
    assert framework_row_counts() == before
    assert Competency.objects.get(framework=framework, code="C1").name == "データリテラシー"


def test_the_same_content_as_a_new_version_is_a_new_framework(framework, framework_csv):
    outcome = services.framework_import_csv(content=framework_csv.replace(b",1.0,", b",1.1,", 1))
    assert outcome.ok and outcome.created and outcome.framework.version == "1.1"
    assert (
        framework_content(outcome.framework, identifiers=False)["competencies"]
        == (framework_content(framework, identifiers=False)["competencies"])
    )


def test_a_file_with_any_problem_changes_nothing(framework, framework_csv):
    before = framework_row_counts()
    broken = framework_csv.decode().replace(",1.0,", ",2.0,", 1).replace("能力,F4,F,", "能力,F4,Q,")
    outcome = services.framework_import_csv(content=broken.encode(), make_current=True)
    assert not outcome.ok
    assert outcome.errors == ["37行目「領域コード」: 領域コード Q の領域がありません。"]
    assert framework_row_counts() == before
    assert selectors.framework_current() == framework


def test_make_current_moves_the_current_mark(framework, framework_csv):
    outcome = services.framework_import_csv(
        content=framework_csv.replace(b",1.0,", b",2.0,", 1), make_current=True
    )
    assert outcome.made_current and "この版を現行版にしました。" in outcome.summary()
    framework.refresh_from_db()
    assert not framework.is_current
    assert list(CompetencyFramework.objects.filter(is_current=True)) == [outcome.framework]


def test_reimporting_an_old_version_as_current_makes_it_current_again(framework, framework_csv):
    newer = services.framework_new_version(framework=framework, version="1.1")
    services.framework_set_current(framework=newer)
    outcome = services.framework_import_csv(content=framework_csv, make_current=True)
    assert outcome.ok and not outcome.created and outcome.made_current
    assert selectors.framework_current() == framework


def test_new_version_copies_everything_with_new_identifiers_and_leaves_the_old_untouched(framework):
    before = framework_content(framework)
    updated_at = framework.updated_at

    newer = services.framework_new_version(framework=framework, version=" 1.1 ")

    framework.refresh_from_db()
    assert framework_content(framework) == before and framework.updated_at == updated_at
    assert newer.version == "1.1" and not newer.is_current and framework.is_current
    old, new = framework_content(framework, identifiers=False), framework_content(newer, identifiers=False)
    assert new["framework"] == old["framework"] | {"version": "1.1"}
    assert (new["levels"], new["areas"], new["competencies"]) == (
        old["levels"],
        old["areas"],
        old["competencies"],
    )
    assert not identifiers_of(framework) & identifiers_of(newer)
    assert all(c.area.framework_id == newer.pk for c in newer.competencies.select_related("area"))


@pytest.mark.parametrize(
    ("version", "message"),
    [("1.0", "版 1.0 はすでにあります"), ("  ", "版を入力してください"), ("9" * 21, "版が長すぎます")],
)
def test_new_version_refuses_a_taken_or_bad_version(framework, version, message):
    before = framework_row_counts()
    with pytest.raises(ValidationError) as error:
        services.framework_new_version(framework=framework, version=version)
    assert message in str(error.value.message_dict["version"])
    assert framework_row_counts() == before


def test_csv_export_is_utf8_with_bom_and_matches_the_file(framework, framework_csv):
    exported = services.framework_export_csv(framework=framework)
    assert exported.startswith("\ufeff".encode())
    assert exported.decode("utf-8-sig") == framework_csv.decode()


def test_csv_export_of_a_hand_made_framework_imports_as_the_same_content(hand_made_framework):
    exported = services.framework_export_csv(framework=hand_made_framework)
    _data, problems = csv_io.parse(exported)
    assert problems == []
    before = framework_content(hand_made_framework, identifiers=False)
    hand_made_framework.delete()
    outcome = services.framework_import_csv(content=exported)
    after = framework_content(outcome.framework, identifiers=False)
    # CSV has no sort_order column: the file's order becomes 1, 2, 3...; everything else is kept.
    for row in before["areas"] + before["competencies"] + after["areas"] + after["competencies"]:
        row.pop("sort_order")
    assert after == before


def test_competencies_of_is_one_query_with_areas(framework, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = [(c.code, c.area.code) for c in selectors.competencies_of(framework=framework)]
    assert rows[:2] == [("A1", "A"), ("A2", "A")]


def test_areas_of_prefetches_competencies(framework, django_assert_num_queries):
    with django_assert_num_queries(2):
        areas = {
            a.code: [c.code for c in a.competencies.all()] for a in selectors.areas_of(framework=framework)
        }
    assert areas["F"] == ["F1", "F2", "F3", "F4"]


def test_framework_data_reads_the_whole_framework_in_three_queries(framework, django_assert_num_queries):
    with django_assert_num_queries(3):
        data = selectors.framework_data(framework=framework)
    assert len(data.competencies) == 24


def test_framework_current_is_none_without_a_current_version(db):
    assert selectors.framework_current() is None

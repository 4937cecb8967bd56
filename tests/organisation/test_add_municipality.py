"""Onboarding a municipality (issue 13, item 5): its 団体コード is checked before anything is written."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from lms_site.organisation.jis import PREFECTURES, check_digit, code_problems
from lms_site.organisation.models import Municipality, MunicipalityKind

pytestmark = pytest.mark.django_db


def add(*args) -> str:
    out = io.StringIO()
    call_command("add_municipality", *args, stdout=out)
    return out.getvalue()


def test_the_prefecture_table_has_all_47_in_order():
    assert len(PREFECTURES) == len(set(PREFECTURES)) == 47
    assert (PREFECTURES[0], PREFECTURES[12], PREFECTURES[26], PREFECTURES[46]) == (
        "北海道",
        "東京都",
        "大阪府",
        "沖縄県",
    )


@pytest.mark.parametrize(
    ("code", "name", "prefecture", "kind"),
    [
        ("011002", "札幌市", "北海道", "city"),
        ("012025", "函館市", "北海道", "city"),
        ("131016", "千代田区", "東京都", "ward"),
        ("271004", "大阪市", "大阪府", "city"),
        ("472018", "那覇市", "沖縄県", "city"),
        ("130001", "東京都", "東京都", "prefecture"),
        ("010006", "北海道", "北海道", "prefecture"),
    ],
)
def test_real_codes_are_registered(code, name, prefecture, kind):
    out = add("--code", code, "--name", name, "--prefecture", prefecture, "--kind", kind)
    municipality = Municipality.objects.get(code=code)
    assert (municipality.name, municipality.prefecture, municipality.kind) == (name, prefecture, kind)
    assert f"登録しました: {code} {name}" in out
    assert f"import_departments departments.csv --municipality {code}" in out
    assert f"import_staff staff.csv --municipality {code}" in out


def test_the_optional_fields_are_stored():
    add(
        "--code", "011002", "--name", "札幌市", "--prefecture", "北海道",
        "--name-en", "Sapporo", "--population", "1960000", "--domain", "city.sapporo.jp",
    )  # fmt: skip
    municipality = Municipality.objects.get(code="011002")
    assert (municipality.name_en, municipality.population, municipality.domain) == (
        "Sapporo",
        1960000,
        "city.sapporo.jp",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--code", "011003", "--name", "札幌市", "--prefecture", "北海道"), "末尾は 2 のはずです"),
        (("--code", "131010", "--name", "千代田区", "--prefecture", "東京都"), "末尾は 6 のはずです"),
        (("--code", "011002", "--name", "札幌市", "--prefecture", "青森県"), "先頭2桁 01 は北海道です"),
        (("--code", "11002", "--name", "札幌市", "--prefecture", "北海道"), "6桁の数字"),
        (("--code", "０１１００２", "--name", "札幌市", "--prefecture", "北海道"), "6桁の数字"),
        (("--code", "481009", "--name", "架空市", "--prefecture", "北海道"), "01〜47"),
        (("--code", "130001", "--name", "東京都", "--prefecture", "東京都"), "都道府県のものです"),
        (
            ("--code", "131016", "--name", "千代田区", "--prefecture", "東京都", "--kind", "prefecture"),
            "000 です",
        ),
        (
            ("--code", "130001", "--name", "東京", "--prefecture", "東京都", "--kind", "prefecture"),
            "と同じにしてください",
        ),
        (
            ("--code", "011002", "--name", "札幌市", "--prefecture", "北海道", "--population", "-1"),
            "人口は0以上",
        ),
    ],
)
def test_a_wrong_code_is_named_and_nothing_is_written(args, message):
    with pytest.raises(CommandError, match=message):
        add(*args)
    assert not Municipality.objects.exists()


def test_every_problem_is_named_at_once():
    with pytest.raises(CommandError) as raised:
        add("--code", "011003", "--name", "札幌市", "--prefecture", "青森県")
    assert "末尾は 2 のはずです" in str(raised.value)
    assert "先頭2桁 01 は北海道です" in str(raised.value)


def test_a_code_or_a_name_already_registered_is_refused():
    add("--code", "011002", "--name", "札幌市", "--prefecture", "北海道")
    with pytest.raises(CommandError, match=r"団体コード 011002 はすでに登録されています\(札幌市\)"):
        add("--code", "011002", "--name", "さっぽろ市", "--prefecture", "北海道")
    with pytest.raises(CommandError, match="北海道の「札幌市」はすでに登録"):
        add("--code", "012025", "--name", "札幌市", "--prefecture", "北海道")
    assert list(Municipality.objects.values_list("code", "name")) == [("011002", "札幌市")]


def test_the_same_name_in_another_prefecture_is_fine():
    add("--code", "012025", "--name", "函館市", "--prefecture", "北海道")
    add("--code", "999993", "--name", "函館市", "--prefecture", "架空県")
    assert Municipality.objects.filter(name="函館市").count() == 2


def test_the_demo_s_fictional_codes_are_not_checked():
    add("--code", "990001", "--name", "架空県", "--prefecture", "架空県", "--kind", "prefecture")
    add("--code", "999991", "--name", "若葉市", "--prefecture", "架空県")
    add("--code", "999992", "--name", "みどり町", "--prefecture", "架空県", "--kind", "town")
    add("--code", "999993", "--name", "さくら村", "--prefecture", "北海道", "--kind", "village")
    kinds = dict(Municipality.objects.values_list("code", "kind"))
    assert kinds == {
        "990001": MunicipalityKind.PREFECTURE,
        "999991": MunicipalityKind.CITY,
        "999992": MunicipalityKind.TOWN,
        "999993": MunicipalityKind.VILLAGE,
    }


def test_the_messages_are_translatable():
    """The msgids are Japanese; the English is in locale/pending/add_municipality.po until it is merged."""
    with translation.override("ja"):
        problems = code_problems("011003", prefecture="北海道", is_prefecture=False)
    assert problems == ["団体コード 011003 の検査数字が合いません(末尾は 2 のはずです)。"]


# The 99 prefixes are the fictional codes, whose check digit is not checked.
@settings(max_examples=50)
@given(st.integers(min_value=0, max_value=98999).map(lambda n: f"{n:05d}"))
def test_exactly_one_check_digit_fits_any_first_five_digits(first_five):
    def check_digit_accepted(code: str) -> bool:
        with translation.override("ja"):
            problems = code_problems(code, prefecture="", is_prefecture=False)
        return not any("検査数字" in problem for problem in problems)

    accepted = [digit for digit in "0123456789" if check_digit_accepted(first_five + digit)]
    assert accepted == [str(check_digit(first_five))]


def test_a_new_municipality_gets_its_own_collection_of_images_and_documents_once():
    """ADR 0024: its images and documents are its own, in a collection named with its prefecture."""
    from wagtail.models import Collection

    out = add("--code", "012025", "--name", "函館市", "--prefecture", "北海道")
    municipality = Municipality.objects.select_related("collection").get(code="012025")
    assert municipality.collection.name == "北海道函館市"
    assert municipality.collection.get_parent() == Collection.get_first_root_node()
    assert "画像・資料のコレクション: 北海道函館市" in out
    add("--code", "012025", "--name", "函館市", "--prefecture", "北海道", "--domain", "hakodate.example.jp")
    assert Collection.objects.filter(name="北海道函館市").count() == 1

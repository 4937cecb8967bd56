"""Onboarding a municipality (issue 13, item 5): its 団体コード is checked before anything is written."""

import io

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from lms_site.organisation.jis import check_digit, code_problems
from lms_site.organisation.models import Municipality, MunicipalityKind

pytestmark = pytest.mark.django_db


def add(*args) -> str:
    out = io.StringIO()
    call_command("add_municipality", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("code", "name", "prefecture", "kind"),
    [
        ("011002", "札幌市", "北海道", "city"),
        ("131016", "千代田区", "東京都", "ward"),
        ("271004", "大阪市", "大阪府", "city"),
        ("472018", "那覇市", "沖縄県", "city"),
        ("130001", "東京都", "東京都", "prefecture"),
    ],
)
def test_real_codes_are_registered(code, name, prefecture, kind):
    out = add("--code", code, "--name", name, "--prefecture", prefecture, "--kind", kind)
    municipality = Municipality.objects.get(code=code)
    assert (municipality.name, municipality.prefecture, municipality.kind) == (name, prefecture, kind)
    assert "登録しました" in out
    if kind != "prefecture":
        assert f"import_staff staff.csv --municipality {code}" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--code", "011003", "--name", "札幌市", "--prefecture", "北海道"), "末尾は 2 のはずです"),
        (("--code", "011002", "--name", "札幌市", "--prefecture", "青森県"), "先頭2桁 01 は北海道です"),
        (("--code", "11002", "--name", "札幌市", "--prefecture", "北海道"), "6桁の数字"),
        (("--code", "481009", "--name", "架空市", "--prefecture", "北海道"), "01〜47"),
        (("--code", "130001", "--name", "東京都", "--prefecture", "東京都"), "都道府県のものです"),
        (
            ("--code", "131016", "--name", "千代田区", "--prefecture", "東京都", "--kind", "prefecture"),
            "000 です",
        ),
    ],
)
def test_a_wrong_code_is_named_and_nothing_is_written(args, message):
    with pytest.raises(CommandError, match=message):
        add(*args)
    assert not Municipality.objects.exists()


def test_a_code_or_a_name_already_registered_is_refused():
    add("--code", "011002", "--name", "札幌市", "--prefecture", "北海道")
    with pytest.raises(CommandError, match=r"すでに登録されています\(札幌市\)"):
        add("--code", "011002", "--name", "さっぽろ市", "--prefecture", "北海道")
    with pytest.raises(CommandError, match="北海道の「札幌市」はすでに登録"):
        add("--code", "012025", "--name", "札幌市", "--prefecture", "北海道")
    assert Municipality.objects.count() == 1


def test_fictional_codes_of_the_demo_are_not_checked():
    add("--code", "999993", "--name", "さくら村", "--prefecture", "架空県", "--kind", "village")
    assert Municipality.objects.get(code="999993").kind == MunicipalityKind.VILLAGE


@settings(max_examples=50)
@given(st.integers(min_value=0, max_value=99999).map(lambda n: f"{n:05d}"))
def test_exactly_one_check_digit_fits_any_first_five_digits(first_five):
    accepted = [
        digit
        for digit in "0123456789"
        if not any(
            "検査数字" in p for p in code_problems(first_five + digit, prefecture="", is_prefecture=False)
        )
    ]
    assert accepted == (
        [] if first_five.startswith("99") else [str(check_digit(first_five))]
    ) or first_five.startswith("99")

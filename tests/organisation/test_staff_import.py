"""The HR-system CSV import: validated whole, one transaction, encodings, rotations, re-imports."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from lms_site.organisation import services
from lms_site.organisation.models import Assignment, StaffProfile
from lms_site.organisation.selectors import department_of, staff_in_department

HEADER = "職員番号,姓,名,姓カナ,名カナ,所属コード,役職,職種,採用年度,メールアドレス\n"
APRIL_2025 = datetime.date(2025, 4, 1)
APRIL_2026 = datetime.date(2026, 4, 1)


def csv_bytes(*rows: str, encoding: str = "utf-8") -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode(encoding)


GOOD_ROWS = (
    "150001,佐藤,花子,サトウ,ハナコ,010100,主任,一般行政,2015,sato.hanako@example.lg.jp",
    "180002,鈴木,一郎,スズキ,イチロウ,020100,主事,一般行政,2018,suzuki.ichiro@example.lg.jp",
    "990003,髙橋,健,タカハシ,ケン,020100,課長,一般行政,1999,takahashi.ken@example.lg.jp",
)


def table_state() -> tuple:
    """Everything an import could change, to compare before and after."""
    return (
        sorted(StaffProfile.objects.values_list("employee_number", "family_name", "job_grade", "is_active")),
        sorted(
            Assignment.objects.values_list(
                "staff__employee_number", "department__code", "starts_on", "ends_on"
            )
        ),
    )


def run(municipality, content: bytes, day=APRIL_2025, **kwargs) -> services.ImportOutcome:
    return services.staff_import(municipality=municipality, content=content, effective_date=day, **kwargs)


def test_import_creates_staff_users_and_assignments(municipality, departments):
    outcome = run(municipality, csv_bytes(*GOOD_ROWS))

    assert outcome.ok and outcome.created == 3
    sato = StaffProfile.objects.get(employee_number="150001")
    assert sato.full_name == "佐藤 花子"
    assert sato.user.email == "sato.hanako@example.lg.jp"
    assert sato.user.groups.filter(name="職員").exists()
    assert department_of(staff=sato, on=APRIL_2025).code == "010100"


def test_one_bad_row_among_good_ones_changes_nothing_and_names_the_row(municipality, departments):
    run(municipality, csv_bytes(GOOD_ROWS[0]))
    before = table_state()
    bad = "180009,田中,次郎,タナカ,ジロウ,020100,社長,一般行政,2018,tanaka@example.lg.jp"

    outcome = run(municipality, csv_bytes(GOOD_ROWS[1], bad, GOOD_ROWS[2]))

    assert not outcome.ok
    assert len(outcome.errors) == 1
    assert outcome.errors[0].startswith("3行目")
    assert "役職「社長」" in outcome.errors[0]
    assert table_state() == before


def test_every_bad_row_is_reported_with_its_line(municipality, departments):
    outcome = run(
        municipality,
        csv_bytes(
            GOOD_ROWS[0],
            ",鈴木,一郎,スズキ,イチロウ,020100,主事,一般行政,2018,",  # no number
            "180003,鈴木,一郎,suzuki,イチロウ,020100,主事,一般行政,abcd,not-an-email",
            "150001,佐藤,花子,サトウ,ハナコ,010100,主任,一般行政,2015,",  # duplicate number
            "180004,伊藤,三郎,イトウ,サブロウ,999999,主事,一般行政,2018,",  # unknown department
        ),
    )
    lines = [error.split("行目")[0] for error in outcome.errors]
    assert lines == sorted(lines, key=int)
    assert set(lines) == {"3", "4", "5", "6"}
    text = "\n".join(outcome.errors)
    for expected in (
        "職員番号が空です",
        "カタカナ",
        "採用年度は西暦",
        "メールアドレスの形式",
        "2行目と重複",
        "所属コード 999999",
    ):
        assert expected in text
    assert not StaffProfile.objects.exists()


def test_cp932_and_utf8_with_bom_give_the_same_result(municipality, departments):
    cp932 = csv_bytes(*GOOD_ROWS, encoding="cp932")
    bom = b"\xef\xbb\xbf" + csv_bytes(*GOOD_ROWS)

    first = run(municipality, cp932)
    state_after_cp932 = table_state()
    second = run(municipality, bom)

    assert first.as_dict()["created"] == 3
    assert second.as_dict() == {"created": 0, "updated": 0, "moved": 0, "unchanged": 3, "retired": 0}
    assert table_state() == state_after_cp932
    assert (
        StaffProfile.objects.get(employee_number="990003").family_name == "髙橋"
    )  # an IBM extension character


def test_reimporting_the_same_file_changes_nothing(municipality, departments, django_assert_max_num_queries):
    content = csv_bytes(*GOOD_ROWS)
    run(municipality, content)
    before = table_state()

    with django_assert_max_num_queries(8):  # reads only: no per-row writes
        outcome = run(municipality, content)

    assert outcome.unchanged == 3 and outcome.created == outcome.updated == outcome.moved == 0
    assert table_state() == before


def test_rotation_moves_people_from_the_effective_date_and_keeps_history(municipality, departments):
    run(municipality, csv_bytes(*GOOD_ROWS))
    moved = GOOD_ROWS[1].replace(",020100,主事,", ",020200,主任,")

    outcome = run(municipality, csv_bytes(GOOD_ROWS[0], moved, GOOD_ROWS[2]), day=APRIL_2026)

    assert outcome.moved == 1 and outcome.unchanged == 2
    suzuki = StaffProfile.objects.get(employee_number="180002")
    assert suzuki.job_grade == "shunin"
    assert department_of(staff=suzuki, on=datetime.date(2026, 3, 31)).code == "020100"
    assert department_of(staff=suzuki, on=APRIL_2026).code == "020200"
    history = list(
        suzuki.assignments.order_by("starts_on").values_list("department__code", "starts_on", "ends_on")
    )
    assert history == [
        ("020100", APRIL_2025, datetime.date(2026, 3, 31)),
        ("020200", APRIL_2026, None),
    ]
    # Last year's members of 市民課 still include him; this year's do not.
    shimin = departments["020100"]
    assert suzuki in staff_in_department(department=shimin, on=datetime.date(2025, 10, 1))
    assert suzuki not in staff_in_department(department=shimin, on=datetime.date(2026, 10, 1))


def test_back_dated_rotation_is_refused(municipality, departments):
    run(municipality, csv_bytes(*GOOD_ROWS), day=APRIL_2026)
    before = table_state()
    moved = GOOD_ROWS[1].replace(",020100,", ",020200,")

    outcome = run(municipality, csv_bytes(moved), day=APRIL_2025)

    assert not outcome.ok and "発令日 2025-04-01" in outcome.errors[0]
    assert table_state() == before


def test_full_export_retires_people_missing_from_it(municipality, departments):
    run(municipality, csv_bytes(*GOOD_ROWS))

    outcome = run(municipality, csv_bytes(*GOOD_ROWS[:2]), day=APRIL_2026, retire_missing=True)

    assert outcome.retired == 1
    takahashi = StaffProfile.objects.get(employee_number="990003")
    assert not takahashi.is_active
    assert department_of(staff=takahashi, on=APRIL_2026) is None
    assert department_of(staff=takahashi, on=datetime.date(2026, 3, 31)).code == "020100"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00\x00garbage\x81", "文字コード"),
        ("氏名,所属\n山田,010100\n".encode(), "必要な列がありません"),
        (HEADER.encode(), "データ行がありません"),
        (b"\x00\x01\x02" * 10, "バイナリ"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(municipality, departments, content, message):
    outcome = run(municipality, content)
    assert not outcome.ok and message in outcome.errors[0]
    assert not StaffProfile.objects.exists()


def test_half_width_kana_and_full_width_digits_are_normalised(municipality, departments):
    row = "１５０００１,佐藤,花子,ｻﾄｳ,ﾊﾅｺ,０１０１００,主任,一般行政,２０１５,"
    outcome = run(municipality, csv_bytes(row))
    assert outcome.ok, outcome.errors
    profile = StaffProfile.objects.get(employee_number="150001")
    assert profile.family_name_kana == "サトウ"


def test_command_exits_non_zero_naming_the_bad_row(municipality, departments, tmp_path, capsys):
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes(GOOD_ROWS[0], "180002,鈴木,一郎,スズキ,イチロウ,020100,主事,一般行政,1800,"))

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_staff", str(path), "--effective-date", "2025-04-01")

    assert "3行目" in capsys.readouterr().err
    assert not StaffProfile.objects.exists()


def test_command_imports_a_good_file(municipality, departments, tmp_path, capsys):
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes(*GOOD_ROWS, encoding="cp932"))

    call_command("import_staff", str(path), "--effective-date", "2025-04-01")

    assert "created=3" in capsys.readouterr().out
    assert Assignment.objects.filter(starts_on=APRIL_2025).count() == 3

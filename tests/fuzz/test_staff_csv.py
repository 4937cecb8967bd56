"""Bad HR files: the staff and department CSV imports refuse them whole, name the line and change nothing.

Covers ``services.staff_import`` / ``department_import`` (and the pure ``staff_csv`` / ``department_csv``
readers under them), the admin upload (組織 → 職員データ取込) and ``manage.py import_staff``.
"""

import csv
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from lms_site.organisation import services, staff_csv
from lms_site.organisation.models import Department, StaffImport
from tests.conftest import DEPARTMENTS_CSV
from tests.fuzz.common import (
    FEW,
    FORMULAS,
    FUZZ,
    HOSTILE_HTML,
    active_content,
    reencoded,
    rolled_back,
    truncations,
)
from tests.organisation.test_staff_import import APRIL_2025, GOOD_ROWS, HEADER, csv_bytes, table_state

User = get_user_model()
ROW_ERROR = re.compile(r"^\d+行目: \S")
GOOD = csv_bytes(*GOOD_ROWS)
GOOD_VALUES = [row.split(",") for row in GOOD_ROWS]
# Digits that are not ASCII digits, which str.isdigit() accepts and int() may not.
ODD_DIGITS = st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=6)


def staff_state() -> tuple:
    return (*table_state(), User.objects.count(), sorted(User.objects.values_list("username", "email")))


def department_state() -> list:
    return sorted(Department.objects.values_list("code", "name", "kind", "path", "is_active"))


def assert_refused_cleanly(errors: list[str]) -> None:
    """Errors are readable: either one message about the whole file, or one per problem with its line."""
    assert errors and all(isinstance(e, str) and e.strip() for e in errors)
    if len(errors) > 1:
        assert all(ROW_ERROR.match(e) for e in errors), errors


def staff_import_checked(municipality, content: bytes) -> services.ImportOutcome:
    """Import ``content``; a refused file must have changed nothing. Any write is rolled back after."""
    before = staff_state()
    with rolled_back():
        outcome = services.staff_import(municipality=municipality, content=content, effective_date=APRIL_2025)
        after = staff_state()
    if not outcome.ok:
        assert after == before, "a refused file wrote to the database"
        assert_refused_cleanly(outcome.errors)
    return outcome


def cell(column: int) -> st.SearchStrategy[str]:
    """A cell of the staff CSV: usually valid, often hostile, sometimes anything."""
    return st.one_of(
        st.sampled_from([values[column] for values in GOOD_VALUES]),
        st.sampled_from(FORMULAS + HOSTILE_HTML),
        st.text(max_size=25),
        ODD_DIGITS,
        st.just("9" * 5000),
        st.just("長" * 60),
    )


rows = st.lists(st.tuples(*(cell(i) for i in range(10))), min_size=1, max_size=5)


def to_csv(records, *, quoted: bool) -> bytes:
    if quoted:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(records)
        body = out.getvalue()
    else:
        body = "".join(",".join(record) + "\n" for record in records)
    return (HEADER + body).encode("utf-8", errors="surrogatepass")


@FUZZ
@given(content=st.binary(max_size=2000))
def test_random_bytes_are_refused_without_writing(municipality, departments, content):
    staff_import_checked(municipality, content)


@FUZZ
@given(records=rows, quoted=st.booleans())
def test_rows_of_random_hostile_cells_are_refused_by_line_or_imported(
    municipality, departments, records, quoted
):
    try:
        content = to_csv(records, quoted=quoted)
    except UnicodeEncodeError:
        return
    outcome = staff_import_checked(municipality, content)
    if outcome.ok:
        assert outcome.created == len({r[0] for r in records if any(c.strip() for c in r)})


@FUZZ
@given(content=truncations(GOOD))
def test_a_file_cut_anywhere_imports_whole_rows_or_is_refused(municipality, departments, content):
    staff_import_checked(municipality, content)


@FUZZ
@given(content=reencoded(GOOD.decode()))
def test_a_file_saved_in_an_unsupported_encoding_is_refused(municipality, departments, content):
    outcome = staff_import_checked(municipality, content)
    assert not outcome.ok


@pytest.mark.parametrize("year", ["\U00010a40", "9" * 5000, "٢٠٢٠٠"])
def test_a_hire_year_of_odd_digits_is_a_row_error_not_a_crash(municipality, departments, year):
    content = csv_bytes(GOOD_ROWS[0], f"1,田中,一郎,,,020100,主事,一般行政,{year},")

    outcome = staff_import_checked(municipality, content)

    assert not outcome.ok and any(e.startswith("3行目: 採用年度") for e in outcome.errors), outcome.errors


def test_a_file_over_the_size_limit_is_refused_before_reading(municipality, departments):
    content = GOOD + b"9" * (staff_csv.MAX_BYTES - len(GOOD) + 1)

    outcome = staff_import_checked(municipality, content)

    assert outcome.errors == [f"ファイルが大きすぎます(上限 {staff_csv.MAX_BYTES // 1024 // 1024} MB)。"]


def test_a_row_with_thousands_of_columns_is_a_row_error(municipality, departments):
    content = csv_bytes(GOOD_ROWS[0] + "," * 100_000)

    outcome = staff_import_checked(municipality, content)

    assert outcome.errors == ["2行目: 列が多すぎます。"]


@FUZZ
@given(
    content=st.one_of(
        st.binary(max_size=2000),
        truncations(DEPARTMENTS_CSV.encode()),
        reencoded(DEPARTMENTS_CSV),
        st.lists(st.tuples(*(st.one_of(st.text(max_size=12), st.sampled_from(FORMULAS)) for _ in range(5))))
        .map(lambda rs: "コード,上位コード,区分,名称,英語名称\n" + "".join(",".join(r) + "\n" for r in rs))
        .map(lambda text: text.encode("utf-8", errors="replace")),
    )
)
def test_department_files_are_refused_whole_with_their_lines(municipality, content):
    before = department_state()
    with rolled_back():
        outcome = services.department_import(municipality=municipality, content=content)
        after = department_state()
    if not outcome.ok:
        assert after == before
        assert_refused_cleanly(outcome.errors)


# The admin upload: a bad file is a failed job with its problems listed, never a server error.


def post_file(client, content: bytes, name: str = "staff.csv", municipality=None):
    """As the system administrator, who names the municipality to import into (issue 13)."""
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    data = {"file": upload, "effective_date": "2025-04-01"}
    if municipality is not None:
        data["municipality"] = municipality.pk
    return client.post(reverse("organisation_admin:staff_import_create"), data)


@FEW
@given(
    content=st.one_of(st.binary(max_size=1000), truncations(GOOD), reencoded(GOOD.decode())),
    name=st.one_of(st.just("staff.csv"), st.sampled_from(HOSTILE_HTML).map(lambda h: f"{h}.csv")),
)
def test_admin_upload_of_a_bad_file_records_a_failed_job_and_shows_it(
    admin_client_500, departments, content, name
):
    before = staff_state()
    with rolled_back():
        response = post_file(
            admin_client_500, content, name=name, municipality=departments["010000"].municipality
        )
        if response.status_code == 200:  # refused by the form (an empty file)
            assert response.context["form"].errors["file"] and not StaffImport.objects.exists()
            return
        assert response.status_code == 302, response.status_code
        job = StaffImport.objects.latest("pk")
        page = admin_client_500.get(response.url)
        listing = admin_client_500.get(reverse("organisation_admin:staff_import_list"))
        after = staff_state()
    assert page.status_code == 200 and listing.status_code == 200
    assert not active_content(page.content.decode()) and not active_content(listing.content.decode())
    if job.status == "failed":
        assert after == before
        assert_refused_cleanly(job.errors)


@pytest.mark.parametrize(
    ("name", "size"), [("staff.xlsx", 10), ("staff.csv", staff_csv.MAX_BYTES + 1)], ids=["extension", "size"]
)
def test_admin_form_refuses_a_wrong_or_huge_file_without_a_job(admin_client_500, departments, name, size):
    response = post_file(admin_client_500, b"x" * size, name=name)

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not StaffImport.objects.exists()


@FEW
@given(content=st.one_of(st.binary(max_size=500), reencoded(GOOD.decode())))
def test_import_staff_command_refuses_a_bad_file_with_a_command_error(
    municipality, departments, tmp_path, content
):
    path = tmp_path / "staff.csv"
    path.write_bytes(content)
    before = staff_state()
    with rolled_back():
        try:
            call_command("import_staff", str(path), "--effective-date", "2025-04-01", stderr=io.StringIO())
        except CommandError as exc:
            assert "nothing was imported" in str(exc)
            assert staff_state() == before

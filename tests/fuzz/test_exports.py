"""Spreadsheet exports: text that a spreadsheet would run as a formula is written inert, in every export.

The exports found (``grep -rn "text/csv\\|openpyxl\\|csv.writer"``): the HR reports' CSV and XLSX
(``analytics.exports.table_csv`` / ``table_xlsx``, behind every ``/hr/export/<table>.<format>``) and the
framework CSV (``courses.competencies.csv_io.render``, behind 能力フレームワーク → CSV書出し). The question
exports are GIFT and Moodle XML, which no spreadsheet opens.
"""

import csv
import io

import openpyxl
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from analytics import exports
from analytics.tables import ReportTable
from courses.competencies import csv_io
from courses.competencies.framework_data import AreaData, CompetencyData, FrameworkData, LevelData
from tests.competencies.conftest import hand_made_framework  # noqa: F401 - fixture: a name "=先頭が等号"
from tests.fuzz.common import FORMULA_STARTS, FORMULAS, FUZZ

texts = st.one_of(
    st.sampled_from(FORMULAS),
    st.tuples(st.sampled_from(FORMULA_STARTS), st.text(max_size=10)).map("".join),
    st.text(max_size=20),
)
cells = st.one_of(texts, st.none(), st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6, allow_nan=False))
tables = st.builds(
    ReportTable,
    name=st.just("coverage"),
    title=texts,
    columns=st.lists(texts, min_size=1, max_size=4),
    rows=st.lists(st.lists(cells, min_size=1, max_size=4), max_size=4),
    note=texts,
)


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cells(content: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content, newline="")) for cell in row]


@FUZZ
@given(table=tables)
def test_report_csv_writes_no_cell_a_spreadsheet_would_run(table):
    content = exports.table_csv(table).decode("utf-8-sig")

    written = csv_cells(content)

    assert not [cell for cell in written if looks_like_formula(cell) and not _is_number(cell)]
    for text in [*table.columns, *(c for row in table.rows for c in row if isinstance(c, str))]:
        assert ("'" + text if looks_like_formula(text) else text) in written


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@FUZZ
@given(table=tables)
def test_report_xlsx_holds_no_formula_whatever_the_text(table):
    content = exports.table_xlsx(table)

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.value for cell in values if cell.data_type == "f"]
    assert not [cell.value for cell in values if looks_like_formula(cell.value)]


def framework_with(text: str) -> FrameworkData:
    return FrameworkData(
        title=text or "題",
        version="1.0",
        description=text,
        source=text,
        levels=tuple(LevelData(level=n, name=f"L{n}", descriptor=text) for n in range(1, 6)),
        areas=(AreaData(code="A", name=text or "領域", sort_order=1),),
        competencies=(
            CompetencyData(
                code="A1",
                area_code="A",
                name=text or "能力",
                description=text,
                source_mapping=text,
                sort_order=1,
            ),
        ),
    )


@FUZZ
@given(text=st.sampled_from(FORMULAS))
def test_framework_csv_writes_no_cell_a_spreadsheet_would_run(text):
    written = csv_cells(csv_io.render(framework_with(text)))

    assert not [cell for cell in written if looks_like_formula(cell)]


def test_framework_csv_download_neutralises_a_formula_name(admin_client_500, hand_made_framework):  # noqa: F811
    url = reverse("competencies_admin:framework_export", args=[hand_made_framework.pk, "csv"])

    response = admin_client_500.get(url)

    assert response.status_code == 200
    assert "=先頭が等号" not in csv_cells(response.content.decode("utf-8-sig"))

"""CSV (UTF-8 with BOM, so that Excel reads Japanese) and XLSX (openpyxl) from ``ReportTable``. Pure.

Cells are written as the page shows them, so suppressed cells stay ``<5``. Text that a spreadsheet would
run as a formula (starting with = + - @, tab or carriage return) gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.workbook.child import INVALID_TITLE_REGEX

from .tables import Cell, ReportTable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(cell: Cell) -> Cell:
    """Text cells that would start a formula get a leading apostrophe; numbers are left as numbers."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def table_csv(table: ReportTable) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in table.columns])
    for row in table.rows:
        writer.writerow(["" if c is None else neutralise(c) for c in row])
    if table.note:
        writer.writerow([])
        writer.writerow([neutralise(table.note)])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _xlsx_cell(cell: Cell) -> Cell:
    """As ``neutralise``, without the control characters a worksheet cannot hold (a name may carry them)."""
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell)


def table_xlsx(table: ReportTable) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    # A sheet name cannot hold \ * ? : / [ ], which department and competency names may (NFKC folds ：to :).
    sheet.title = (
        INVALID_TITLE_REGEX.sub("_", ILLEGAL_CHARACTERS_RE.sub("", table.title))[:31] or table.name[:31]
    )
    sheet.append([_xlsx_cell(table.title)])
    sheet["A1"].font = Font(bold=True)
    sheet.append([_xlsx_cell(c) for c in table.columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_xlsx_cell(c) for c in row])
    if table.note:
        sheet.append([])
        sheet.append([_xlsx_cell(table.note)])
    sheet.freeze_panes = "B3"
    sheet.column_dimensions["A"].width = 28
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

"""Reading a department master CSV (コード,上位コード,区分,名称,英語名称), with no database access.

Every problem is reported with its line (``lms_site.imports``); a caller refuses the file if there is any.
"""

import csv
import io
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from lms_site.imports import WHOLE_FILE, Line, Problem, TextFileError, decode_text

from .models import CHILD_KIND, DepartmentKind
from .staff_csv import MAX_BYTES

HEADER = ["コード", "上位コード", "区分", "名称", "英語名称"]
KIND_BY_LABEL = {str(label): value for value, label in DepartmentKind.choices}


@dataclass(frozen=True)
class DepartmentRow:
    line: int
    code: str
    parent_code: str
    kind: str
    name: str
    name_en: str


def parse(content: bytes) -> tuple[list[DepartmentRow], list[Problem]]:
    """Every valid row, and every problem found (a file that cannot be read at all: one problem)."""
    try:
        text = decode_text(content, max_bytes=MAX_BYTES)
    except TextFileError as exc:
        return [], [Problem(WHOLE_FILE, str(exc))]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [unicodedata.normalize("NFKC", h.strip()) for h in next(reader, [])]
    if header[: len(HEADER)] != HEADER:
        return [], [
            Problem(WHOLE_FILE, _("見出し行は「%(header)s」にしてください。") % {"header": ",".join(HEADER)})
        ]
    rows, errors, seen = [], [], set()
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        cells = [unicodedata.normalize("NFKC", c.strip()) for c in record] + [""] * len(HEADER)
        code, parent_code, kind_label, name, name_en = cells[:5]
        problems = []
        if not code:
            problems.append(_("コードが空です。"))
        elif code in seen:
            problems.append(_("コード %(code)s が重複しています。") % {"code": code})
        if kind_label not in KIND_BY_LABEL:
            problems.append(_("区分は 部・課・係 のいずれかにしてください。"))
        if not name:
            problems.append(_("名称が空です。"))
        seen.add(code)
        if problems:
            errors += [Problem(Line(line), p) for p in problems]
            continue
        rows.append(DepartmentRow(line, code, parent_code, KIND_BY_LABEL[kind_label], name, name_en))
    return rows, errors


def check_tree(rows: list[DepartmentRow], *, existing_kinds: dict[str, str]) -> list[Problem]:
    """Parents must exist (earlier in the file or already registered) and follow 部 → 課 → 係."""
    kinds = dict(existing_kinds)
    errors = []
    for row in rows:
        if not row.parent_code:
            if row.kind != DepartmentKind.BU:
                errors.append(Problem(Line(row.line), _("上位コードのない所属は「部」にしてください。")))
        elif row.parent_code not in kinds:
            errors.append(
                Problem(
                    Line(row.line),
                    _("上位コード %(code)s が見つかりません(上位の所属を先に書いてください)。")
                    % {"code": row.parent_code},
                )
            )
        elif CHILD_KIND.get(kinds[row.parent_code]) != row.kind:
            errors.append(Problem(Line(row.line), _("区分が上位所属と合いません(部→課→係)。")))
        kinds[row.code] = row.kind
    return errors

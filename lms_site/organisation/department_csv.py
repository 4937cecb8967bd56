"""Reading a department master CSV (コード,上位コード,区分,名称,英語名称), with no database access."""

import csv
import io
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import CHILD_KIND, DepartmentKind
from .staff_csv import RowError, StaffFileError, decode

HEADER = ["コード", "上位コード", "区分", "名称", "英語名称"]
KIND_BY_LABEL = {str(label): value for value, label in DepartmentKind.choices}


class DepartmentFileError(StaffFileError):
    pass


@dataclass(frozen=True)
class DepartmentRow:
    line: int
    code: str
    parent_code: str
    kind: str
    name: str
    name_en: str


def parse(content: bytes) -> tuple[list[DepartmentRow], list[RowError]]:
    try:
        text = decode(content)
    except StaffFileError as exc:
        raise DepartmentFileError(str(exc)) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [unicodedata.normalize("NFKC", h.strip()) for h in next(reader, [])]
    if header[: len(HEADER)] != HEADER:
        raise DepartmentFileError(
            _("見出し行は「%(header)s」にしてください。") % {"header": ",".join(HEADER)}
        )
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
            errors += [RowError(line, p) for p in problems]
            continue
        rows.append(DepartmentRow(line, code, parent_code, KIND_BY_LABEL[kind_label], name, name_en))
    return rows, errors


def check_tree(rows: list[DepartmentRow], *, existing_kinds: dict[str, str]) -> list[RowError]:
    """Parents must exist (earlier in the file or already registered) and follow 部 → 課 → 係."""
    kinds = dict(existing_kinds)
    errors = []
    for row in rows:
        if not row.parent_code:
            if row.kind != DepartmentKind.BU:
                errors.append(RowError(row.line, _("上位コードのない所属は「部」にしてください。")))
        elif row.parent_code not in kinds:
            errors.append(
                RowError(
                    row.line,
                    _("上位コード %(code)s が見つかりません(上位の所属を先に書いてください)。")
                    % {"code": row.parent_code},
                )
            )
        elif CHILD_KIND.get(kinds[row.parent_code]) != row.kind:
            errors.append(RowError(row.line, _("区分が上位所属と合いません(部→課→係)。")))
        kinds[row.code] = row.kind
    return errors

"""A framework as CSV, the project's own format: parsing (every problem, with its line) and rendering.

No database access. One file holds one framework version; the column ``種別`` says what a row is, and
each kind uses only some of the columns (the others must be empty):

    種別,コード,領域コード,名称,英語名称,説明,英語の説明,対応する標準,中核

* フレームワーク (exactly one row): コード = 版 (e.g. 1.0), 名称, 英語名称, 説明, 対応する標準 = 出典.
* レベル (1 to 5, each once): コード = level, 名称, 英語名称, 説明 = 到達の目安, 英語の説明.
* 領域: コード (e.g. A), 名称, 英語名称.
* 能力: コード (e.g. A1), 領域コード, 名称, 英語名称, 説明, 英語の説明, 対応する標準, 中核.

Exactly one フレームワーク row and the levels 1 to 5; rows may come in any order and the header's columns
in any order (extra columns are ignored). Display order is the order of the 領域 and 能力 rows.
中核 is ``○`` (also 1, TRUE, はい, 中核) or empty. Encoding: UTF-8 with or without BOM, or CP932.
"""

import csv
import io
import unicodedata

from django.utils.translation import gettext as _

from lms_site.imports import WHOLE_FILE, Line, Problem, TextFileError, decode_text

from .framework_data import AreaData, CompetencyData, FrameworkData, LevelData, check

COLUMNS = ("種別", "コード", "領域コード", "名称", "英語名称", "説明", "英語の説明", "対応する標準", "中核")
FRAMEWORK, LEVEL, AREA, COMPETENCY = "フレームワーク", "レベル", "領域", "能力"
USED_COLUMNS = {
    FRAMEWORK: {"コード", "名称", "英語名称", "説明", "対応する標準"},
    LEVEL: {"コード", "名称", "英語名称", "説明", "英語の説明"},
    AREA: {"コード", "名称", "英語名称"},
    COMPETENCY: set(COLUMNS[1:]),
}
# Where a field's name differs from its column, a problem names the column too.
COLUMN_OF = {
    FRAMEWORK: {"version": "コード", "source": "対応する標準"},
    LEVEL: {"level": "コード", "descriptor": "説明", "descriptor_en": "英語の説明"},
    AREA: {},
    COMPETENCY: {"area_code": "領域コード"},
}
TRUE = {"○", "◯", "〇", "1", "true", "yes", "y", "はい", "中核", "core"}
FALSE = {"", "0", "false", "no", "n", "いいえ", "×", "-"}
CORE_MARK = "○"
MAX_BYTES = 5 * 1024 * 1024


def _fold(value: str) -> str:
    # Codes, kinds and marks are folded (full-width letters and digits are common); free text is kept as is.
    return unicodedata.normalize("NFKC", value.strip())


def parse(content: bytes) -> tuple[FrameworkData | None, list[Problem]]:
    """The framework in the file and every problem found; any problem means the file must be refused."""
    try:
        text = decode_text(content, max_bytes=MAX_BYTES)
    except TextFileError as exc:
        return None, [Problem(WHOLE_FILE, str(exc))]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [_fold(name) for name in next(reader, [])]
    except csv.Error as exc:
        return None, [Problem(WHOLE_FILE, _("CSVの形式が正しくありません(%(detail)s)。") % {"detail": exc})]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        return None, [
            Problem(
                WHOLE_FILE, _("見出し行に必要な列がありません: %(columns)s") % {"columns": "、".join(missing)}
            )
        ]
    rows, problems = _rows(reader, header)
    frameworks = [row for row in rows if row[1] == FRAMEWORK]
    if not frameworks:
        problems.append(Problem(WHOLE_FILE, _("種別「フレームワーク」の行がありません。")))
        return None, problems
    problems += [
        Problem(row[0], _("種別「フレームワーク」の行は1つだけにしてください。")) for row in frameworks[1:]
    ]
    data = _framework(rows, problems)
    problems += check(data)
    return data, sorted(problems, key=lambda problem: problem.line)


def _rows(reader, header: list[str]) -> tuple[list[tuple[str, str, dict[str, str]]], list[Problem]]:
    """(where, kind, cells) for each non-blank row whose kind is known."""
    index = {name: header.index(name) for name in COLUMNS}
    rows, problems = [], []
    while True:
        line = reader.line_num + 1
        try:
            record = next(reader, None)
        except csv.Error as exc:
            problems.append(
                Problem(WHOLE_FILE, _("CSVの形式が正しくありません(%(detail)s)。") % {"detail": exc})
            )
            break
        if record is None:
            break
        where = Line(line)
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            problems.append(Problem(where, _("列が多すぎます。")))
            continue
        cells = {name: (_unguard(record[i].strip()) if i < len(record) else "") for name, i in index.items()}
        kind = _fold(cells["種別"])
        if kind not in USED_COLUMNS:
            problems.append(
                Problem(
                    where,
                    _("種別「%(kind)s」は使えません(%(allowed)s)。")
                    % {"kind": kind, "allowed": "・".join(USED_COLUMNS)},
                )
            )
            continue
        unused = [name for name in COLUMNS[1:] if cells[name] and name not in USED_COLUMNS[kind]]
        problems += [
            Problem(
                where,
                _("種別「%(kind)s」の行では「%(column)s」は使いません(空にしてください)。")
                % {"kind": kind, "column": name},
            )
            for name in unused
        ]
        rows.append((where, kind, cells))
    return rows, problems


def _where(kind: str, where: Line) -> dict[str, Line]:
    """The row's line, and for each field the same line named with its column (``7行目「コード」``)."""
    row_label = _("%(line)d行目")
    return {"": where} | {
        name: Line(where.number, _("%(where)s「%(column)s」") % {"where": row_label, "column": column})
        for name, column in COLUMN_OF[kind].items()
    }


def _framework(rows, problems: list[Problem]) -> FrameworkData:
    where, _kind, cells = next(row for row in rows if row[1] == FRAMEWORK)
    levels, areas, competencies = [], [], []
    for row_where, kind, row in rows:
        located = _where(kind, row_where)
        if kind == LEVEL:
            number = _fold(row["コード"])
            levels.append(
                LevelData(
                    level=int(number) if number.isdigit() else 0,
                    name=row["名称"],
                    name_en=row["英語名称"],
                    descriptor=row["説明"],
                    descriptor_en=row["英語の説明"],
                    where=located,
                )
            )
        elif kind == AREA:
            areas.append(
                AreaData(
                    code=_fold(row["コード"]),
                    name=row["名称"],
                    name_en=row["英語名称"],
                    sort_order=len(areas) + 1,
                    where=located,
                )
            )
        elif kind == COMPETENCY:
            competencies.append(_competency(row, located, len(competencies) + 1, problems))
    return FrameworkData(
        title=cells["名称"],
        title_en=cells["英語名称"],
        version=_fold(cells["コード"]),
        source=cells["対応する標準"],
        description=cells["説明"],
        levels=tuple(levels),
        areas=tuple(areas),
        competencies=tuple(competencies),
        where=_where(FRAMEWORK, where),
    )


def _competency(row: dict[str, str], where: dict[str, Line], position: int, problems) -> CompetencyData:
    area_code, mark = _fold(row["領域コード"]), _fold(row["中核"]).casefold()
    if not area_code:
        problems.append(Problem(where[""], _("領域コードが空です。")))
    if mark not in TRUE | FALSE:
        problems.append(
            Problem(
                where[""],
                _("中核は「%(mark)s」か空欄にしてください(「%(value)s」は使えません)。")
                % {"mark": CORE_MARK, "value": row["中核"]},
            )
        )
    return CompetencyData(
        code=_fold(row["コード"]),
        area_code=area_code,
        name=row["名称"],
        name_en=row["英語名称"],
        description=row["説明"],
        description_en=row["英語の説明"],
        source_mapping=row["対応する標準"],
        is_core=mark in TRUE,
        sort_order=position,
        where=where,
    )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _guard(value):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (shown, not run). A bare
    CR becomes a newline first: unquoted (our line ends are LF) it would start a new row on reading."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _unguard(value: str) -> str:
    """``_guard`` undone on import, so an exported file imports as it was exported."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


class _GuardedWriter:
    def __init__(self, writer):
        self.writer = writer

    def writerow(self, row):
        self.writer.writerow([_guard(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def render(data: FrameworkData) -> str:
    """The framework as CSV: the framework row, the levels, then each area followed by its competencies."""
    out = io.StringIO()
    writer = _GuardedWriter(csv.writer(out, lineterminator="\n"))
    writer.writerow(COLUMNS)
    writer.writerow(
        [FRAMEWORK, data.version, "", data.title, data.title_en, data.description, "", data.source, ""]
    )
    for level in sorted(data.levels, key=lambda lv: lv.level):
        writer.writerow(
            [LEVEL, level.level, "", level.name, level.name_en, level.descriptor, level.descriptor_en, "", ""]
        )
    for area, competencies in data.competencies_by_area():
        writer.writerow([AREA, area.code, "", area.name, area.name_en, "", "", "", ""])
        writer.writerows(
            [
                COMPETENCY,
                c.code,
                c.area_code,
                c.name,
                c.name_en,
                c.description,
                c.description_en,
                c.source_mapping,
                CORE_MARK if c.is_core else "",
            ]
            for c in competencies
        )
    return out.getvalue()

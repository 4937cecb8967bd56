"""Mappings from a CSV of pairs: one row per mapping of one of our competencies to a reference item.

    能力コード,参照項目,関係,メモ

``能力コード`` is the code of one of our framework's competencies; ``参照項目`` names the reference
framework's item by its identifier (UUID), its code in this platform, or its own code in the published
framework (対応する標準); ``関係`` is ``exactMatchOf`` (default when empty), ``isPartOf`` or ``isRelatedTo``.
Encoding: UTF-8 with or without BOM, or CP932. No database access here: the rows are resolved by
``services.mappings_import_csv``.
"""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from lms_site.imports import WHOLE_FILE, Line, Problem, TextFileError, decode_text

from .case_io import MAPPING_TYPES

MAX_BYTES = 1024 * 1024
COLUMNS = ("能力コード", "参照項目", "関係", "メモ")
NOTE_LENGTH = 300


@dataclass(frozen=True)
class MappingRow:
    competency: str
    reference: str
    relation: str
    note: str
    line: Line


def parse(content: bytes) -> tuple[list[MappingRow], list[Problem]]:
    """The rows and every problem found with its line; any problem means the file must be refused."""
    try:
        text = decode_text(content, max_bytes=MAX_BYTES)
    except TextFileError as exc:
        return [], [Problem(WHOLE_FILE, str(exc))]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [column for column in COLUMNS[:2] if column not in (reader.fieldnames or [])]
    if missing:
        return [], [
            Problem(Line(1), _("見出しの行に %(columns)s がありません。") % {"columns": "・".join(missing)})
        ]
    rows, problems = [], []
    for number, record in enumerate(reader, start=2):
        line = Line(number)
        values = {column: (record.get(column) or "").strip() for column in COLUMNS}
        relation = values["関係"] or MAPPING_TYPES[0]
        if not values["能力コード"] or not values["参照項目"]:
            problems.append(Problem(line, _("能力コードと参照項目を入れてください。")))
        if relation not in MAPPING_TYPES:
            problems.append(
                Problem(
                    line,
                    _("関係は %(allowed)s のいずれかにしてください。")
                    % {"allowed": "・".join(MAPPING_TYPES)},
                )
            )
        if len(values["メモ"]) > NOTE_LENGTH:
            problems.append(Problem(line, _("メモが長すぎます(%(max)d文字以内)。") % {"max": NOTE_LENGTH}))
        rows.append(MappingRow(values["能力コード"], values["参照項目"], relation, values["メモ"], line))
    if not rows and not problems:
        problems.append(Problem(WHOLE_FILE, _("対応付けの行が1つもありません。")))
    return rows, problems

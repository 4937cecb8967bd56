"""Reading an HR-system staff CSV: decoding and row validation, with no database access.

Japanese HR systems export UTF-8 (with or without a BOM) or CP932 (Shift_JIS). Every row is checked and
every problem is reported with its line number (``lms_site.imports``), so that a file is accepted or
rejected whole.
Columns (header names as HR systems write them; order is free, extra columns are ignored):

    職員番号, 姓, 名, 姓カナ, 名カナ, 所属コード, 役職, 職種, 採用年度, メールアドレス
"""

import codecs
import csv
import io
import re
import sys
import unicodedata
from collections.abc import Iterator
from typing import BinaryIO, NamedTuple, Protocol

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from lms_site.imports import ENCODINGS, WHOLE_FILE, Line, Problem, TextFileError

from .models import JobCategory, JobGrade

COLUMNS = {
    "employee_number": "職員番号",
    "family_name": "姓",
    "given_name": "名",
    "family_name_kana": "姓カナ",
    "given_name_kana": "名カナ",
    "department_code": "所属コード",
    "job_grade": "役職",
    "job_category": "職種",
    "hire_year": "採用年度",
    "email": "メールアドレス",
}
REQUIRED = [
    "employee_number",
    "family_name",
    "given_name",
    "department_code",
    "job_grade",
    "job_category",
    "hire_year",
]
# 64 MB: a 300,000-person file in UTF-8 is about 30 MB (the file is read row by row, never held as text).
MAX_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024  # bytes decoded at a time to find the encoding
EMPLOYEE_NUMBER = re.compile(r"^[0-9A-Za-z-]{1,20}$")
KATAKANA = re.compile(r"^[\u30A0-\u30FF\u3000 ]*$")
GRADE_BY_LABEL = {str(label): value for value, label in JobGrade.choices}
CATEGORY_BY_LABEL = {str(label): value for value, label in JobCategory.choices}


class StaffRow(NamedTuple):
    """One valid row (a named tuple: immutable, and 300,000 of them are made in a large import)."""

    line: int
    employee_number: str
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    department_code: str
    job_grade: str
    job_category: str
    hire_year: int
    email: str


def _clean(value: str | None) -> str:
    # NFKC folds half-width katakana and full-width digits, which HR exports mix freely.
    return unicodedata.normalize("NFKC", (value or "").strip())


def parse(content: bytes, *, current_year: int) -> tuple[list[StaffRow], list[Problem]]:
    """Every valid row, and every problem found; a caller must refuse the file if there is any problem.

    A file that cannot be read at all (size, encoding, header, no rows) is one problem about the whole file.
    For small files and tests: ``StaffFile`` reads a large one row by row without holding it.
    """
    staff_file = StaffFile(content, current_year=current_year)
    return list(staff_file.rows()), staff_file.problems


class StaffFile:
    """A staff CSV read row by row, in one pass, holding no more of it than one row and the employee
    numbers and addresses already seen (for the duplicate checks, as sets: a duplicate's message names
    the first line, which a second pass finds only when the file has a duplicate).

    ``problems`` collects every problem as the rows are read (complete once ``rows()`` is exhausted);
    a problem about the whole file (size, encoding, binary data, header) is found on construction, before
    any row. ``valid_number(number)`` tells, once read, whether a valid row has that employee number.
    """

    def __init__(self, content: "bytes | Source", *, current_year: int):
        self._source = BytesSource(content) if isinstance(content, bytes) else content
        self.current_year = current_year
        self.problems: list[Problem] = []
        self._numbers: set[str] = set()  # every employee number read
        self._invalid: set[str] = set()  # … whose first row had a problem
        self._emails: set[str] = set()
        self._duplicates: list[tuple[int, int, str, str]] = []  # (index in problems, line, kind, value)
        self._reader = None
        self._columns: list[int] = []
        try:
            self._encoding = _encoding(self._source)
        except TextFileError as exc:
            self.problems.append(Problem(WHOLE_FILE, str(exc)))
            return
        reader = self._open()
        try:
            header = [_clean(name) for name in next(reader, None) or []]
        except csv.Error as exc:
            self.problems.append(_format_problem(reader, exc))
            return
        missing = [COLUMNS[key] for key in REQUIRED if COLUMNS[key] not in header]
        if missing:
            self.problems.append(
                Problem(
                    WHOLE_FILE,
                    _("見出し行に必要な列がありません: %(columns)s") % {"columns": "、".join(missing)},
                )
            )
            return
        index = {name: position for position, name in enumerate(header)}  # a repeated column: the last
        self._width = len(header)
        self._named = sorted(index.values())  # the cells a blank line is judged on
        self._columns = [index.get(column, -1) for column in COLUMNS.values()]
        self._reader = reader

    def _open(self):
        return csv.reader(io.TextIOWrapper(self._source.open(), encoding=self._encoding, newline=""))

    @property
    def readable(self) -> bool:
        """False when the whole file was refused before its rows (``problems`` says why)."""
        return self._reader is not None

    def valid_number(self, number: str) -> bool:
        return number in self._numbers and number not in self._invalid

    def _records(self, reader) -> Iterator[tuple[int, dict[str, str] | None]]:
        """(line, cleaned values) of each row that is not blank; None for a row with too many cells."""
        for record in reader:
            if not record:
                continue
            cells = record[: self._width]
            if not any(cells[position].strip() for position in self._named if position < len(cells)):
                continue  # blank lines are allowed
            if len(record) > self._width:
                yield reader.line_num, None
                continue
            yield (
                reader.line_num,
                {
                    key: _clean(cells[position]) if 0 <= position < len(cells) else ""
                    for key, position in zip(COLUMNS, self._columns, strict=True)
                },
            )

    def rows(self) -> Iterator[StaffRow]:
        """Each valid row, in file order; every problem goes to ``problems``. Read once."""
        reader, self._reader = self._reader, None
        if reader is None:
            return
        yielded = False
        try:
            for line, values in self._records(reader):
                if values is None:
                    self.problems.append(Problem(Line(line), _("列が多すぎます。")))
                    continue
                row = self._row(values, line)
                if row is not None:
                    yielded = True
                    yield row
        except csv.Error as exc:
            self.problems.append(_format_problem(reader, exc))
        if self._duplicates:
            self._duplicates_name_first_lines()
        if not yielded and not self.problems:
            self.problems.append(Problem(WHOLE_FILE, _("データ行がありません。")))

    def _row(self, values: dict[str, str], line: int) -> StaffRow | None:
        problems: list[str | None] = list(_row_problems(values, current_year=self.current_year))
        number = sys.intern(values["employee_number"])  # shared with the importer's own key (services)
        email = values["email"].lower()
        duplicates = [("number", number)] if number in self._numbers else []
        if email and email in self._emails:
            duplicates.append(("email", email))
        if number not in self._numbers:
            self._numbers.add(number)
            if problems or duplicates:
                self._invalid.add(number)
        if email:
            self._emails.add(email)
        if problems or duplicates:
            self.problems.extend(Problem(Line(line), problem) for problem in problems)
            for kind, value in duplicates:  # named once the first lines are known
                self._duplicates.append((len(self.problems), line, kind, value))
                self.problems.append(Problem(Line(line), ""))
            return None
        return StaffRow(
            line=line,
            employee_number=number,
            family_name=values["family_name"],
            given_name=values["given_name"],
            family_name_kana=values["family_name_kana"],
            given_name_kana=values["given_name_kana"],
            department_code=values["department_code"],
            job_grade=GRADE_BY_LABEL[values["job_grade"]],
            job_category=CATEGORY_BY_LABEL[values["job_category"]],
            hire_year=int(values["hire_year"]),
            email=email,
        )

    def _duplicates_name_first_lines(self) -> None:
        """A second pass, for a file with duplicates only: the first line of each repeated number and
        address, into the duplicates' messages."""
        wanted = {(kind, value) for _index, _line, kind, value in self._duplicates}
        first: dict[tuple[str, str], int] = {}
        reader = self._open()
        try:
            next(reader, None)
            for line, values in self._records(reader):
                if values is None:
                    continue
                for key in (("number", values["employee_number"]), ("email", values["email"].lower())):
                    if key in wanted and key not in first:
                        first[key] = line
                if len(first) == len(wanted):
                    break
        except csv.Error:
            pass  # the first pass stopped there too: every first line is before it
        for index, line, kind, value in self._duplicates:
            message = (
                _("職員番号 %(number)s が%(first)d行目と重複しています。")
                % {"number": value, "first": first[(kind, value)]}
                if kind == "number"
                else _("メールアドレスが%(first)d行目と重複しています。") % {"first": first[(kind, value)]}
            )
            self.problems[index] = Problem(Line(line), message)


def _format_problem(reader, exc: csv.Error) -> Problem:
    return Problem(Line(reader.line_num), _("CSVの形式が正しくありません(%(detail)s)。") % {"detail": exc})


class Source(Protocol):
    """Where a file's bytes come from: their size, and a new binary stream over them each time it is
    opened (``BytesSource`` for bytes in memory; the reader never asks for more than ``CHUNK`` at once)."""

    size: int

    def open(self) -> BinaryIO: ...


class BytesSource:
    """A file already in memory (an upload, a test's bytes)."""

    def __init__(self, content: bytes):
        self.content = content
        self.size = len(content)

    def open(self) -> BinaryIO:
        return io.BytesIO(self.content)  # shares the bytes, no copy


def _encoding(source: Source) -> str:
    """The encoding ``decode_text`` would read the file in, found by decoding it in chunks without
    keeping the text; the same refusals (size, binary data, unknown encoding)."""
    if source.size > MAX_BYTES:
        raise TextFileError(_("ファイルが大きすぎます(上限 %(mb)d MB)。") % {"mb": MAX_BYTES // 1024 // 1024})
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        binary = False
        stream = source.open()
        try:
            while chunk := stream.read(CHUNK):
                binary = "\x00" in decoder.decode(chunk) or binary
            binary = "\x00" in decoder.decode(b"", final=True) or binary
        except UnicodeDecodeError:
            continue
        if binary:
            raise TextFileError(_("CSVではないファイルです(バイナリデータを含みます)。"))
        return encoding
    raise TextFileError(_("文字コードを判別できません。UTF-8 または Shift_JIS(CP932)で保存してください。"))


def _row_problems(values: dict[str, str], *, current_year: int) -> list[str]:
    problems = [_("%(column)sが空です。") % {"column": COLUMNS[key]} for key in REQUIRED if not values[key]]
    if values["employee_number"] and not EMPLOYEE_NUMBER.match(values["employee_number"]):
        problems.append(_("職員番号は半角英数字20文字以内で入力してください。"))
    problems += [
        _("%(column)sが長すぎます(50文字以内)。") % {"column": COLUMNS[key]}
        for key in ("family_name", "given_name", "family_name_kana", "given_name_kana")
        if len(values[key]) > 50
    ]
    problems += [
        _("%(column)sはカタカナで入力してください。") % {"column": COLUMNS[key]}
        for key in ("family_name_kana", "given_name_kana")
        if values[key] and not KATAKANA.match(values[key])
    ]
    if values["job_grade"] and values["job_grade"] not in GRADE_BY_LABEL:
        problems.append(
            _("役職「%(value)s」は登録されていません(%(allowed)s)。")
            % {"value": values["job_grade"], "allowed": "・".join(GRADE_BY_LABEL)}
        )
    if values["job_category"] and values["job_category"] not in CATEGORY_BY_LABEL:
        problems.append(
            _("職種「%(value)s」は登録されていません(%(allowed)s)。")
            % {"value": values["job_category"], "allowed": "・".join(CATEGORY_BY_LABEL)}
        )
    if values["hire_year"]:
        # isdigit() alone accepts digits int() refuses (𐩀) and numbers too long for int() to read.
        if not (values["hire_year"].isascii() and values["hire_year"].isdigit()):
            problems.append(_("採用年度は西暦の数字で入力してください。"))
        elif len(values["hire_year"]) > 4 or not 1940 <= int(values["hire_year"]) <= current_year + 1:
            problems.append(
                _("採用年度 %(year)s が範囲外です(1940〜%(max)d)。")
                % {"year": values["hire_year"], "max": current_year + 1}
            )
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            problems.append(_("メールアドレスの形式が正しくありません。"))
    return problems

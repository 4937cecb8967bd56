"""Reading an HR-system staff CSV: decoding and row validation, with no database access.

Japanese HR systems export UTF-8 (with or without a BOM) or CP932 (Shift_JIS). Every row is checked and
every problem is reported with its line number (``lms_site.imports``), so that a file is accepted or
rejected whole.
Columns (header names as HR systems write them; order is free, extra columns are ignored):

    職員番号, 姓, 名, 姓カナ, 名カナ, 所属コード, 役職, 職種, 採用年度, メールアドレス
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from lms_site.imports import WHOLE_FILE, Line, Problem, TextFileError, decode_text

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
MAX_BYTES = 20 * 1024 * 1024
EMPLOYEE_NUMBER = re.compile(r"^[0-9A-Za-z-]{1,20}$")
KATAKANA = re.compile(r"^[\u30A0-\u30FF\u3000 ]*$")
GRADE_BY_LABEL = {str(label): value for value, label in JobGrade.choices}
CATEGORY_BY_LABEL = {str(label): value for value, label in JobCategory.choices}


@dataclass(frozen=True)
class StaffRow:
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
    """
    try:
        text = decode_text(content, max_bytes=MAX_BYTES)
    except TextFileError as exc:
        return [], [Problem(WHOLE_FILE, str(exc))]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [_clean(name) for name in (reader.fieldnames or [])]
    missing = [COLUMNS[key] for key in REQUIRED if COLUMNS[key] not in header]
    if missing:
        return [], [
            Problem(
                WHOLE_FILE, _("見出し行に必要な列がありません: %(columns)s") % {"columns": "、".join(missing)}
            )
        ]
    reader.fieldnames = header

    rows: list[StaffRow] = []
    errors: list[Problem] = []
    seen_numbers: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if not any((value or "").strip() for value in record.values() if isinstance(value, str)):
                continue  # blank lines are allowed
            if None in record:
                errors.append(Problem(Line(line), _("列が多すぎます。")))
                continue
            values = {key: _clean(record.get(column)) for key, column in COLUMNS.items()}
            problems = _row_problems(values, current_year=current_year)
            number = values["employee_number"]
            if number in seen_numbers:
                problems.append(
                    _("職員番号 %(number)s が%(first)d行目と重複しています。")
                    % {"number": number, "first": seen_numbers[number]}
                )
            email = values["email"].lower()
            if email and email in seen_emails:
                problems.append(
                    _("メールアドレスが%(first)d行目と重複しています。") % {"first": seen_emails[email]}
                )
            seen_numbers.setdefault(number, line)
            if email:
                seen_emails.setdefault(email, line)
            if problems:
                errors.extend(Problem(Line(line), problem) for problem in problems)
                continue
            rows.append(
                StaffRow(
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
            )
    except csv.Error as exc:
        errors.append(
            Problem(Line(reader.line_num), _("CSVの形式が正しくありません(%(detail)s)。") % {"detail": exc})
        )
    if not rows and not errors:
        errors.append(Problem(WHOLE_FILE, _("データ行がありません。")))
    return rows, errors


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

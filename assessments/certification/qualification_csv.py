"""The default qualification map file (``fixtures/certification/qualifications.csv``), parsed. Pure.

Columns ``コード,資格,実施団体,能力項目,レベル`` (others, such as ``根拠``, are ignored); one row per
qualification × competency. The file is validated whole: every problem is reported with its line, and a
file with any problem yields nothing. Whether the competency codes exist is for the caller to check
against the framework. Messages are for the developers who maintain the fixture, hence English.
"""

import csv
import io
import re
from dataclasses import dataclass, field

COLUMNS = ("コード", "資格", "実施団体", "能力項目", "レベル")
CODE = re.compile(r"^[A-Z0-9_]{1,30}$")


@dataclass(frozen=True)
class QualificationData:
    code: str
    name: str
    issuer: str
    levels: tuple[tuple[str, int], ...] = field(default=())


class QualificationFileError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def parse(content: bytes) -> list[QualificationData]:
    """The qualifications in file order, each with its (competency code, level) rows; or raise."""
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise QualificationFileError([f"missing columns: {', '.join(missing)}"])
    problems: list[str] = []
    found: dict[str, tuple[str, str, dict[str, int]]] = {}
    for line, row in enumerate(reader, start=2):
        code, name, issuer, competency, level = (str(row[c] or "").strip() for c in COLUMNS)
        if not CODE.match(code):
            problems.append(f"line {line}: code {code!r} must be 1-30 of A-Z, 0-9, _")
        if not name or len(name) > 100 or len(issuer) > 100:
            problems.append(f"line {line}: name is required (at most 100 characters, issuer too)")
        if not level.isdigit() or not 1 <= int(level) <= 5:
            problems.append(f"line {line}: level {level!r} must be 1 to 5")
            continue
        known_name, known_issuer, levels = found.setdefault(code, (name, issuer, {}))
        if (known_name, known_issuer) != (name, issuer):
            problems.append(f"line {line}: {code} is named differently on an earlier line")
        if not competency:
            problems.append(f"line {line}: competency code is required")
        elif competency in levels:
            problems.append(f"line {line}: {code} maps {competency} twice")
        else:
            levels[competency] = int(level)
    if problems:
        raise QualificationFileError(problems)
    return [
        QualificationData(code=code, name=name, issuer=issuer, levels=tuple(levels.items()))
        for code, (name, issuer, levels) in found.items()
    ]

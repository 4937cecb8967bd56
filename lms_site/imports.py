"""Whole-file imports: the shapes every importer shares. No database access, no project imports.

README's promise is that a file with any problem changes nothing, and that every problem is reported with
its line. Every importer (staff, departments, competency frameworks in CSV and CASE, framework mappings,
questions) keeps it the same way:

* a parser returns what it read and a list of ``Problem``: *where* (a ``Line`` of a text file, a
  ``JsonPath`` into a JSON document, text already naming a place, or ``WHOLE_FILE``) and *what*;
* the service adds the problems only the database can see; with any problem it writes nothing and returns
  ``ImportOutcome.refused(problems)``; else it writes every row in one transaction and returns the counts;
* ``decode_text`` reads an uploaded text file the way Japanese office software writes them.

The pure parsers of question files (``assessments.formats``) and of the qualification map keep their own
line-numbered errors: they run without Django, so they cannot import this package; ``assessments.bank``
turns theirs into ``Problem`` at the boundary.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

__all__ = [
    "WHOLE_FILE",
    "ImportOutcome",
    "JsonPath",
    "Line",
    "Problem",
    "TextFileError",
    "decode_text",
    "json_path",
]

WHOLE_FILE = ""
ENCODINGS = ("utf-8-sig", "cp932")


@dataclass(frozen=True)
class Line:
    """A line of a text file, 1-based. ``label`` names it (a %-format with ``line``, already translated);
    by default ``3行目`` (English: ``Line 3``)."""

    number: int
    label: str = ""

    def __str__(self) -> str:
        return (self.label or _("%(line)d行目")) % {"line": self.number}


@dataclass(frozen=True)
class JsonPath:
    """A place in a JSON document, as its keys and list indexes: ``JsonPath(("CFItems", 3, "uri"))``."""

    parts: tuple[str | int, ...]

    def __str__(self) -> str:
        return json_path(self.parts)


def json_path(parts: Iterable[str | int]) -> str:
    """``CFItems[3].fullStatement``: a list index in brackets; a key after a dot when it is an identifier
    by Python's rule (str.isidentifier(), so ``日本語`` too: letters, digits and underscores, no digit first),
    else quoted as a JSON string in brackets (``extensions["a.b"]``, ``extensions["\\n"]``, ``[""]``), so that
    a key with a dot, a bracket or a line break cannot make the path ambiguous or break it over lines."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.isidentifier():
            path += f".{part}" if path else part
        else:
            path += f"[{_quoted(part)}]"
    return path


def _quoted(key: str) -> str:
    """``key`` as a JSON string on one line: what can be printed as it is (日本語 stays readable), any other
    character (line breaks, U+2028, control and format characters) as a ``\\uXXXX`` escape."""
    text = json.dumps(key, ensure_ascii=False)
    return "".join(c if c.isprintable() else json.dumps(c)[1:-1] for c in text)


Where = Line | JsonPath | str


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, and where: ``3行目: 姓が空です。``, ``CFItems[3].uri: …``, or
    only the message when it is about the file as a whole (``where`` is ``WHOLE_FILE``)."""

    where: Where
    message: str

    def __str__(self) -> str:
        where = str(self.where)
        return f"{where}: {self.message}" if where else self.message

    @property
    def line(self) -> int:
        """The line number, to put problems in file order (0: not a line, before every line)."""
        return self.where.number if isinstance(self.where, Line) else 0


@dataclass
class ImportOutcome:
    """What an import did, or why it did nothing: any problem means nothing was written.

    Counts are of what the import is about (people, departments, questions, frameworks); ``warnings`` are
    things read but dropped, ``notices`` what the person who imported should know.
    """

    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    retired: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @classmethod
    def refused(cls, problems: Iterable[Problem | str], **kwargs) -> ImportOutcome:
        """An outcome that wrote nothing; a plain message is about the whole file."""
        listed = [p if isinstance(p, Problem) else Problem(WHOLE_FILE, p) for p in problems]
        if not listed:
            raise ValueError("an import is refused for at least one problem")
        return cls(problems=listed, **kwargs)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def errors(self) -> list[str]:
        """The problems as the person who imported reads them, one line each."""
        return [str(problem) for problem in self.problems]

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "moved": self.moved,
            "unchanged": self.unchanged,
            "retired": self.retired,
        }


class TextFileError(Exception):
    """The file as a whole cannot be read as text; the message says why."""


def decode_text(content: bytes, *, max_bytes: int) -> str:
    """UTF-8 (a BOM is dropped) or CP932/Shift_JIS, which HR systems and Excel export; anything else, a
    file over ``max_bytes``, or binary data is refused with a message saying which."""
    if len(content) > max_bytes:
        raise TextFileError(_("ファイルが大きすぎます(上限 %(mb)d MB)。") % {"mb": max_bytes // 1024 // 1024})
    for encoding in ENCODINGS:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise TextFileError(_("CSVではないファイルです(バイナリデータを含みます)。"))
        return text
    raise TextFileError(_("文字コードを判別できません。UTF-8 または Shift_JIS(CP932)で保存してください。"))

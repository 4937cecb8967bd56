"""What both formats share: results and errors, category paths, ids, numbers and default names.

Ids: Moodle files carry no ids for choices, items or matching sides, so importers derive them from the
text (the first 8 hex digits of its SHA-256; a repeated text gets "-2", "-3"...). They are stable across
re-imports of the same text and, unlike positions, tell a learner nothing about which option is right.

Category paths: ``$course$/top/A1/Unit 1`` becomes ``["A1", "Unit 1"]`` (a leading ``$context$`` and a
following ``top`` are dropped; ``//`` is a literal ``/`` in a name, as in Moodle). They are written back
as ``$course$/top/...``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from dx_assessment.grading import Question


class RenderError(ValueError):
    """A question cannot be written in the requested format (e.g. an ordering question in GIFT)."""


@dataclass(frozen=True)
class FormatError:
    """A problem found while importing, with the 1-based line it was found on (0 if unknown)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class ImportedQuestion:
    """A question read from a file, with its category path, display name and first line."""

    question: Question
    category: list[str]
    name: str
    line: int


@dataclass
class ParseResult:
    """Everything read from one file. Reject the whole file if ``errors`` is not empty.

    ``warnings`` list information that was read but dropped (e.g. numeric units).
    """

    questions: list[ImportedQuestion] = field(default_factory=list)
    errors: list[FormatError] = field(default_factory=list)
    warnings: list[FormatError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the file imported without any error."""
        return not self.errors


def derive_ids(texts: Iterable[str]) -> list[str]:
    """Stable ids for ``texts`` (see the module docstring)."""
    ids: list[str] = []
    seen: set[str] = set()
    for text in texts:
        base = hashlib.sha256(text.encode()).hexdigest()[:8]
        candidate, count = base, 1
        while candidate in seen:
            count += 1
            candidate = f"{base}-{count}"
        seen.add(candidate)
        ids.append(candidate)
    return ids


def parse_category(path: str) -> list[str]:
    """Split a Moodle category path into names (see the module docstring)."""
    names, current, i = [], [], 0
    while i < len(path):
        if path.startswith("//", i):
            current.append("/")
            i += 2
        elif path[i] == "/":
            names.append("".join(current).strip())
            current = []
            i += 1
        else:
            current.append(path[i])
            i += 1
    names.append("".join(current).strip())
    names = [name for name in names if name]
    if names and re.fullmatch(r"\$\w+\$", names[0]):
        names = names[1:]
    if names and names[0] == "top":
        names = names[1:]
    return names


def render_category(names: list[str]) -> str:
    """Write category names as a Moodle path under ``$course$/top``."""
    return "/".join(["$course$", "top", *(name.replace("/", "//") for name in names)])


def format_number(value: float) -> str:
    """The shortest text that reads back as exactly ``value`` ("5" rather than "5.0")."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def format_percent(fraction: float) -> str:
    """``fraction`` as a percentage text that ``parse_percent`` reads back as exactly ``fraction``."""
    text = f"{(Decimal(repr(fraction)) * 100).normalize():f}"
    return "0" if text == "-0" else text


def parse_percent(text: str) -> float:
    """A percentage text ("33.33333", "-50", "100") as a fraction, rounded once (exact decimal shift)."""
    return float(Decimal(text.strip()) / 100)


def default_name(question: Question) -> str:
    """The question's name, or the first 50 characters of its text without markup."""
    if question.name:
        return question.name
    text = " ".join(re.sub(r"<[^>]*>", " ", question.text).split())
    return text[:50].strip() or question.TYPE


def with_categories(
    questions: Iterable[Question | ImportedQuestion],
) -> Iterator[tuple[list[str] | None, Question]]:
    """Yield (category to switch to or None, question); bare questions belong to the top category."""
    current: list[str] = []
    for entry in questions:
        if isinstance(entry, ImportedQuestion):
            category, question = list(entry.category), entry.question
        else:
            category, question = [], entry
        if not isinstance(question, Question):
            raise TypeError(f"expected a question, got {type(question).__name__}")
        yield (category if category != current else None), question
        current = category

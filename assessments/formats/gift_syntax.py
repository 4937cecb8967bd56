"""GIFT lexical rules: escapes, format markers, question blocks and answer segments.

- Escapes ``\\~ \\= \\# \\{ \\} \\: \\\\`` stand for the character itself and ``\\n`` for a line break.
  Before parsing they are replaced by Unicode noncharacters (U+FDD0...), which cannot clash with text
  (a file containing noncharacters is rejected), and restored when a text is taken out.
- A text may start with a format marker ``[html]``, ``[markdown]``, ``[plain]`` or ``[moodle]``
  (Moodle's auto-format, imported as plain). An unknown ``[...]`` is part of the text.
- Questions are separated by blank lines. Lines starting with ``//`` (after spaces) are comments; a line
  starting with ``$CATEGORY:`` is a category switch wherever it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dx_assessment.grading import TextFormat

_ESCAPABLE = "\\~=#{}:n"
_TO_PLACEHOLDER = {char: chr(0xFDD0 + index) for index, char in enumerate(_ESCAPABLE)}
_FROM_PLACEHOLDER = str.maketrans(
    {chr(0xFDD0 + index): ("\n" if char == "n" else char) for index, char in enumerate(_ESCAPABLE)}
)
_ESCAPE_RE = re.compile(r"\\([\\~=#{}:n])")
NONCHARACTERS = re.compile("[\ufdd0-\ufdef]")

FORMAT_MARKERS: dict[str, TextFormat] = {
    "html": "html",
    "markdown": "markdown",
    "plain": "plain",
    "moodle": "plain",
}
_MARKER_RE = re.compile(r"\[(html|markdown|plain|moodle)\]")


def protect(text: str) -> str:
    """Replace escape sequences by placeholders."""
    return _ESCAPE_RE.sub(lambda match: _TO_PLACEHOLDER[match.group(1)], text)


def unescape(text: str) -> str:
    """Turn placeholders back into the characters they stand for."""
    return text.translate(_FROM_PLACEHOLDER)


def escape(text: str) -> str:
    """Escape ``text`` for writing in GIFT (the inverse of ``unescape(protect(...))``)."""
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def split_format(text: str) -> tuple[TextFormat | None, str]:
    """Return (format, rest) if ``text`` (leading spaces ignored) starts with a known marker."""
    stripped = text.lstrip()
    match = _MARKER_RE.match(stripped)
    if match is None:
        return None, text
    return FORMAT_MARKERS[match.group(1)], stripped[match.end() :]


def starts_with_marker(text: str) -> bool:
    """Whether ``text`` would be read as starting with a format marker."""
    return _MARKER_RE.match(text) is not None


def clean(text: str) -> str:
    """An answer or feedback text: format marker dropped, escapes restored, trimmed."""
    return unescape(split_format(text)[1]).strip()


@dataclass(frozen=True)
class Block:
    """The protected text of one question (or category) with the number of its first line."""

    line: int
    text: str

    def line_at(self, offset: int) -> int:
        """The file line of ``offset`` in ``text``."""
        return self.line + self.text.count("\n", 0, max(0, offset))


def split_blocks(source: str) -> list[Block]:
    """Cut a GIFT file into blocks; comment lines inside a block are kept as empty lines."""
    blocks: list[Block] = []
    current: list[str] = []
    first = 0

    def flush() -> None:
        while current and not current[-1].strip():
            current.pop()
        if current:
            blocks.append(Block(first, "\n".join(current)))
        current.clear()

    for number, line in enumerate(source.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            if current:
                current.append("")
        elif stripped.startswith("$CATEGORY:"):
            flush()
            blocks.append(Block(number, stripped))
        elif not stripped:
            flush()
        else:
            if not current:
                first = number
            current.append(line)
    flush()
    return blocks


@dataclass(frozen=True)
class Segment:
    """One answer inside braces: its marker (``=``, ``~`` or "" before any marker) and content."""

    marker: str
    content: str
    offset: int


def split_segments(body: str, offset: int, markers: str) -> list[Segment]:
    """Cut the answer block ``body`` (starting at ``offset``) at every marker character."""
    segments: list[Segment] = []
    start, marker = 0, ""
    for index, char in enumerate(body):
        if char in markers:
            segments.append(Segment(marker, body[start:index], offset + start))
            start, marker = index + 1, char
    segments.append(Segment(marker, body[start:], offset + start))
    if not segments[0].marker and not segments[0].content.strip():
        segments.pop(0)
    return segments

"""Moodle question import and export (GIFT and Moodle XML), in pure Python.

Imports only the standard library, ``defusedxml`` and ``dx_assessment.grading`` (shipped in the XBlock
distribution) - never Django or the rest of the project - so it also runs in the benchmarks.

``parse_gift`` / ``parse_moodle_xml`` return a ``ParseResult`` with every question read and *every*
problem found (``FormatError`` with a line); the caller rejects the file if ``errors`` is not empty.
``render_gift`` / ``render_moodle_xml`` write questions back; ``RenderError`` if a question cannot be.
"""

from .common import FormatError, ImportedQuestion, ParseResult, RenderError, derive_ids
from .gift import parse_gift, render_gift
from .moodlexml import parse_moodle_xml, render_moodle_xml

__all__ = [
    "FormatError",
    "ImportedQuestion",
    "ParseResult",
    "RenderError",
    "derive_ids",
    "parse_gift",
    "parse_moodle_xml",
    "render_gift",
    "render_moodle_xml",
]

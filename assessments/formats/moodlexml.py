"""Moodle XML: ``parse_moodle_xml`` and ``render_moodle_xml``.

``parse_moodle_xml(data)`` reads a ``<quiz>`` document with ``defusedxml``: any DTD (and so any entity
declaration, billion-laughs expansion or external entity) is refused with a ``FormatError`` before it
is expanded or fetched. Every ``<question>`` is read; problems are collected in ``ParseResult.errors``
as ``question[5] (multichoice "A1-L1-03"): no answer with fraction 100`` with the line of the element
(``question[k]`` counts every ``<question>`` child of ``<quiz>``, categories included, from 1, like
XPath). Reject the whole file if there is any error.

Read from every question: ``<name>``, ``<questiontext format="html|moodle_auto_format|plain_text|
markdown">`` (auto-format and plain text become "plain"), ``<generalfeedback>`` (the explanation) and
``<defaultgrade>`` (the weight, default 1). ``<question type="category">`` switches the category of the
following questions. Types: see ``moodlexml_read``; others (essay, description, cloze, calculated...)
are errors. Embedded ``<file>`` s, hints, penalties, combined feedback, ``<hidden>`` and ``<idnumber>``
are not imported.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser
from dx_assessment.grading import DefinitionError, Question, TextFormat

from .common import FormatError, ImportedQuestion, ParseResult, default_name, parse_category
from .moodlexml_read import READERS, Context, number, text_of
from .moodlexml_render import render_moodle_xml

__all__ = ["parse_moodle_xml", "render_moodle_xml"]

TEXT_FORMATS: dict[str, TextFormat] = {
    "html": "html",
    "moodle_auto_format": "plain",
    "plain_text": "plain",
    "markdown": "markdown",
}


class _LineTracker:
    """A tree builder target that remembers the line each element starts on."""

    def __init__(self) -> None:
        self.builder = ET.TreeBuilder()
        self.lines: dict[int, int] = {}
        self.expat: Any = None

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = self.builder.start(tag, attrs)
        self.lines[id(element)] = getattr(self.expat, "CurrentLineNumber", 0)
        return element

    def end(self, tag: str) -> ET.Element:
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> ET.Element:
        return self.builder.close()


def _load(data: bytes) -> tuple[ET.Element | None, dict[int, int], FormatError | None]:
    tracker = _LineTracker()
    parser = DefusedXMLParser(target=tracker, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    tracker.expat = getattr(parser, "parser", None)
    try:
        parser.feed(data)
        return parser.close(), tracker.lines, None
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as exc:
        line = getattr(tracker.expat, "CurrentLineNumber", 0)
        message = "DTDs and entity declarations are not allowed (entities are never expanded or fetched)"
        return None, {}, FormatError(line, f"{message}: {type(exc).__name__}")
    except DefusedXmlException as exc:
        return None, {}, FormatError(getattr(tracker.expat, "CurrentLineNumber", 0), f"refused XML: {exc}")
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 0
        return None, {}, FormatError(line, f"not well-formed XML: {exc}")
    except ValueError as exc:  # expat reads no multi-byte encoding but UTF-8/16 ("Shift_JIS" declared)
        return None, {}, FormatError(1, f"unsupported XML encoding, save the file as UTF-8: {exc}")


def parse_moodle_xml(data: bytes) -> ParseResult:
    """Read a Moodle XML file (see the module docstring); never raises for bad content."""
    if not isinstance(data, bytes | bytearray):
        raise TypeError(f"parse_moodle_xml expects bytes, got {type(data).__name__}")
    result = ParseResult()
    root, lines, failure = _load(bytes(data))
    if failure is not None or root is None:
        result.errors.append(failure or FormatError(0, "empty document"))
        return result
    if root.tag != "quiz":
        result.errors.append(
            FormatError(lines.get(id(root), 1), f"the root element is <{root.tag}>, not <quiz>")
        )
        return result
    category: list[str] = []
    index = 0
    for element in root:
        if element.tag != "question":
            result.errors.append(
                FormatError(lines.get(id(element), 0), f"unexpected element <{element.tag}>")
            )
            continue
        index += 1
        qtype = element.get("type", "")
        if qtype == "category":
            category = parse_category(text_of(element.find("category")))
            continue
        name = text_of(element.find("name"))
        where = f'question[{index}] ({qtype} "{name}")' if name else f"question[{index}] ({qtype})"
        line = lines.get(id(element), 0)
        context = Context(where, line, lines, result.errors, result.warnings)
        question = _read(element, qtype, name, context)
        if question is not None:
            result.questions.append(ImportedQuestion(question, list(category), default_name(question), line))
    return result


def _read(element: ET.Element, qtype: str, name: str, context: Context) -> Question | None:
    reader = READERS.get(qtype)
    if reader is None:
        context.error(f'unsupported question type "{qtype}"')
        return None
    before = len(context.errors)
    questiontext = element.find("questiontext")
    if questiontext is None or not text_of(questiontext):
        context.error("missing or empty <questiontext>", questiontext)
    raw_format = questiontext.get("format", "moodle_auto_format") if questiontext is not None else "html"
    if raw_format not in TEXT_FORMATS:
        context.error(f'unknown text format "{raw_format}"', questiontext)
    grade = element.findtext("defaultgrade")
    weight = number(grade, "<defaultgrade>", context, element.find("defaultgrade")) if grade else 1.0
    if weight < 0:
        context.error(f"negative <defaultgrade> {weight:g}", element.find("defaultgrade"))
    if element.find(".//file") is not None:
        context.warn("embedded files (<file>) are not imported", element.find(".//file"))
    try:
        kind, fields = reader(element, context)
        if len(context.errors) > before:
            return None
        return kind(
            text=text_of(questiontext),
            text_format=TEXT_FORMATS[raw_format],
            explanation=text_of(element.find("generalfeedback")),
            weight=weight,
            name=name or None,
            **fields,
        )
    except DefinitionError as exc:
        if len(context.errors) == before:
            context.error(str(exc))
        return None

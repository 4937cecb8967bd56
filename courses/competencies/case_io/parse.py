"""Reading a CFPackage back into a framework's data, reporting every problem with its JSON path."""

import json
import math
import re
import uuid
from collections import defaultdict

from django.utils.translation import gettext as _

from lms_site.imports import WHOLE_FILE, Problem

from ..framework_data import (
    AreaData,
    CompetencyData,
    FrameworkData,
    LevelData,
    MappingData,
    check,
)
from .schema import schema_problems, uuid_message
from .vocabulary import AREA_TYPE, COMPETENCY_TYPE, MAPPING_TYPES, TYPE_ALIASES

MAX_BYTES = 5 * 1024 * 1024
NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")  # not after an escaped backslash


def parse(content: bytes) -> tuple[FrameworkData | None, list[Problem]]:
    """The framework in the package and every problem found; any problem means it must be refused."""
    package, problem = _load(content)
    if problem is not None:
        return None, [problem]
    problems = schema_problems(package)
    found: list[Problem] = []
    data = _Reader(package, found).framework()
    if data is not None:
        found += check(data)
    # Where the schema has already said what is wrong, a second message about the same place adds nothing.
    reported = {problem.where for problem in problems}
    problems += [problem for problem in dict.fromkeys(found) if problem.where not in reported]
    return data, problems


def is_own_package(content: bytes) -> bool:
    """Whether the package is shaped like this platform's export (every item typed 領域 or 能力), so that
    it is read by ``parse``; any other package is a reference framework's (``parse_reference``). A file
    that is not a package at all counts as ours: ``parse`` then says what is wrong with it."""
    package, problem = _load(content)
    items = package.get("CFItems") if problem is None else None
    if not isinstance(items, list) or not items:
        return True
    return all(
        isinstance(item, dict)
        and isinstance(item.get("CFItemType"), str)
        and item["CFItemType"].strip().casefold() in TYPE_ALIASES
        for item in items
    )


def _load(content: bytes) -> tuple[dict, Problem | None]:
    if len(content) > MAX_BYTES:
        return {}, Problem(
            WHOLE_FILE, _("ファイルが大きすぎます(上限 %(mb)d MB)。") % {"mb": MAX_BYTES // 1024 // 1024}
        )
    try:
        text = content.decode("utf-8-sig")
        package = json.loads(text)
    except UnicodeDecodeError:
        return {}, Problem(WHOLE_FILE, _("UTF-8 で保存したJSONファイルにしてください。"))
    except json.JSONDecodeError as exc:
        return {}, Problem(
            WHOLE_FILE,
            _("JSONとして読めません(%(line)d行目 %(column)d文字目: %(detail)s)。")
            % {"line": exc.lineno, "column": exc.colno, "detail": exc.msg},
        )
    except (ValueError, RecursionError) as exc:  # a number of thousands of digits, or arrays nested deep
        return {}, Problem(
            WHOLE_FILE,
            _("JSONとして読めません(%(line)d行目 %(column)d文字目: %(detail)s)。")
            % {"line": 1, "column": 1, "detail": str(exc)[:80]},
        )
    if nul := NUL_ESCAPE.search(text):  # PostgreSQL stores no NUL in text: refused here, with where it is
        at = nul.end() - len("\\u0000")
        return {}, Problem(
            WHOLE_FILE,
            _("JSONとして読めません(%(line)d行目 %(column)d文字目: %(detail)s)。")
            % {
                "line": text.count("\n", 0, at) + 1,
                "column": at - text.rfind("\n", 0, at),
                "detail": "\\u0000",
            },
        )
    if not isinstance(package, dict):
        return {}, Problem(WHOLE_FILE, _("CFPackage(JSONのオブジェクト)になっていません。"))
    return package, None


def _objects(parent: dict, key: str, prefix: str = "") -> list[tuple[str, dict]]:
    values = parent.get(key)
    if not isinstance(values, list):
        return []
    base = f"{prefix}.{key}" if prefix else key
    return [(f"{base}[{index}]", value) for index, value in enumerate(values) if isinstance(value, dict)]


def _text(values: dict, key: str) -> str:
    value = values.get(key)
    return value if isinstance(value, str) else ""


class _Identifiers:
    """The identifier checks both readers share: a UUID (in the canonical spelling where ``canonical``), each
    registered one only once; problems go to ``self.problems``."""

    canonical = True
    # Our own export's schema already names a missing identifier; a foreign package's check does not.
    report_missing = False

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.first_seen: dict[uuid.UUID, str] = {}

    def report(self, message: str, where: str) -> None:
        self.problems.append(Problem(where, message))

    def identifier(self, value: object, where: str, *, register: bool = True) -> uuid.UUID | None:
        parsed = None
        if isinstance(value, str):
            try:
                parsed = uuid.UUID(value)
            except ValueError:
                parsed = None
            if parsed is not None and self.canonical and str(parsed) != value.lower():
                parsed = None
        elif not self.report_missing:
            return None
        if parsed is None:
            self.report(uuid_message(), where)
            return None
        if register:
            if parsed in self.first_seen:
                self.report(
                    _("識別子 %(id)s が重複しています(%(first)s)。")
                    % {"id": value, "first": self.first_seen[parsed]},
                    where,
                )
                return None
            self.first_seen[parsed] = where
        return parsed


class _Reader(_Identifiers):
    """One pass over a package; problems are appended to the list it was given."""

    def __init__(self, package: dict, problems: list[Problem]) -> None:
        super().__init__()
        self.package = package
        self.problems = problems
        self.document_id: uuid.UUID | None = None
        self.mappings: list[MappingData] = []

    def framework(self) -> FrameworkData | None:
        document = self.package.get("CFDocument")
        if not isinstance(document, dict):
            return None
        self.document_id = self.identifier(document.get("identifier"), "CFDocument.identifier")
        extensions = document.get("extensions") if isinstance(document.get("extensions"), dict) else {}
        items = self.items()
        parents = self.parents(items)
        areas, competencies = self.areas_and_competencies(items, parents)
        return FrameworkData(
            title=_text(document, "title"),
            version=_text(document, "version"),
            title_en=_text(extensions, "titleEn"),
            source=_text(document, "notes"),
            description=_text(document, "description"),
            levels=tuple(self.levels(extensions)),
            areas=tuple(areas),
            competencies=tuple(competencies),
            identifier=self.document_id,
            mappings=tuple(self.mappings),
            where={
                "": "CFDocument",
                "title": "CFDocument.title",
                "title_en": "CFDocument.extensions.titleEn",
                "version": "CFDocument.version",
                "levels": "CFRubrics",
            },
        )

    def check_document_link(self, values: dict, path: str) -> None:
        link = values.get("CFDocumentURI")
        if isinstance(link, dict) and self.document_id and link.get("identifier") != str(self.document_id):
            self.report(_("CFDocument の識別子と一致しません。"), f"{path}.CFDocumentURI.identifier")

    def items(self) -> dict[uuid.UUID, tuple[str | None, str, dict]]:
        """identifier → (kind, path, item); kind is None when CFItemType is not one we know."""
        items = {}
        for path, item in _objects(self.package, "CFItems"):
            identifier = self.identifier(item.get("identifier"), f"{path}.identifier")
            value = item.get("CFItemType")
            kind = TYPE_ALIASES.get(value.strip().casefold()) if isinstance(value, str) else None
            if kind is None:
                self.report(
                    _("CFItemType は「領域」か「能力」にしてください(「%(value)s」は使えません)。")
                    % {"value": value if isinstance(value, str) else ""},
                    f"{path}.CFItemType",
                )
            self.check_document_link(item, path)
            if identifier is not None:
                items[identifier] = (kind, path, item)
        return items

    def parents(self, items) -> dict[uuid.UUID, list[tuple[uuid.UUID, int | None]]]:
        """item identifier → [(parent identifier, sequenceNumber)] from the isChildOf associations."""
        parents = defaultdict(list)
        for path, association in _objects(self.package, "CFAssociations"):
            self.identifier(association.get("identifier"), f"{path}.identifier")
            self.check_document_link(association, path)
            if association.get("associationType") in MAPPING_TYPES:
                self.mapping(association, path, items)
                continue
            origin = self.node(association, "originNodeURI", path, set(items))
            destination = self.node(association, "destinationNodeURI", path, {*items, self.document_id})
            if association.get("associationType") == "isChildOf" and origin and destination:
                sequence = association.get("sequenceNumber")
                parents[origin].append((destination, sequence if isinstance(sequence, int) else None))
        return parents

    def mapping(self, association: dict, path: str, items) -> None:
        """A mapping from one of the package's competencies to a reference framework's item (elsewhere)."""
        origin = self.node(association, "originNodeURI", path, set(items))
        link = association.get("destinationNodeURI")
        if origin is None or not isinstance(link, dict):
            return
        kind, _path, item = items[origin]
        if kind != COMPETENCY_TYPE:
            self.report(_("対応付けの元は能力項目にしてください。"), f"{path}.originNodeURI.identifier")
            return
        where = f"{path}.destinationNodeURI.identifier"
        reference = self.identifier(link.get("identifier"), where, register=False)
        if reference is None:
            return
        self.mappings.append(
            MappingData(
                competency_code=_text(item, "humanCodingScheme"),
                reference=reference,
                relation=association["associationType"],
                reference_title=_text(link, "title"),
                reference_uri=_text(link, "uri"),
                identifier=self.identifier(
                    association.get("identifier"), f"{path}.identifier", register=False
                ),
                where={"": path, "reference": where},
            )
        )

    def node(self, association: dict, end: str, path: str, targets: set) -> uuid.UUID | None:
        """The identifier an association's end points at, if it is one of ``targets``."""
        link = association.get(end)
        if not isinstance(link, dict):
            return None
        where = f"{path}.{end}.identifier"
        identifier = self.identifier(link.get("identifier"), where, register=False)
        if identifier is not None and identifier not in targets:
            message = (
                _("%(id)s に当たる CFItem がありません。")
                if end == "originNodeURI"
                else _("%(id)s に当たる CFItem も CFDocument もありません。")
            )
            self.report(message % {"id": identifier}, where)
            return None
        return identifier

    def areas_and_competencies(self, items, parents) -> tuple[list[AreaData], list[CompetencyData]]:
        areas, competencies = [], []
        for identifier, (kind, path, item) in items.items():
            if kind is None:
                continue
            links = parents.get(identifier, [])
            parent, sequence = links[0] if len(links) == 1 else (None, None)
            where = {
                "": path,
                "code": f"{path}.humanCodingScheme",
                "name": f"{path}.fullStatement",
                "name_en": f"{path}.alternativeLabel",
                "source_mapping": f"{path}.extensions.sourceMapping",
            }
            common = {
                "code": _text(item, "humanCodingScheme"),
                "name": _text(item, "fullStatement"),
                "name_en": _text(item, "alternativeLabel"),
                "identifier": identifier,
                "where": where,
            }
            if kind == AREA_TYPE:
                if len(links) != 1 or parent != self.document_id:
                    self.report(_("領域は CFDocument の子(isChildOf)として1回だけ関連付けてください。"), path)
                common["sort_order"] = sequence if sequence is not None else len(areas) + 1
                areas.append(AreaData(**common))
                continue
            parent_item = items.get(parent) if parent else None
            if len(links) != 1 or parent_item is None or parent_item[0] != AREA_TYPE:
                self.report(
                    _("能力項目はちょうど1つの領域の子(isChildOf)にしてください(いまは%(count)d件)。")
                    % {"count": len(links)},
                    path,
                )
            extensions = item.get("extensions") if isinstance(item.get("extensions"), dict) else {}
            competencies.append(
                CompetencyData(
                    area_code=_text(parent_item[2], "humanCodingScheme") if parent_item else "",
                    description=_text(item, "notes"),
                    description_en=_text(extensions, "descriptionEn"),
                    source_mapping=_text(extensions, "sourceMapping"),
                    is_core=extensions.get("isCore") is True,
                    sort_order=sequence if sequence is not None else len(competencies) + 1,
                    **common,
                )
            )
        return areas, competencies

    def levels(self, extensions: dict) -> list[LevelData]:
        rubrics = _objects(self.package, "CFRubrics")
        if len(rubrics) != 1:
            self.report(_("習熟度のルーブリック(CFRubric)を1つだけ入れてください。"), "CFRubrics")
        criteria = [c for path, rubric in rubrics[:1] for c in _objects(rubric, "CFRubricCriteria", path)]
        for path, rubric in rubrics[:1]:
            self.identifier(rubric.get("identifier"), f"{path}.identifier")
            if len(criteria) != 1:
                self.report(
                    _("ルーブリックの観点(CFRubricCriterion)は1つにしてください。"),
                    f"{path}.CFRubricCriteria",
                )
        english = self.english_levels(extensions)
        levels = []
        for path, criterion in criteria[:1]:
            self.identifier(criterion.get("identifier"), f"{path}.identifier")
            for level_path, level in _objects(criterion, "CFRubricCriterionLevels", path):
                identifier = self.identifier(level.get("identifier"), f"{level_path}.identifier")
                score = level.get("score")
                whole = (
                    isinstance(score, int | float)
                    and not isinstance(score, bool)
                    and math.isfinite(score)
                    and score == int(score)
                )
                name_en, descriptor_en, _where = english.pop(identifier, ("", "", ""))
                levels.append(
                    LevelData(
                        level=int(score) if whole else 0,
                        name=_text(level, "quality"),
                        descriptor=_text(level, "description"),
                        name_en=name_en,
                        descriptor_en=descriptor_en,
                        identifier=identifier,
                        where={
                            "": level_path,
                            "level": f"{level_path}.score",
                            "name": f"{level_path}.quality",
                            "descriptor": f"{level_path}.description",
                        },
                    )
                )
        for _name_en, _descriptor_en, where in english.values():
            self.report(_("対応する習熟度レベル(CFRubricCriterionLevel)がありません。"), where)
        return levels

    def english_levels(self, extensions: dict) -> dict:
        """level identifier → (nameEn, descriptorEn, path) from ``CFDocument.extensions.levels``."""
        english = {}
        for path, level in _objects(extensions, "levels", "CFDocument.extensions"):
            where = f"{path}.identifier"
            identifier = self.identifier(level.get("identifier"), where, register=False)
            if identifier is not None:
                english[identifier] = (_text(level, "nameEn"), _text(level, "descriptorEn"), where)
        return english

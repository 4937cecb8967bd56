"""Reading any CASE 1.0 CFPackage as a reference framework: the hierarchy comes from its ``isChildOf``.

A package published by others has its own item types (Standard, Cluster, Domain, none at all) and its own
depth; our framework has two steps, areas and competencies. Which items become which is the importer's
choice (``Hierarchy``), with defaults that suit most frameworks (ADR 0021):

* by default the items ``area_depth`` steps under the CFDocument (1: directly under it) that have children
  are areas, and every leaf (an item with no children) is a competency of the nearest area above it;
* ``area_types`` / ``competency_types`` choose by ``CFItemType`` instead (without regard to case).

Items that are neither (steps between an area and a competency, or above the areas) are flattened: they are
not rows, and their statements are kept in the competency's description as its path. A competency with no
area above it belongs to an area named after the document. Codes are the items' ``humanCodingScheme`` when
every one fits our codes (≤ 10 of ``0-9A-Za-z._-``, unique), otherwise numbered (A01…, C001…) with the
original kept as the competency's 対応する標準. Names longer than ours are shortened with "…"; the full
statement is the description. Identifiers and URIs are kept, so mappings to the items survive an export.

A rubric criterion with exactly five levels becomes the proficiency levels (in order of score, else
position); otherwise the platform's five levels are used. No database access here.

A reference framework served by this platform's CASE API (``build``) reads back to the same rows: when every
item carries ``extensions.sortOrder`` (as ours do), that is the items' order instead of the tree's, so the
display order and any numbered codes come out as they were; the levels' English names are taken from
``CFDocument.extensions.levels`` when present.
"""

import math
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..framework_data import (
    CODE,
    MAX_LENGTH,
    AreaData,
    CompetencyData,
    FrameworkData,
    LevelData,
    Problem,
    check,
)
from .parse import _Identifiers, _load, _objects, _text
from .schema import schema_problems
from .vocabulary import derived_identifier

MAX_ITEMS = 10_000
LEVEL_COUNT = 5
# Stored data (the description of a flattened competency), in the platform's language: not translated.
PATH_LABEL = "上位の項目: "
ORPHANS = "ALL"
SORT_ORDER_MAX = 32767  # the model's PositiveSmallIntegerField


@dataclass(frozen=True)
class Hierarchy:
    """Which items of a foreign package become areas and which competencies."""

    area_depth: int = 1
    area_types: frozenset[str] = frozenset()
    competency_types: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *, area_depth: int = 1, area_types=(), competency_types=()) -> "Hierarchy":
        def names(values) -> frozenset[str]:
            return frozenset(value.strip().casefold() for value in values if value.strip())

        return cls(area_depth, names(area_types), names(competency_types))


def parse_reference(
    content: bytes, *, hierarchy: Hierarchy, default_levels: tuple[LevelData, ...]
) -> tuple[FrameworkData | None, list[Problem], list[str]]:
    """The framework in the package, every problem found (any means refuse), and notices for the importer."""
    package, problem = _load(content)
    if problem is not None:
        return None, [problem], []
    problems = schema_problems(package, extensions=False)
    if problems:
        return None, problems, []
    tree = _Tree(package)
    data = tree.framework(hierarchy, default_levels)
    problems = tree.problems
    if data is not None and not problems:
        problems = check(data)
    return data, problems, tree.notices


def _position(level: dict) -> float:
    position = level.get("position")
    return position if isinstance(position, int) and not isinstance(position, bool) else math.inf


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Tree(_Identifiers):
    canonical = False
    report_missing = True

    def __init__(self, package: dict) -> None:
        super().__init__()
        self.package = package
        self.notices: list[str] = []
        self.level_ids: dict[str, uuid.UUID | None] = {}
        self.renumbered = False

    def framework(self, hierarchy: Hierarchy, default_levels: tuple[LevelData, ...]) -> FrameworkData | None:
        document = self.package["CFDocument"]
        document_id = self.identifier(document["identifier"], "CFDocument.identifier")
        items = {}
        for path, item in _objects(self.package, "CFItems"):
            identifier = self.identifier(item.get("identifier"), f"{path}.identifier")
            if identifier is not None:
                items[identifier] = (path, item)
        if len(items) > MAX_ITEMS:
            self.report(_("項目が多すぎます(上限 %(max)d 件)。") % {"max": MAX_ITEMS}, "CFItems")
            return None
        parent_of, children = self.hierarchy(items, document_id)
        levels = self.levels(default_levels)
        if self.problems or document_id is None:
            return None
        depth = self.depths(items, parent_of, document_id)
        if depth is None:
            return None
        order = self.served_order(items) or self.preorder(document_id, children)
        areas, competencies = self.rows(items, parent_of, children, depth, order, hierarchy, document_id)
        if self.problems:
            return None
        return FrameworkData(
            title=_shorten(_text(document, "title"), MAX_LENGTH["framework.title"]),
            version=_shorten(
                _text(document, "version") or _text(document, "lastChangeDateTime")[:10],
                MAX_LENGTH["framework.version"],
            ),
            source=self.source(document),
            description=_text(document, "description"),
            levels=levels,
            areas=tuple(areas),
            competencies=tuple(competencies),
            is_reference=True,
            identifier=document_id,
            where={"": "CFDocument", "title": "CFDocument.title", "version": "CFDocument.version"},
        )

    def hierarchy(self, items: dict, document_id: uuid.UUID | None):
        """child → (parent, path), parent → [(sequence, position, child)], from the isChildOf associations."""
        known = {*items, document_id}
        parent_of: dict[uuid.UUID, tuple[uuid.UUID, str]] = {}
        children: dict[uuid.UUID, list] = defaultdict(list)
        other = second_parents = 0
        for position, (path, association) in enumerate(_objects(self.package, "CFAssociations")):
            self.identifier(association.get("identifier"), f"{path}.identifier")
            ends = {}
            for end in ("originNodeURI", "destinationNodeURI"):
                link = association.get(end)
                value = link.get("identifier") if isinstance(link, dict) else None
                ends[end] = self.identifier(value, f"{path}.{end}.identifier", register=False)
            origin, destination = ends["originNodeURI"], ends["destinationNodeURI"]
            if None in (origin, destination):
                continue
            if association.get("associationType") != "isChildOf":
                if origin not in known and destination not in known:
                    self.report(
                        _("関連(CFAssociation)の両端とも、このパッケージの項目ではありません。"),
                        f"{path}.originNodeURI.identifier",
                    )
                other += 1
                continue
            if origin not in items:
                self.report(
                    _("%(id)s に当たる CFItem がありません。") % {"id": origin},
                    f"{path}.originNodeURI.identifier",
                )
                continue
            if destination not in known:
                self.report(
                    _("%(id)s に当たる CFItem も CFDocument もありません。") % {"id": destination},
                    f"{path}.destinationNodeURI.identifier",
                )
                continue
            if origin in parent_of:
                second_parents += 1
                continue
            parent_of[origin] = (destination, path)
            sequence = association.get("sequenceNumber")
            sequence = sequence if isinstance(sequence, int) and not isinstance(sequence, bool) else math.inf
            children[destination].append((sequence, position, origin))
        orphans = [identifier for identifier in items if identifier not in parent_of]
        for identifier in orphans:
            children[document_id].append((math.inf, math.inf, identifier))
        if other:
            self.notices.append(
                _("階層(isChildOf)以外の関連 %(count)d 件は取り込んでいません。") % {"count": other}
            )
        if second_parents:
            self.notices.append(
                _("2つ目以降の親(isChildOf)%(count)d 件は使わず、最初の親の下に置きました。")
                % {"count": second_parents}
            )
        if orphans:
            self.notices.append(
                _("親のない項目 %(count)d 件は、文書の直下に置きました。") % {"count": len(orphans)}
            )
        return parent_of, children

    def depths(self, items: dict, parent_of: dict, document_id: uuid.UUID) -> dict | None:
        """How many steps each item is under the document; None (and a problem) if isChildOf has a cycle."""
        depth = {document_id: 0}
        for start in items:
            chain: list[uuid.UUID] = []
            node = start
            while node not in depth:
                if node in chain:
                    cycle = [*chain[chain.index(node) :], node]
                    names = " → ".join(_text(items[n][1], "humanCodingScheme") or str(n) for n in cycle)
                    self.report(
                        _("isChildOf の関連が循環しています(%(cycle)s)。") % {"cycle": names},
                        parent_of[node][1],
                    )
                    return None
                chain.append(node)
                node = parent_of[node][0] if node in parent_of else document_id
            for offset, identifier in enumerate(reversed(chain), start=1):
                depth[identifier] = depth[node] + offset
        return depth

    def preorder(self, document_id: uuid.UUID, children: dict) -> dict[uuid.UUID, int]:
        """Each item's place when the tree is read top to bottom, siblings in sequenceNumber order."""
        order: dict[uuid.UUID, int] = {}
        stack = [document_id]
        while stack:
            node = stack.pop()
            order.setdefault(node, len(order))
            stack.extend(child for *_key, child in sorted(children.get(node, []), reverse=True))
        return order

    def served_order(self, items: dict) -> dict[uuid.UUID, int] | None:
        """Each item's display order as this platform served it, or None unless every item has one."""
        order = {}
        for identifier, (_path, item) in items.items():
            extensions = item.get("extensions")
            value = extensions.get("sortOrder") if isinstance(extensions, dict) else None
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= SORT_ORDER_MAX:
                return None
            order[identifier] = value
        return order

    def rows(self, items, parent_of, children, depth, order, hierarchy: Hierarchy, document_id: uuid.UUID):
        def kind(identifier) -> str:
            return _text(items[identifier][1], "CFItemType").strip().casefold()

        in_order = sorted(items, key=order.__getitem__)
        self.check_types(items, hierarchy)
        if hierarchy.area_types:
            area_ids = [i for i in in_order if kind(i) in hierarchy.area_types]
        else:
            area_ids = [i for i in in_order if depth[i] == hierarchy.area_depth and children.get(i)]
        areas_set = set(area_ids)
        if hierarchy.competency_types:
            competency_ids = [
                i for i in in_order if kind(i) in hierarchy.competency_types and i not in areas_set
            ]
        else:
            competency_ids = [i for i in in_order if not children.get(i) and i not in areas_set]
        area_of, paths = {}, {}
        for identifier in competency_ids:
            steps, node = [], parent_of.get(identifier, (None, ""))[0]
            while node in items and node not in areas_set:
                steps.append(_shorten(_text(items[node][1], "fullStatement"), 80))
                node = parent_of.get(node, (None, ""))[0]
            area_of[identifier] = node if node in areas_set else None
            paths[identifier] = " > ".join(reversed(steps))
        orphan_area = None in area_of.values()
        area_codes = self.codes([*([None] if orphan_area else []), *area_ids], items, "A")
        competency_codes = self.codes(competency_ids, items, "C")
        areas = []
        if orphan_area:
            areas.append(
                AreaData(
                    code=area_codes[None],
                    name=_shorten(_text(self.package["CFDocument"], "title"), MAX_LENGTH["area.name"]),
                    sort_order=0,
                    identifier=derived_identifier(document_id, "area"),
                    where={"": "CFDocument", "name": "CFDocument.title"},
                )
            )
        for identifier in area_ids:
            path, item = items[identifier]
            areas.append(
                AreaData(
                    code=area_codes[identifier],
                    name=_shorten(_text(item, "fullStatement"), MAX_LENGTH["area.name"]),
                    sort_order=order[identifier],
                    identifier=identifier,
                    where={"": path, "code": f"{path}.humanCodingScheme", "name": f"{path}.fullStatement"},
                )
            )
        competencies = [
            self.competency(
                identifier, items, area_codes[area_of[identifier]], competency_codes, paths, order
            )
            for identifier in competency_ids
        ]
        return areas, competencies

    def competency(self, identifier, items, area_code, codes, paths, order) -> CompetencyData:
        path, item = items[identifier]
        statement = _text(item, "fullStatement")
        label = _text(item, "abbreviatedStatement") or statement
        notes = _text(item, "notes")
        description = "\n\n".join(
            part for part in (statement, notes, paths[identifier] and PATH_LABEL + paths[identifier]) if part
        )
        uri = _text(item, "uri")
        return CompetencyData(
            code=codes[identifier],
            area_code=area_code,
            name=_shorten(label, MAX_LENGTH["competency.name"]),
            description=description,
            source_mapping=_shorten(
                _text(item, "humanCodingScheme"), MAX_LENGTH["competency.source_mapping"]
            ),
            sort_order=order[identifier],
            uri=uri if len(uri) <= MAX_LENGTH["competency.uri"] else "",
            identifier=identifier,
            where={"": path, "name": f"{path}.fullStatement", "code": f"{path}.humanCodingScheme"},
        )

    def check_types(self, items: dict, hierarchy: Hierarchy) -> None:
        present = {_text(item, "CFItemType").strip() for _path, item in items.values()} - {""}
        folded = {name.casefold() for name in present}
        for option, chosen in (
            ("area_types", hierarchy.area_types),
            ("competency_types", hierarchy.competency_types),
        ):
            missing = sorted(chosen - folded)
            if missing:
                self.report(
                    _("CFItemType「%(missing)s」の項目がありません(このパッケージにあるのは %(present)s)。")
                    % {"missing": "・".join(missing), "present": "・".join(sorted(present)) or _("なし")},
                    f"CFItems ({option})",
                )

    def codes(self, identifiers: list, items: dict, prefix: str) -> dict:
        """The items' own codes if every one fits ours and they are unique, else numbered codes."""
        own = [
            ORPHANS if identifier is None else _text(items[identifier][1], "humanCodingScheme").strip()
            for identifier in identifiers
        ]
        fits = all(CODE.match(code) and len(code) <= MAX_LENGTH["area.code"] for code in own)
        if fits and len(set(own)) == len(own):
            return dict(zip(identifiers, own, strict=True))
        if identifiers and not self.renumbered:
            self.renumbered = True
            self.notices.append(
                _(
                    "項目のコード(humanCodingScheme)の一部がこのプラットフォームのコードに合わないため、"
                    "領域を A01…、能力項目を C01… と番号にしました"
                    "(元のコードは「対応する標準」に残しています)。"
                )
            )
        width = max(2, len(str(len(identifiers))))
        return {identifier: f"{prefix}{n:0{width}d}" for n, identifier in enumerate(identifiers, start=1)}

    def levels(self, default_levels: tuple[LevelData, ...]) -> tuple[LevelData, ...]:
        criteria = []
        for path, rubric in _objects(self.package, "CFRubrics"):
            self.identifier(rubric.get("identifier"), f"{path}.identifier")
            for criterion_path, criterion in _objects(rubric, "CFRubricCriteria", path):
                self.identifier(criterion.get("identifier"), f"{criterion_path}.identifier")
                levels = _objects(criterion, "CFRubricCriterionLevels", criterion_path)
                for level_path, level in levels:
                    self.level_ids[level_path] = self.identifier(
                        level.get("identifier"), f"{level_path}.identifier"
                    )
                criteria.append((_text(rubric, "title"), levels))
        fitting = [(title, levels) for title, levels in criteria if len(levels) == LEVEL_COUNT]
        if not fitting:
            self.notices.append(
                _("ルーブリックがないため、プラットフォームの5段階の習熟度を使います。")
                if not criteria
                else _("ルーブリックが5段階でないため、プラットフォームの5段階の習熟度を使います。")
            )
            return default_levels
        title, levels = fitting[0]
        scores = [level.get("score") for _path, level in levels]
        numeric = all(isinstance(s, int | float) and not isinstance(s, bool) for s in scores)
        if numeric and len(set(scores)) == LEVEL_COUNT:
            levels = sorted(levels, key=lambda pair: pair[1]["score"])
        else:
            levels = sorted(levels, key=lambda pair: _position(pair[1]))
        self.notices.append(
            _("ルーブリック「%(title)s」の5段階を習熟度レベルにしました。") % {"title": title}
        )
        english = self.english_levels()
        return tuple(
            LevelData(
                level=number,
                name=_shorten(_text(level, "quality") or f"Lv{number}", MAX_LENGTH["level.name"]),
                descriptor=_text(level, "description") or _text(level, "quality") or f"Lv{number}",
                name_en=_shorten(
                    _text(english.get(self.level_ids[path], {}), "nameEn"), MAX_LENGTH["level.name_en"]
                ),
                descriptor_en=_text(english.get(self.level_ids[path], {}), "descriptorEn"),
                identifier=self.level_ids[path],
                where={"": path, "name": f"{path}.quality", "descriptor": f"{path}.description"},
            )
            for number, (path, level) in enumerate(levels, start=1)
        )

    def english_levels(self) -> dict[uuid.UUID, dict]:
        """Level identifier → its English names, from ``CFDocument.extensions.levels`` (our export's)."""
        extensions = self.package["CFDocument"].get("extensions")
        levels = extensions.get("levels") if isinstance(extensions, dict) else None
        found = {}
        for level in levels if isinstance(levels, list) else []:
            try:
                found[uuid.UUID(str(level.get("identifier")))] = level
            except (AttributeError, ValueError):
                continue
        return found

    def source(self, document: dict) -> str:
        license_link = document.get("licenseURI")
        license_title = _text(license_link, "title") if isinstance(license_link, dict) else ""
        parts = [
            _text(document, "creator"),
            _text(document, "publisher"),
            _text(document, "officialSourceURL"),
            license_title,
        ]
        return " / ".join(part for part in parts if part)

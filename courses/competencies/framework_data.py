"""A framework as plain data, and the rules every import must satisfy, whatever the file format.

``csv_io`` and ``case_io`` parse into these dataclasses and render from them; ``services`` turns them into
rows. No ORM here: the lengths below mirror the model fields (a test keeps them in step).

Each record carries ``where``, the places in the source file its fields came from (``{"": Line(3)}`` for
a CSV row; ``{"": "CFItems[3]", "code": "CFItems[3].humanCodingScheme", ...}`` for CASE), so that a
problem found here is reported at the line or JSON path that holds it. ``where`` takes no part in
equality.
"""

import dataclasses
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from lms_site.imports import Line, Problem

from .scale import LEVELS

CODE = re.compile(r"^[0-9A-Za-z._-]+$")
MAX_LENGTH = {
    "framework.title": 200,
    "framework.title_en": 200,
    "framework.version": 20,
    "area.code": 10,
    "area.name": 100,
    "area.name_en": 100,
    "competency.code": 10,
    "competency.name": 200,
    "competency.name_en": 200,
    "competency.source_mapping": 300,
    "competency.uri": 500,
    "level.name": 50,
    "level.name_en": 50,
}
LABELS = {
    "title": "名称",
    "title_en": "英語名称",
    "version": "版",
    "code": "コード",
    "name": "名称",
    "name_en": "英語名称",
    "source_mapping": "対応する標準",
    "descriptor": "到達の目安",
}
Where = dict[str, Line | str]


def locate(where: Where, name: str = "") -> Line | str:
    return where.get(name) or where.get("", "")


@dataclass(frozen=True)
class LevelData:
    level: int
    name: str
    descriptor: str
    name_en: str = ""
    descriptor_en: str = ""
    identifier: uuid.UUID | None = None
    where: Where = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class AreaData:
    code: str
    name: str
    name_en: str = ""
    sort_order: int = 0
    identifier: uuid.UUID | None = None
    where: Where = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class CompetencyData:
    code: str
    area_code: str
    name: str
    name_en: str = ""
    description: str = ""
    description_en: str = ""
    source_mapping: str = ""
    is_core: bool = False
    sort_order: int = 0
    uri: str = ""
    identifier: uuid.UUID | None = None
    where: Where = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class MappingData:
    """One of the framework's competencies mapped to a reference framework's item (a CASE association)."""

    competency_code: str
    reference: uuid.UUID
    relation: str
    reference_title: str = ""
    reference_uri: str = ""
    identifier: uuid.UUID | None = None
    where: Where = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class FrameworkData:
    title: str
    version: str
    title_en: str = ""
    source: str = ""
    description: str = ""
    levels: tuple[LevelData, ...] = ()
    areas: tuple[AreaData, ...] = ()
    competencies: tuple[CompetencyData, ...] = ()
    is_reference: bool = False
    identifier: uuid.UUID | None = None
    where: Where = field(default_factory=dict, compare=False, repr=False)
    # Mappings annotate a version rather than being part of it: two versions are compared without them.
    mappings: tuple[MappingData, ...] = field(default=(), compare=False, repr=False)

    def without_identifiers(self) -> "FrameworkData":
        """The content alone, in a canonical order: what two versions are compared on."""

        def strip(records: Iterable, key) -> tuple:
            return tuple(dataclasses.replace(r, identifier=None) for r in sorted(records, key=key))

        return dataclasses.replace(
            self,
            identifier=None,
            levels=strip(self.levels, lambda r: r.level),
            areas=strip(self.areas, lambda r: (r.sort_order, r.code)),
            competencies=strip(self.competencies, lambda r: (r.sort_order, r.code)),
        )

    def identifiers(self) -> list[uuid.UUID]:
        records = [self, *self.levels, *self.areas, *self.competencies]
        return [r.identifier for r in records if r.identifier is not None]

    def competencies_by_area(self) -> list[tuple[AreaData, list[CompetencyData]]]:
        """Areas in display order, each with its competencies in display order."""
        ordered = sorted(self.competencies, key=lambda c: (c.sort_order, c.code))
        return [
            (area, [c for c in ordered if c.area_code == area.code])
            for area in sorted(self.areas, key=lambda a: (a.sort_order, a.code))
        ]


def check(data: FrameworkData) -> list[Problem]:
    """Problems with the content itself: lengths, codes, uniqueness, areas referred to, the 5 levels."""
    problems = _text_problems(
        "framework", data.where, {"title": data.title, "title_en": data.title_en, "version": data.version}
    )
    problems += _level_problems(data)
    problems += _code_problems("area", data.areas)
    problems += _code_problems("competency", data.competencies)
    for area in data.areas:
        problems += _text_problems("area", area.where, {"name": area.name, "name_en": area.name_en})
    area_codes = {area.code for area in data.areas}
    for competency in data.competencies:
        problems += _text_problems(
            "competency",
            competency.where,
            {
                "name": competency.name,
                "name_en": competency.name_en,
                "source_mapping": competency.source_mapping,
            },
        )
        if competency.area_code and competency.area_code not in area_codes:
            problems.append(
                Problem(
                    locate(competency.where, "area_code"),
                    _("領域コード %(code)s の領域がありません。") % {"code": competency.area_code},
                )
            )
    if not data.areas:
        problems.append(Problem(locate(data.where), _("領域が1つもありません。")))
    if not data.competencies:
        problems.append(Problem(locate(data.where), _("能力項目が1つもありません。")))
    return problems


REQUIRED = {"title", "version", "code", "name", "descriptor"}


def _text_problems(kind: str, where: Where, values: dict[str, str]) -> list[Problem]:
    problems = []
    for name, value in values.items():
        label = LABELS[name]
        if name in REQUIRED and not value:
            problems.append(Problem(locate(where, name), _("%(field)sが空です。") % {"field": label}))
        limit = MAX_LENGTH.get(f"{kind}.{name}")
        if limit and len(value) > limit:
            problems.append(
                Problem(
                    locate(where, name),
                    _("%(field)sが長すぎます(%(max)d文字以内)。") % {"field": label, "max": limit},
                )
            )
    return problems


def _code_problems(kind: str, records: Iterable[AreaData | CompetencyData]) -> list[Problem]:
    problems = []
    first: dict[str, Line | str] = {}
    limit = MAX_LENGTH[f"{kind}.code"]
    for record in records:
        where = locate(record.where, "code")
        if not record.code:
            problems.append(Problem(where, _("コードが空です。")))
            continue
        if not CODE.match(record.code):
            problems.append(Problem(where, _("コードは半角英数字で入力してください。")))
        if len(record.code) > limit:
            problems.append(Problem(where, _("コードが長すぎます(%(max)d文字以内)。") % {"max": limit}))
        if record.code in first:
            problems.append(
                Problem(
                    where,
                    _("コード %(code)s が重複しています(%(first)s)。")
                    % {"code": record.code, "first": first[record.code]},
                )
            )
        first.setdefault(record.code, locate(record.where))
    return problems


def _level_problems(data: FrameworkData) -> list[Problem]:
    problems = []
    seen: dict[int, Line | str] = {}
    for level in data.levels:
        where = locate(level.where, "level")
        if level.level not in LEVELS:
            problems.append(Problem(where, _("レベルは1〜5の整数にしてください。")))
        elif level.level in seen:
            problems.append(
                Problem(
                    where,
                    _("レベル %(level)d が重複しています(%(first)s)。")
                    % {"level": level.level, "first": seen[level.level]},
                )
            )
        seen.setdefault(level.level, locate(level.where))
        problems += _text_problems(
            "level",
            level.where,
            {"name": level.name, "name_en": level.name_en, "descriptor": level.descriptor},
        )
    missing = [str(number) for number in LEVELS if number not in seen]
    if missing:
        problems.append(
            Problem(
                locate(data.where, "levels"),
                _("習熟度レベル %(missing)s がありません(1〜5がすべて必要です)。")
                % {"missing": "・".join(missing)},
            )
        )
    return problems

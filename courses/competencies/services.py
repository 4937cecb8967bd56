"""Writes to the competency framework: imports (CSV, CASE), new versions, the current version; and exports.

A framework version, once registered, is never rewritten by an import: importing a file whose title and
version are already registered changes nothing when its content is the same (so a re-run is harmless) and
is refused when it differs (a changed framework is a new version). Every import is validated whole first
and written in one transaction.
"""

import dataclasses
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lms_site.imports import ImportOutcome, Problem

from . import case_io, csv_io, mapping_csv, selectors
from .case_io.vocabulary import PLATFORM_LEVELS
from .framework_data import MAX_LENGTH, FrameworkData, LevelData, MappingData, locate
from .models import (
    Competency,
    CompetencyArea,
    CompetencyFramework,
    CompetencyMapping,
    ProficiencyLevel,
)

ROW_MODELS = (CompetencyFramework, ProficiencyLevel, CompetencyArea, Competency)


@dataclass
class FrameworkImportOutcome(ImportOutcome):
    """An ``ImportOutcome`` that also names the framework (``created`` or ``unchanged``: one) and what it
    holds."""

    framework: CompetencyFramework | None = None
    made_current: bool = False
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for the person who imported: what happened, and anything they should know."""
        if not self.ok or self.framework is None:
            return _("%(count)d件の問題があったため、何も取り込んでいません。") % {"count": len(self.errors)}
        if self.created:
            message = _(
                "「%(framework)s」を登録しました"
                "(領域 %(areas)d、能力項目 %(competencies)d、習熟度レベル %(levels)d)。"
            ) % {"framework": self.framework, **self.counts}
        else:
            message = _("「%(framework)s」は同じ内容で登録済みのため、何も変更していません。") % {
                "framework": self.framework
            }
        return " ".join([message, *self.notices])


def framework_import_csv(*, content: bytes, make_current: bool = False) -> FrameworkImportOutcome:
    """Import a framework from the project's CSV format (see ``csv_io``); all or nothing."""
    data, problems = csv_io.parse(content)
    return _framework_import(data, problems, make_current=make_current)


def framework_import_case(
    *,
    content: bytes,
    make_current: bool = False,
    reference: bool | None = None,
    hierarchy: case_io.Hierarchy | None = None,
) -> FrameworkImportOutcome:
    """Import a framework from a CASE 1.0 CFPackage (see ``case_io``), keeping its identifiers if free.

    A package shaped like our export (items typed 領域 and 能力) is one of our versions, mappings included;
    any other conformant package is a *reference* framework (``reference`` forces either reading), its
    areas and competencies chosen by ``hierarchy`` (ADR 0021). A reference framework is never current.
    """
    if reference is None:
        reference = not case_io.is_own_package(content)
    if not reference:
        data, problems = case_io.parse(content)
        return _framework_import(data, problems, make_current=make_current)
    if make_current:
        return FrameworkImportOutcome.refused([_("参照フレームワークは現行版にできません。")])
    data, problems, notices = case_io.parse_reference(
        content, hierarchy=hierarchy or case_io.Hierarchy(), default_levels=_platform_levels()
    )
    outcome = _framework_import(data, problems, make_current=False)
    if outcome.ok:
        outcome.notices = [_("参照フレームワークとして取り込みました。"), *notices, *outcome.notices]
    return outcome


def _platform_levels() -> tuple[LevelData, ...]:
    """The platform's five levels, for a framework that brings none: the current version's, else the default
    framework's."""
    current = selectors.framework_current()
    if current is None:
        return tuple(
            LevelData(level=n, name=name, name_en=name_en, descriptor=descriptor, descriptor_en=descriptor_en)
            for n, (name, name_en, descriptor, descriptor_en) in enumerate(PLATFORM_LEVELS, start=1)
        )
    levels = selectors.framework_data(framework=current).levels
    return tuple(dataclasses.replace(level, identifier=None) for level in levels)


class _Refused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems


def _framework_import(
    data: FrameworkData | None, problems: list[Problem], *, make_current: bool
) -> FrameworkImportOutcome:
    if problems or data is None:
        return FrameworkImportOutcome.refused(problems)
    try:
        return _framework_import_atomic(data, make_current=make_current)
    except _Refused as refused:
        return FrameworkImportOutcome.refused(refused.problems)


def _framework_import_atomic(data: FrameworkData, *, make_current: bool) -> FrameworkImportOutcome:
    try:
        with transaction.atomic():
            existing = (
                CompetencyFramework.objects.select_for_update()
                .filter(title=data.title, version=data.version)
                .first()
            )
            if existing is None:
                outcome = _framework_create_from_import(data)
            elif _same_content(existing, data):
                outcome = FrameworkImportOutcome(framework=existing, unchanged=1)
            else:
                return FrameworkImportOutcome.refused(
                    [
                        _(
                            "「%(title)s」版 %(version)s は登録済みで、内容が異なります。"
                            "登録済みの版は書き換えません。版を変えて取り込んでください。"
                        )
                        % {"title": data.title, "version": data.version}
                    ]
                )
            if data.mappings:
                added = _mappings_import(outcome.framework, data.mappings)
                if added:
                    outcome.notices.append(_("対応付けを %(count)d 件登録しました。") % {"count": added})
            if make_current and not outcome.framework.is_current:
                framework_set_current(framework=outcome.framework)
                outcome.made_current = True
                outcome.notices.append(_("この版を現行版にしました。"))
            return outcome
    except IntegrityError:
        # Another import of the same version (or identifiers) committed first: ours is rolled back whole.
        return FrameworkImportOutcome.refused(
            [_("ほかの取込と同時に実行されたため、取り込めませんでした。もう一度取り込んでください。")]
        )


def _mappings_import(framework: CompetencyFramework, mappings: tuple[MappingData, ...]) -> int:
    """Register the package's mappings that are not yet registered; refuse all if any item is unknown."""
    references = {
        competency.identifier: competency
        for competency in Competency.objects.filter(
            identifier__in={mapping.reference for mapping in mappings}, framework__is_reference=True
        )
    }
    unknown = [mapping for mapping in mappings if mapping.reference not in references]
    if unknown:
        raise _Refused(
            [
                (
                    Problem(
                        locate(mapping.where, "reference"),
                        _(
                            "対応付け先 %(id)s(%(title)s)は、"
                            "登録済みの参照フレームワークの項目ではありません。"
                            "先に参照フレームワークを取り込んでください。"
                        )
                        % {"id": mapping.reference, "title": mapping.reference_title},
                    )
                )
                for mapping in unknown
            ]
        )
    ours = {competency.code: competency for competency in Competency.objects.filter(framework=framework)}
    registered = set(
        CompetencyMapping.objects.filter(competency__framework=framework).values_list(
            "competency_id", "reference_id"
        )
    )
    taken = set(
        CompetencyMapping.objects.filter(
            identifier__in=[mapping.identifier for mapping in mappings if mapping.identifier]
        ).values_list("identifier", flat=True)
    )
    new = {}
    for mapping in mappings:
        competency, reference = ours[mapping.competency_code], references[mapping.reference]
        if (competency.pk, reference.pk) in registered or (competency.pk, reference.pk) in new:
            continue
        keep = mapping.identifier and mapping.identifier not in taken
        new[(competency.pk, reference.pk)] = CompetencyMapping(
            competency=competency,
            reference=reference,
            relation=mapping.relation,
            **({"identifier": mapping.identifier} if keep else {}),
        )
    CompetencyMapping.objects.bulk_create(new.values())
    return len(new)


def _same_content(framework: CompetencyFramework, data: FrameworkData) -> bool:
    registered = selectors.framework_data(framework=framework)
    return registered.without_identifiers() == data.without_identifiers()


def _framework_create_from_import(data: FrameworkData) -> FrameworkImportOutcome:
    taken = _identifiers_taken(data)
    framework = _framework_create(data, keep_identifiers=not taken)
    counts = {"areas": len(data.areas), "competencies": len(data.competencies), "levels": len(data.levels)}
    outcome = FrameworkImportOutcome(framework=framework, created=1, counts=counts)
    if taken:
        outcome.notices.append(
            _(
                "ファイルの識別子(UUID)の一部がすでに登録済みの版で使われているため、新しい識別子を付けました。"
            )
        )
    return outcome


def _identifiers_taken(data: FrameworkData) -> bool:
    identifiers = data.identifiers()
    return bool(identifiers) and any(
        model.objects.filter(identifier__in=identifiers).exists() for model in ROW_MODELS
    )


def _framework_create(data: FrameworkData, *, keep_identifiers: bool) -> CompetencyFramework:
    """Write a validated framework's rows (callers hold the transaction)."""

    def identifier(record) -> dict:
        return {"identifier": record.identifier} if keep_identifiers and record.identifier else {}

    framework = CompetencyFramework.objects.create(
        title=data.title,
        title_en=data.title_en,
        version=data.version,
        source=data.source,
        description=data.description,
        is_reference=data.is_reference,
        **identifier(data),
    )
    ProficiencyLevel.objects.bulk_create(
        ProficiencyLevel(
            framework=framework,
            level=level.level,
            name=level.name,
            name_en=level.name_en,
            descriptor=level.descriptor,
            descriptor_en=level.descriptor_en,
            **identifier(level),
        )
        for level in data.levels
    )
    CompetencyArea.objects.bulk_create(
        CompetencyArea(
            framework=framework,
            code=area.code,
            name=area.name,
            name_en=area.name_en,
            sort_order=area.sort_order,
            **identifier(area),
        )
        for area in data.areas
    )
    areas = {area.code: area for area in CompetencyArea.objects.filter(framework=framework)}
    Competency.objects.bulk_create(
        Competency(
            framework=framework,
            area=areas[competency.area_code],
            code=competency.code,
            name=competency.name,
            name_en=competency.name_en,
            description=competency.description,
            description_en=competency.description_en,
            source_mapping=competency.source_mapping,
            is_core=competency.is_core,
            sort_order=competency.sort_order,
            uri=competency.uri,
            **identifier(competency),
        )
        for competency in data.competencies
    )
    return framework


@transaction.atomic
def framework_new_version(*, framework: CompetencyFramework, version: str) -> CompetencyFramework:
    """A copy of ``framework`` as ``version``, with new identifiers; the original is left as it is.

    The new version is not current until ``framework_set_current`` makes it so.
    """
    version = version.strip()
    limit = MAX_LENGTH["framework.version"]
    if not version:
        raise ValidationError({"version": _("版を入力してください。")})
    if len(version) > limit:
        raise ValidationError({"version": _("版が長すぎます(%(max)d文字以内)。") % {"max": limit}})
    if CompetencyFramework.objects.filter(title=framework.title, version=version).exists():
        raise ValidationError(
            {
                "version": _("「%(title)s」版 %(version)s はすでにあります。")
                % {"title": framework.title, "version": version}
            }
        )
    data = dataclasses.replace(selectors.framework_data(framework=framework), version=version)
    created = _framework_create(data, keep_identifiers=False)
    # The new version's competencies are mapped as the old version's were (same codes).
    copies = {competency.code: competency for competency in Competency.objects.filter(framework=created)}
    CompetencyMapping.objects.bulk_create(
        CompetencyMapping(
            competency=copies[mapping.competency.code],
            reference_id=mapping.reference_id,
            relation=mapping.relation,
            note=mapping.note,
        )
        for mapping in CompetencyMapping.objects.filter(competency__framework=framework).select_related(
            "competency"
        )
    )
    return created


@transaction.atomic
def framework_set_current(*, framework: CompetencyFramework) -> None:
    """Make ``framework`` the one current version (new learning records are made against it)."""
    if framework.is_reference:
        raise ValidationError(_("参照フレームワークは現行版にできません。"))
    CompetencyFramework.objects.filter(is_current=True).exclude(pk=framework.pk).update(is_current=False)
    # update(), not save(): which version is current is not a change to the framework's content.
    CompetencyFramework.objects.filter(pk=framework.pk).update(is_current=True)
    framework.is_current = True


def framework_export_csv(*, framework: CompetencyFramework) -> bytes:
    """The framework in the project's CSV format, UTF-8 with a BOM (so that Excel reads it as UTF-8)."""
    return csv_io.render(selectors.framework_data(framework=framework)).encode("utf-8-sig")


def framework_export_case(*, framework: CompetencyFramework) -> dict:
    """The framework as a CASE 1.0 CFPackage (a JSON-ready dict), with its mappings as CFAssociations."""
    data = selectors.framework_data(framework=framework)
    if not framework.is_reference:  # a mapping is exported with our framework, from our competency
        data = dataclasses.replace(data, mappings=selectors.mapping_data(framework=framework))
    return case_io.build(data, last_change=framework.updated_at)


@transaction.atomic
def mappings_import_csv(
    *, framework: CompetencyFramework, reference: CompetencyFramework, content: bytes
) -> ImportOutcome:
    """Map ``framework``'s competencies to ``reference``'s items from a CSV of pairs (``mapping_csv``);
    all or nothing. A pair already mapped is left as it is."""
    if framework.is_reference or not reference.is_reference:
        return ImportOutcome.refused(
            [_("自分たちのフレームワークから参照フレームワークへの対応付けだけを登録できます。")]
        )
    rows, problems = mapping_csv.parse(content)
    ours = {c.code: c for c in Competency.objects.filter(framework=framework)}
    theirs: dict[str, Competency] = {}
    for item in Competency.objects.filter(framework=reference).order_by("-sort_order"):
        # an identifier, then our code, then the published code (the first item wins where codes repeat)
        for key in (item.source_mapping, item.code, str(item.identifier)):
            if key:
                theirs[key] = item
    for row in rows:
        if row.competency not in ours:
            problems.append(
                Problem(
                    row.line,
                    _("能力コード %(code)s は「%(framework)s」にありません。")
                    % {"code": row.competency, "framework": framework},
                )
            )
        if row.reference not in theirs and row.reference.lower() not in theirs:
            problems.append(
                Problem(
                    row.line,
                    _("参照項目 %(item)s は「%(framework)s」にありません。")
                    % {"item": row.reference, "framework": reference},
                )
            )
    if problems:
        return ImportOutcome.refused(problems)
    registered = set(
        CompetencyMapping.objects.filter(competency__framework=framework).values_list(
            "competency_id", "reference_id"
        )
    )
    new = {}
    for row in rows:
        competency, item = ours[row.competency], theirs.get(row.reference) or theirs[row.reference.lower()]
        pair = (competency.pk, item.pk)
        if pair not in registered and pair not in new:
            new[pair] = CompetencyMapping(
                competency=competency, reference=item, relation=row.relation, note=row.note
            )
    CompetencyMapping.objects.bulk_create(new.values())
    return ImportOutcome(created=len(new), unchanged=len(rows) - len(new))

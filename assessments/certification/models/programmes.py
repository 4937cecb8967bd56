"""Certification programmes as data: ``CertificationProgram`` + ``ProgramRequirement``, the rules HR
edits in the admin (``rules.py`` evaluates them). ``ProgramRequirement`` rows are "this competency at this
level or higher". The programme's capstone rubric (``RubricCriterion``) lives with the capstone.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from courses.competencies.api import LEVEL_VALIDATORS, Competency, level_in_range
from lms_site.organisation.api import (
    Municipality,
    MunicipalityKind,
    OwnedContentFormMixin,
    municipalities_of,
    offered_in,
    owner_foreign_key,
)

CODE_VALIDATOR = RegexValidator(r"^[A-Z0-9_]+$", _("半角英大文字・数字・_ で入力してください。"))
CURRENT_COMPETENCIES = {"framework__is_current": True}


class CertificationProgramForm(OwnedContentFormMixin, WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ids = municipalities_of(self.for_user) if self.for_user is not None else None
        if ids is not None and "prerequisite" in self.fields:  # only programmes offered to the editor
            field = self.fields["prerequisite"]
            field.queryset = field.queryset.filter(offered_in(ids))


class CertificationProgram(ClusterableModel):
    """A certification programme: the platform's shared default (no ``municipality``), a prefecture's, or a
    municipality's own. For each code, a municipality's staff are held to the most specific one offered
    to it: its own, else its prefecture's, else the shared default (``selectors.programs_in_force``), so a
    municipality adopts the default by doing nothing and changes it by copying it (ADR 0024)."""

    code = models.CharField(
        _("コード"),
        max_length=30,
        validators=[CODE_VALIDATOR],
        help_text=_("例: DX_LEADER。共通の認定制度と同じコードにすると、自団体ではこちらが使われます"),
    )
    municipality = owner_foreign_key(_("空欄は共通(全自治体の既定)"))
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("説明"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    is_active = models.BooleanField(_("有効"), default=True)
    prerequisite = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("前提となる認定"),
        help_text=_("例: DXエキスパートにはDX推進リーダーの認定が必要"),
    )
    breadth_min_level = models.PositiveSmallIntegerField(
        _("全項目の最低レベル"),
        null=True,
        blank=True,
        validators=LEVEL_VALIDATORS,
        help_text=_("すべての能力項目がこのレベル以上であること。空欄は要件なし"),
    )
    specialism_min_level = models.PositiveSmallIntegerField(
        _("専門領域のレベル"),
        null=True,
        blank=True,
        validators=LEVEL_VALIDATORS,
        help_text=_("いずれか1つの領域で、すべての能力項目がこのレベル以上であること。空欄は要件なし"),
    )
    requires_exam = models.BooleanField(_("知識試験の合格が必要"), default=False)
    exam = models.ForeignKey(
        "assessments.Quiz",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("知識試験"),
        help_text=_("空欄の場合は「DX推進リーダー知識試験」に指定された小テスト"),
    )
    exam_pass_percent = models.PositiveSmallIntegerField(
        _("知識試験の合格点(%)"), default=70, validators=[MaxValueValidator(100)]
    )
    requires_capstone = models.BooleanField(_("修了課題の承認が必要"), default=False)
    requires_cross_project = models.BooleanField(
        _("複数の課にまたがるプロジェクトの承認が必要"), default=False
    )
    requires_endorsement = models.BooleanField(_("所属長の推薦が必要"), default=False)
    validity_years = models.PositiveSmallIntegerField(
        _("有効期間(年)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("空欄は無期限"),
    )
    renewal_hours_per_year = models.PositiveSmallIntegerField(
        _("更新に必要な年間学習時間"), null=True, blank=True
    )
    renewal_requirement = models.TextField(_("更新の要件"), blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    base_form_class = CertificationProgramForm

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("name")]),
        FieldPanel("municipality"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                InlinePanel("requirements", label=_("能力項目ごとの要件")),
                FieldRowPanel([FieldPanel("breadth_min_level"), FieldPanel("specialism_min_level")]),
            ],
            heading=_("能力の要件"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("prerequisite"),
                FieldRowPanel(
                    [FieldPanel("requires_exam"), FieldPanel("exam"), FieldPanel("exam_pass_percent")]
                ),
                FieldPanel("requires_capstone"),
                InlinePanel("rubric", label=_("修了課題のルーブリック")),
                FieldPanel("requires_cross_project"),
                FieldPanel("requires_endorsement"),
            ],
            heading=_("試験・課題・推薦"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("validity_years"), FieldPanel("renewal_hours_per_year")]),
                FieldPanel("renewal_requirement"),
            ],
            heading=_("有効期間と更新"),
        ),
        FieldRowPanel([FieldPanel("sort_order"), FieldPanel("is_active")]),
    ]

    class Meta:
        verbose_name = _("認定制度")
        verbose_name_plural = _("認定制度")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=level_in_range("breadth_min_level", nullable=True), name="program_breadth_range"
            ),
            models.CheckConstraint(
                condition=level_in_range("specialism_min_level", nullable=True),
                name="program_specialism_range",
            ),
            models.CheckConstraint(condition=Q(exam_pass_percent__lte=100), name="program_pass_percent"),
            models.UniqueConstraint(
                fields=["municipality", "code"],
                condition=Q(municipality__isnull=False),
                name="program_code_unique_in_owner",
            ),
            models.UniqueConstraint(
                fields=["code"], condition=Q(municipality__isnull=True), name="program_code_unique_shared"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        cycle = prerequisite_cycle(self)
        if cycle:
            raise ValidationError(
                {
                    "prerequisite" if self.prerequisite_id else "code": _(
                        "前提となる認定が循環しています(%(cycle)s)。どの認定も取得できなくなるため保存できません。"
                    )
                    % {"cycle": " → ".join(cycle)}
                }
            )


NEW = "new"  # the key of a programme not saved yet


def prerequisite_cycle(program: CertificationProgram) -> list[str]:
    """The names of the programmes on a prerequisite cycle ``program`` would close, as saved, first one
    repeated at the end; empty when there is none (ADR 0024).

    The rules follow a prerequisite by its *code* (``rules.ProgramRules.prerequisite``), held to the
    programme of that code in force for the person's municipality: its own, else its prefecture's, else the
    shared default (``selectors.programs_in_force``). So a cycle may run through a municipality's copy and
    the shared default of one code, which no row-to-row walk sees. This walks codes the same way, for every
    municipality whose programmes the edit changes (the owner's: one municipality, a prefecture and its
    municipalities, or all of them for the shared default; before and after a change of owner), from the
    programme's code and from its code before the edit (a copy renamed uncovers what it hid). A row-to-row
    cycle is refused too. Switched-off programmes are followed: switching one on must not close a cycle.
    Two queries, whatever the number of programmes and municipalities."""
    key = program.pk or NEW
    fields = ("pk", "code", "municipality_id", "prerequisite_id", "name")
    saved = list(CertificationProgram._base_manager.values_list(*fields))
    rows = {pk: (code, owner, prerequisite) for pk, code, owner, prerequisite, _name in saved}
    names = {pk: name for pk, *_fields, name in saved}
    before = dict(rows)
    rows[key] = (program.code, program.municipality_id, program.prerequisite_id)
    names[key] = program.name
    municipalities = {
        pk: (kind, prefecture, name)
        for pk, kind, prefecture, name in Municipality.objects.values_list("pk", "kind", "prefecture", "name")
    }

    def label(pk) -> str:
        owner = rows[pk][1]
        where = municipalities[owner][2] if owner in municipalities else _("共通")
        return f"{names.get(pk, rows[pk][0])}({where})"

    # A cycle row to row (what ``programs_in_order`` walks).
    path, ancestor = [key], program.prerequisite_id
    while ancestor is not None and ancestor in rows:
        if ancestor in path:
            return [label(pk) for pk in [*path[path.index(ancestor) :], ancestor]]
        path.append(ancestor)
        ancestor = rows[ancestor][2]

    # A cycle code to code, as the rules resolve codes for each municipality the edit changes. One the
    # edit neither closes nor passes through (older data) is not this programme's to refuse.
    starts = {program.code} | ({before[key][0]} if key in before else set())
    for viewpoint in _viewpoints(program, before.get(key), rows, municipalities):
        for start in starts:
            cycle = _code_cycle(rows, viewpoint, start)
            if cycle and (key in cycle or not _code_cycle(before, viewpoint, start)):
                return [label(pk) for pk in [*cycle, cycle[0]]]
    return []


def _code_cycle(rows: dict, viewpoint: tuple, start: str) -> list:
    """The programmes (keys) of a cycle from ``start`` back to it, following each prerequisite's code to
    the programme in force for ``viewpoint``; empty when the walk ends or loops elsewhere."""
    in_force = _in_force(rows, viewpoint)
    cycle, code = [], start
    while code in in_force:
        cycle.append(in_force[code])
        prerequisite = rows[in_force[code]][2]
        if prerequisite not in rows:
            return []
        code = rows[prerequisite][0]
        if code == start:
            return cycle
        if in_force.get(code) in cycle:
            return []
    return []


def _viewpoints(program, before, rows: dict, municipalities: dict) -> set[tuple]:
    """(own, prefectures) of each municipality whose programmes in force the edit may change, deduplicated:
    a municipality that owns no programme sees what its prefecture sees. ``(None, ∅)``: the shared default
    alone (``before``: the programme's row before the edit, if saved)."""
    owners = {owner for _code, owner, _prerequisite in rows.values()}
    prefectures_named: dict[str, set[int]] = {}
    for pk, (kind, prefecture, _name) in municipalities.items():
        if kind == MunicipalityKind.PREFECTURE:
            prefectures_named.setdefault(prefecture, set()).add(pk)

    def seen_by(pk) -> tuple:
        prefecture = municipalities[pk][1]
        return (pk if pk in owners else None, frozenset(prefectures_named.get(prefecture, set()) & owners))

    found: set[tuple] = set()
    for owner in {program.municipality_id, before[1] if before else program.municipality_id}:
        if owner is None:
            found |= {(None, frozenset())} | {seen_by(pk) for pk in municipalities}
        elif owner not in municipalities:
            continue
        elif municipalities[owner][0] == MunicipalityKind.PREFECTURE:
            members = [pk for pk, m in municipalities.items() if m[1] == municipalities[owner][1]]
            found |= {seen_by(pk) for pk in [owner, *members]}
        else:
            found.add(seen_by(owner))
    return found


def _in_force(rows: dict, viewpoint: tuple) -> dict[str, object]:
    """code → the key of the programme in force for this viewpoint: its own, else its prefecture's, else
    the shared default (as ``selectors.path.in_force_order``)."""
    own, prefectures = viewpoint
    chosen: dict[str, tuple[int, object]] = {}
    for pk, (code, owner, _prerequisite) in rows.items():
        rank = 0 if owner is not None and owner == own else 2 if owner is None else 1
        if rank == 1 and owner not in prefectures:
            continue
        if code not in chosen or rank < chosen[code][0]:
            chosen[code] = (rank, pk)
    return {code: pk for code, (_rank, pk) in chosen.items()}


class ProgramRequirement(Orderable):
    program = ParentalKey(CertificationProgram, on_delete=models.CASCADE, related_name="requirements")
    competency = models.ForeignKey(
        Competency,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=CURRENT_COMPETENCIES,
        verbose_name=_("能力項目"),
    )
    min_level = models.PositiveSmallIntegerField(_("必要なレベル"), default=3, validators=LEVEL_VALIDATORS)

    panels = [FieldRowPanel([FieldPanel("competency"), FieldPanel("min_level")])]

    class Meta(Orderable.Meta):
        verbose_name = _("能力項目の要件")
        verbose_name_plural = _("能力項目の要件")
        constraints = [
            models.UniqueConstraint(fields=["program", "competency"], name="program_requirement_once"),
            models.CheckConstraint(condition=level_in_range("min_level"), name="program_requirement_range"),
        ]

    def __str__(self) -> str:
        return f"{self.competency.code} ≥ Lv{self.min_level}"

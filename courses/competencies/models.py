"""A versioned competency framework (e.g. 自治体DX人材 能力フレームワーク v1.0): areas, competencies, levels.

A framework version is never rewritten once evidence refers to it: a new version is a new framework
row (``framework_new_version``), and evidence keeps the competency of the version it was recorded against.
Every row carries a UUID, its identifier in 1EdTech CASE exports.

A *reference* framework is one published by others (デジタルスキル標準, a vendor's framework), imported from
CASE to be mapped to ours (``CompetencyMapping``, ADR 0021); it is never current.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .scale_fields import LEVEL_VALIDATORS, level_in_range


class CompetencyFramework(models.Model):
    identifier = models.UUIDField(_("識別子(CASE)"), default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("名称"), max_length=200)
    title_en = models.CharField(_("英語名称"), max_length=200, blank=True)
    version = models.CharField(_("版"), max_length=20, help_text=_("例: 1.0"))
    source = models.TextField(
        _("出典"), blank=True, help_text=_("根拠とした標準や計画(デジタルスキル標準、自治体DX推進計画など)")
    )
    description = models.TextField(_("説明"), blank=True)
    is_current = models.BooleanField(
        _("現行版"), default=False, help_text=_("新しい学習実績はこの版に対して記録されます(1つだけ)")
    )
    is_reference = models.BooleanField(
        _("参照フレームワーク"),
        default=False,
        help_text=_("ほかの団体が公開した枠組み。現行版にはならず、自分たちの能力項目との対応付けに使います"),
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("能力フレームワーク")
        verbose_name_plural = _("能力フレームワーク")
        ordering = ["title", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["title", "version"], name="framework_title_version_unique"),
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="framework_one_current"
            ),
            models.CheckConstraint(
                condition=~Q(is_current=True, is_reference=True), name="framework_reference_never_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class CompetencyArea(models.Model):
    identifier = models.UUIDField(_("識別子(CASE)"), default=uuid.uuid4, unique=True, editable=False)
    framework = models.ForeignKey(
        CompetencyFramework, on_delete=models.CASCADE, related_name="areas", verbose_name=_("フレームワーク")
    )
    code = models.CharField(_("コード"), max_length=10)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英語名称"), max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("能力領域")
        verbose_name_plural = _("能力領域")
        ordering = ["framework", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="area_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Competency(models.Model):
    identifier = models.UUIDField(_("識別子(CASE)"), default=uuid.uuid4, unique=True, editable=False)
    framework = models.ForeignKey(
        CompetencyFramework,
        on_delete=models.CASCADE,
        related_name="competencies",
        verbose_name=_("フレームワーク"),
    )
    area = models.ForeignKey(
        CompetencyArea, on_delete=models.CASCADE, related_name="competencies", verbose_name=_("能力領域")
    )
    code = models.CharField(_("コード"), max_length=10, help_text=_("例: A1"))
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英語名称"), max_length=200, blank=True)
    description = models.TextField(_("説明"), blank=True)
    description_en = models.TextField(_("英語の説明"), blank=True)
    source_mapping = models.CharField(
        _("対応する標準"), max_length=300, blank=True, help_text=_("デジタルスキル標準や推進計画の該当箇所")
    )
    is_core = models.BooleanField(_("DX推進リーダーの中核能力"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    uri = models.CharField(
        _("URI(CASE)"), max_length=500, blank=True, help_text=_("参照フレームワークの項目の、公開元での URI")
    )

    class Meta:
        verbose_name = _("能力項目")
        verbose_name_plural = _("能力項目")
        ordering = ["framework", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="competency_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProficiencyLevel(models.Model):
    """One step of the framework's 5-level scale (知る・使う・実践する・牽引する・変革する)."""

    identifier = models.UUIDField(_("識別子(CASE)"), default=uuid.uuid4, unique=True, editable=False)
    framework = models.ForeignKey(
        CompetencyFramework, on_delete=models.CASCADE, related_name="levels", verbose_name=_("フレームワーク")
    )
    level = models.PositiveSmallIntegerField(_("レベル"), validators=LEVEL_VALIDATORS)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英語名称"), max_length=50, blank=True)
    descriptor = models.TextField(_("到達の目安"))
    descriptor_en = models.TextField(_("到達の目安(英語)"), blank=True)

    class Meta:
        verbose_name = _("習熟度レベル")
        verbose_name_plural = _("習熟度レベル")
        ordering = ["framework", "level"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "level"], name="level_unique_per_framework"),
            models.CheckConstraint(condition=level_in_range("level"), name="level_between_1_and_5"),
        ]

    def __str__(self) -> str:
        return f"Lv{self.level} {self.name}"


class MappingRelation(models.TextChoices):
    """The CASE 1.0 association types a mapping may be (its ``associationType`` in exports)."""

    EXACT_MATCH = "exactMatchOf", _("同じ能力(exactMatchOf)")
    IS_PART_OF = "isPartOf", _("その一部(isPartOf)")
    IS_RELATED = "isRelatedTo", _("関連する(isRelatedTo)")


class CompetencyMapping(models.Model):
    """One of our competencies mapped to an item of a reference framework, as a CASE association.

    Exported with our framework's CFPackage as a CFAssociation from our competency to the reference item
    (``originNodeURI`` → ``destinationNodeURI``), and read back on import. Not part of a version's content:
    mappings can be added to a registered version without making a new one.
    """

    identifier = models.UUIDField(_("識別子(CASE)"), default=uuid.uuid4, unique=True, editable=False)
    competency = models.ForeignKey(
        Competency, on_delete=models.CASCADE, related_name="mappings", verbose_name=_("能力項目(自分たち)")
    )
    reference = models.ForeignKey(
        Competency,
        on_delete=models.CASCADE,
        related_name="mapped_from",
        verbose_name=_("参照フレームワークの項目"),
    )
    relation = models.CharField(
        _("関係"), max_length=20, choices=MappingRelation.choices, default=MappingRelation.EXACT_MATCH
    )
    note = models.CharField(_("メモ"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("対応付け")
        verbose_name_plural = _("対応付け")
        ordering = ["competency__framework", "competency__sort_order", "competency__code", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["competency", "reference"], name="mapping_pair_unique"),
            models.CheckConstraint(
                condition=Q(relation__in=MappingRelation.values), name="mapping_relation_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency.code} {self.relation} {self.reference.code}"

    def clean(self) -> None:
        errors = {}
        if self.competency_id and self.competency.framework.is_reference:
            errors["competency"] = _("自分たちのフレームワークの能力項目を選んでください。")
        if self.reference_id and not self.reference.framework.is_reference:
            errors["reference"] = _("参照フレームワークの項目を選んでください。")
        if errors:
            raise ValidationError(errors)

"""A versioned competency framework (e.g. 自治体DX人材 能力フレームワーク v1.0): areas, competencies, levels.

A framework version is never rewritten once evidence refers to it: a new version is a new framework
row (``framework_new_version``), and evidence keeps the competency of the version it was recorded against.
Every row carries a UUID, its identifier in 1EdTech CASE exports.
"""

import uuid

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

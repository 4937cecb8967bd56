"""The 修了課題 workflow: ``Capstone`` with its statuses and actions, its attachments, the
``CapstoneDecision`` audit log, and the programme's ``RubricCriterion`` rows the advisor scores.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable

from courses.competencies.api import Competency
from lms_site.organisation.api import TenantManager

from ..storage import ProofStorage, proof_upload_to
from .programmes import CertificationProgram


class CapstoneStatus(models.TextChoices):
    """Where a capstone is; each status names who acts next (see ``services.capstone``)."""

    DRAFT = "draft", _("計画の作成中")
    PLAN_REVIEW = "plan_review", _("計画の確認待ち(所属長)")
    IN_PROGRESS = "in_progress", _("実施中")
    ENDORSEMENT = "endorsement", _("推薦待ち(所属長)")
    ASSESSMENT = "assessment", _("審査待ち(外部人材)")
    APPROVED = "approved", _("承認済み")


class CapstoneAction(models.TextChoices):
    SUBMIT_PLAN = "submit_plan", _("計画を提出")
    ACCEPT_PLAN = "accept_plan", _("計画を了承")
    RETURN_PLAN = "return_plan", _("計画を差し戻し")
    SUBMIT_REPORT = "submit_report", _("成果報告を提出")
    ENDORSE = "endorse", _("推薦")
    RETURN_REPORT = "return_report", _("成果報告を差し戻し(所属長)")
    APPROVE = "approve", _("承認")
    RETURN_ASSESSMENT = "return_assessment", _("成果報告を差し戻し(外部人材)")
    ASSIGN_ADVISOR = "assign_advisor", _("審査担当を割り当て")


class Capstone(ClusterableModel):
    """A candidate's 修了課題: a real improvement project in their own 所属, planned, reported, endorsed by
    the 所属長 and scored by an advisor on the programme's rubric. The decisions are ``CapstoneDecision``.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="capstones", verbose_name=_("受講者")
    )
    program = models.ForeignKey(
        CertificationProgram, on_delete=models.PROTECT, related_name="capstones", verbose_name=_("認定制度")
    )
    department = models.ForeignKey(
        "organisation.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="capstones",
        verbose_name=_("実施する所属"),
    )
    title = models.CharField(_("課題名"), max_length=200)
    problem = models.TextField(_("現状の課題"))
    plan = models.TextField(_("取り組みの内容と進め方"))
    target = models.TextField(_("目標と効果の測り方"))
    is_cross_department = models.BooleanField(_("複数の課にまたがる取り組み"), default=False)
    competencies = models.ManyToManyField(
        Competency, blank=True, related_name="capstones", verbose_name=_("発揮する能力項目")
    )
    report = models.TextField(_("実施内容と結果"), blank=True)
    measured_effect = models.TextField(_("測定した効果"), blank=True)
    hours_saved_per_year = models.DecimalField(
        _("削減できた業務時間(時間/年)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    inclusion_check = models.TextField(_("誰一人取り残さないための配慮"), blank=True)
    status = models.CharField(
        _("状態"), max_length=20, choices=CapstoneStatus.choices, default=CapstoneStatus.DRAFT
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="capstones_to_assess",
        verbose_name=_("審査担当(外部人材)"),
    )
    rubric_scores = models.JSONField(_("ルーブリックの評価"), default=dict, blank=True)
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    endorsed_at = models.DateTimeField(_("推薦日時"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("承認日時"), null=True, blank=True)
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    # A staff member's: an unscoped query raises; a scoped one sees its municipality's people (ADR 0016).
    objects = TenantManager("user__staff_profile__municipality")

    class Meta:
        verbose_name = _("修了課題")
        verbose_name_plural = _("修了課題")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program"],
                condition=~Q(status="approved"),
                name="capstone_one_open_per_program",
            )
        ]
        indexes = [models.Index(fields=["status", "advisor"])]
        permissions = [("assess_capstone", _("修了課題を審査できる"))]

    def __str__(self) -> str:
        return self.title


class CapstoneAttachment(models.Model):
    """A file attached to the outcome report; private storage, streamed only by a permission-checked view."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    capstone = models.ForeignKey(Capstone, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=ProofStorage(), upload_to=proof_upload_to, max_length=200)
    name = models.CharField(_("ファイル名"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("修了課題の添付ファイル")
        verbose_name_plural = _("修了課題の添付ファイル")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class CapstoneDecision(models.Model):
    """The audit log of a capstone: every step, who took it, when, from which status to which, and why.

    Rows are only ever added (``services.capstone``); the admin shows them read-only.
    """

    capstone = models.ForeignKey(Capstone, on_delete=models.CASCADE, related_name="decisions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("実施者")
    )
    action = models.CharField(_("操作"), max_length=20, choices=CapstoneAction.choices)
    from_status = models.CharField(max_length=20, choices=CapstoneStatus.choices)
    to_status = models.CharField(max_length=20, choices=CapstoneStatus.choices)
    comment = models.TextField(_("コメント"), blank=True)
    rubric_scores = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("日時"), default=timezone.now)

    class Meta:
        verbose_name = _("修了課題の判断記録")
        verbose_name_plural = _("修了課題の判断記録")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.capstone} {self.action}"


class RubricCriterion(Orderable):
    """One row of a programme's capstone rubric, scored 1–4 by the advisor (HR edits them in the admin)."""

    program = ParentalKey(CertificationProgram, on_delete=models.CASCADE, related_name="rubric")
    name = models.CharField(_("観点"), max_length=100)
    description = models.TextField(_("評価の目安"), blank=True)
    min_score = models.PositiveSmallIntegerField(
        _("承認に必要な点"), default=2, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )

    panels = [FieldPanel("name"), FieldPanel("description"), FieldPanel("min_score")]

    class Meta(Orderable.Meta):
        verbose_name = _("ルーブリックの観点")
        verbose_name_plural = _("ルーブリックの観点")

    def __str__(self) -> str:
        return self.name

"""A municipality's SCORM package and each learner's attempt at it in a lesson."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import LessonPage
from courses.scorm.package import items_flat
from lms_site.organisation.api import Municipality, TenantManager


class ScormVersion(models.TextChoices):
    SCORM_12 = "1.2", "SCORM 1.2"
    SCORM_2004 = "2004", "SCORM 2004"


class ScormPackage(models.Model):
    """An uploaded package, licensed to (and visible in) the municipality that uploaded it. Its files are
    in ``storage.package_storage`` under ``<storage_key>/``; the database keeps what the manifest said."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("自治体")
    )
    title = models.CharField(_("題名"), max_length=200)
    version = models.CharField(_("SCORM のバージョン"), max_length=4, choices=ScormVersion.choices)
    launch = models.CharField(
        _("起動ファイル"), max_length=1000, help_text=_("パッケージ内のパス(最初の SCO のもの)")
    )
    items = models.JSONField(
        _("目次"),
        default=list,
        blank=True,
        help_text=_(
            "既定の organization の項目(入れ子)。各項目の identifier・題名・起動ファイル・SCO かどうか"
        ),
    )
    storage_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file_count = models.PositiveIntegerField(_("ファイル数"))
    total_bytes = models.PositiveBigIntegerField(_("展開後のサイズ(バイト)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("登録者"),
    )
    uploaded_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    objects = TenantManager("municipality")

    class Meta:
        verbose_name = _("SCORM パッケージ")
        verbose_name_plural = _("SCORM パッケージ")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_version_display()})"

    def launchable_items(self) -> list[dict]:
        """The items a learner can open, in the organisation's order (the order SCORM's flow follows)."""
        return [item for item in items_flat(self.items) if item["launch"]]

    def first_item(self) -> dict:
        """The item opened when none is asked for: the first SCO (the one ``launch`` names)."""
        items = self.launchable_items()
        return next((item for item in items if item["sco"]), items[0])

    def item(self, identifier: str) -> dict | None:
        return next((item for item in self.launchable_items() if item["identifier"] == identifier), None)

    def required_items(self) -> set[str]:
        """The SCOs a learner must finish for the lesson to be completed (assets report nothing)."""
        return {item["identifier"] for item in self.launchable_items() if item["sco"]}


class ScormAttempt(models.Model):
    """A learner's run of one SCO (item) of a package in a lesson: what scorm-again last committed, kept
    to resume from. A multi-SCO package has one per item the learner opened."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("受講者")
    )
    package = models.ForeignKey(
        ScormPackage, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("パッケージ")
    )
    lesson = models.ForeignKey(
        LessonPage, on_delete=models.CASCADE, related_name="+", verbose_name=_("レッスン")
    )
    item = models.CharField(
        _("項目"),
        max_length=255,
        blank=True,
        default="",
        help_text=_("imsmanifest.xml の item の identifier(目次を持たない以前の登録では空)"),
    )
    status = models.CharField(_("状態"), max_length=20, default="not attempted")
    success_status = models.CharField(_("合否"), max_length=10, default="unknown")
    score_raw = models.DecimalField(_("得点"), max_digits=11, decimal_places=4, null=True, blank=True)
    score_min = models.DecimalField(max_digits=11, decimal_places=4, null=True, blank=True)
    score_max = models.DecimalField(max_digits=11, decimal_places=4, null=True, blank=True)
    score_scaled = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    location = models.CharField(_("再開位置"), max_length=1000, blank=True)
    suspend_data = models.TextField(_("中断データ"), blank=True)
    total_time = models.DurationField(_("学習時間"), default=datetime.timedelta)
    started_at = models.DateTimeField(_("開始日時"), default=timezone.now)
    committed_at = models.DateTimeField(_("最終送信日時"), null=True, blank=True)

    objects = TenantManager("package__municipality")

    class Meta:
        verbose_name = _("SCORM の受講記録")
        verbose_name_plural = _("SCORM の受講記録")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "package", "lesson", "item"], name="scorm_attempt_item_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.package} {self.item} ({self.status})"

    @property
    def finished(self) -> bool:
        """Completed or passed, not failed (1.2 lesson_status; 2004 completion and success status)."""
        return self.status in {"passed", "completed"} and self.success_status != "failed"

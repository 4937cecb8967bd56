"""育成目標 (development targets) and the nightly snapshots the dashboard reads.

* ``DevelopmentTarget``: per department and fiscal year (April–March), how many DX推進リーダー and what share
  with DXベーシック (or higher) HR aims for. Totals roll up the tree (``frames.target_rollup``).
* ``DepartmentSnapshot`` / ``CoverageSnapshot``: what ``services.snapshot_take`` stored for one day, per
  department, counting the people *directly* assigned to it on that day (roll-ups are computed on read).
  One snapshot per municipality and month is kept (the latest of the month), so trends read small tables.
* ``SnapshotRun``: one run of the snapshot task, a ``lms_site.jobs.Job`` (the dashboard's 「今すぐ再計算」).
The personal-data audit log is ``lms_site.organisation.models.PersonalDataAccess`` (ADR 0014).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from courses.competencies.api import level_in_range
from lms_site.jobs import Job, JobStatus
from lms_site.organisation.api import TenantManager

from .admin_forms import DevelopmentTargetAdminForm


class DevelopmentTarget(models.Model):
    department = models.ForeignKey(
        "organisation.Department",
        on_delete=models.CASCADE,
        related_name="development_targets",
        verbose_name=_("所属"),
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("年度"), help_text=_("西暦の年度(4月〜翌3月)。例: 2026 は 2026年4月〜2027年3月")
    )
    leaders = models.PositiveSmallIntegerField(
        _("DX推進リーダーの目標人数"), default=0, help_text=_("年度末までに認定されているべき人数")
    )
    basic_share = models.DecimalField(
        _("DXベーシック以上の目標割合(%)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("所属(配下を含む)の職員のうち、DXベーシック以上の認定を持つ人の割合"),
    )
    note = models.CharField(_("メモ"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = TenantManager("department__municipality")

    base_form_class = DevelopmentTargetAdminForm
    panels = [
        FieldPanel("department"),
        FieldRowPanel([FieldPanel("fiscal_year"), FieldPanel("leaders"), FieldPanel("basic_share")]),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = _("育成目標")
        verbose_name_plural = _("育成目標")
        ordering = ["-fiscal_year", "department__path"]
        constraints = [
            models.UniqueConstraint(fields=["department", "fiscal_year"], name="target_once_per_year"),
            models.CheckConstraint(
                condition=Q(basic_share__gte=0) & Q(basic_share__lte=100), name="target_share_percent"
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=2000) & Q(fiscal_year__lte=2100), name="target_year_range"
            ),
        ]
        permissions = [
            ("view_organisation", _("組織全体の人材分析を閲覧できる")),
            ("view_summary", _("組織全体の集計(少人数は秘匿)を閲覧できる")),
            ("run_snapshot", _("人材分析の集計を今すぐ再計算できる")),
            ("view_prefecture", _("県内市町村の集計(少人数は秘匿)を閲覧できる")),
        ]

    def __str__(self) -> str:
        return f"{self.department.name} {self.fiscal_year}"

    def clean(self) -> None:
        if self.fiscal_year and not 2000 <= self.fiscal_year <= 2100:
            raise ValidationError({"fiscal_year": _("年度は2000〜2100で入力してください。")})


SnapshotStatus = JobStatus


class SnapshotRun(Job):
    """One run of the snapshot task (a ``Job``), its progress counted in municipalities."""

    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("自治体"),
        help_text=_("空欄はすべての自治体(夜間の定期実行)"),
    )
    taken_on = models.DateField(_("集計日"))
    total_steps = models.PositiveIntegerField(default=0)
    done_steps = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    # A municipality's runs only; a platform run (no municipality) is seen platform-wide only (ADR 0016).
    objects = TenantManager("municipality")

    class Meta(Job.Meta):
        verbose_name = _("集計の実行")
        verbose_name_plural = _("集計の実行")

    def __str__(self) -> str:
        return f"{self.taken_on} ({self.get_status_display()})"

    def failure_fields(self, message: str) -> dict[str, object]:
        return {"error": message[:2000]}


class DepartmentSnapshot(models.Model):
    """Counts of the people directly assigned to ``department`` on ``taken_on``."""

    # No index of their own: (municipality, taken_on) and the unique (department, …) lead with them, and
    # each index more is written for every row of every night's snapshot.
    municipality = models.ForeignKey(
        "organisation.Municipality", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    department = models.ForeignKey(
        "organisation.Department", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    taken_on = models.DateField()
    headcount = models.PositiveIntegerField(default=0)
    leaders = models.PositiveIntegerField(default=0, help_text="valid DX_LEADER certificate on the day")
    basic = models.PositiveIntegerField(default=0, help_text="valid DX_BASIC, DX_LEADER or DX_EXPERT")
    enrolled = models.PositiveIntegerField(default=0)
    active = models.PositiveIntegerField(default=0, help_text="a lesson completed in the 30 days to the day")
    completed = models.PositiveIntegerField(default=0)
    certified = models.PositiveIntegerField(default=0, help_text="any valid certificate on the day")

    objects = TenantManager("municipality")

    class Meta:
        ordering = ["taken_on", "department_id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "taken_on"], name="department_snapshot_once")
        ]
        indexes = [models.Index(fields=["municipality", "taken_on"])]

    def __str__(self) -> str:
        return f"{self.department_id} {self.taken_on}"


class CoverageSnapshot(models.Model):
    """How many people directly in ``department`` hold ``competency`` at exactly ``level`` on ``taken_on``."""

    # No index of their own: (municipality, taken_on) and the unique (department, …) lead with them, and
    # each index more is written for every row of every night's snapshot. No foreign-key constraints in
    # the database either (ADR 0006, "Snapshot rows carry no foreign-key constraints"): every row is
    # written by one INSERT … SELECT joining the very rows it names, and checking 7,500 rows a
    # municipality, one by one at commit, cost as much as inserting them. Deleting a municipality,
    # department or competency still removes its rows (Django's cascade).
    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    department = models.ForeignKey(
        "organisation.Department",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    competency = models.ForeignKey(
        "competencies.Competency",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    taken_on = models.DateField()
    level = models.PositiveSmallIntegerField()
    people = models.PositiveIntegerField()

    objects = TenantManager("municipality")

    class Meta:
        ordering = ["taken_on", "department_id", "competency_id", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "competency", "level", "taken_on"], name="coverage_snapshot_once"
            ),
            models.CheckConstraint(condition=level_in_range("level"), name="coverage_level_range"),
        ]
        indexes = [models.Index(fields=["municipality", "taken_on"])]

    def __str__(self) -> str:
        return f"{self.department_id} {self.competency_id} Lv{self.level} {self.taken_on}: {self.people}"

"""Assigned training (受講指示): a rule says who must do which course or quiz by when; each person the
rule matches gets a ``TrainingDue`` for the cycle (the fiscal year, for a rule repeated every year).

Whether a due is done is not stored: it is read from the learning records (the course's completion, a
passed attempt of the quiz) in the cycle's window, so a completion counts the moment it happens, and a
record corrected later is reflected without a sync job (``selectors.due_statuses``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analytics.frames import fiscal_year
from lms_site.organisation.api import Department, Municipality, StaffProfile, TenantManager


def fiscal_year_start(year: int) -> datetime.date:
    return datetime.date(year, 4, 1)


class TrainingRule(models.Model):
    """Who must do a course or a quiz, and by when. The people are those who match every condition set
    (department subtree, 役職, 職種, 採用年度) on the day the rule is evaluated, plus the people named."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("自治体")
    )
    title = models.CharField(_("名称"), max_length=150)
    course = models.ForeignKey(
        "courses.CoursePage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("コース"),
    )
    quiz = models.ForeignKey(
        "assessments.Quiz",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("小テスト"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("対象の所属(配下を含む)"),
        help_text=_("空欄は自治体の全職員"),
    )
    job_grades = models.JSONField(_("対象の役職"), default=list, blank=True)
    job_categories = models.JSONField(_("対象の職種"), default=list, blank=True)
    hire_year_from = models.PositiveSmallIntegerField(_("採用年度(から)"), null=True, blank=True)
    hire_year_to = models.PositiveSmallIntegerField(_("採用年度(まで)"), null=True, blank=True)
    people = models.ManyToManyField(
        StaffProfile, blank=True, related_name="+", verbose_name=_("個別に指定した職員")
    )
    due_on = models.DateField(_("期限"), null=True, blank=True)
    due_within_days = models.PositiveSmallIntegerField(
        _("対象になってからの日数"), null=True, blank=True, help_text=_("例: 課長になってから90日以内")
    )
    every_year = models.BooleanField(_("毎年度"), default=False, help_text=_("年度ごとに受講し直します"))
    starts_on = models.DateField(_("指示日"), default=timezone.localdate)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("指示した人"),
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("取消日時"), null=True, blank=True)

    objects = TenantManager("municipality")

    class Meta:
        verbose_name = _("受講指示")
        verbose_name_plural = _("受講指示")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(course__isnull=False, quiz__isnull=True)
                | Q(course__isnull=True, quiz__isnull=False),
                name="training_rule_one_item",
            ),
            models.CheckConstraint(
                condition=Q(due_on__isnull=False, due_within_days__isnull=True)
                | Q(due_on__isnull=True, due_within_days__isnull=False),
                name="training_rule_one_due",
            ),
        ]
        permissions = [("view_training_report", _("受講状況の報告を閲覧できる"))]

    def __str__(self) -> str:
        return self.title

    @property
    def item(self):
        return self.course or self.quiz

    @property
    def item_url(self) -> str:
        """Where the learner does it: the course page or the quiz page."""
        from django.urls import reverse

        if self.course is not None:
            return self.course.url or ""
        return reverse("assessments:quiz", args=[self.quiz_id])

    @property
    def first_cycle(self) -> int:
        return fiscal_year(self.starts_on)

    def cycle_of(self, day: datetime.date) -> int:
        """The cycle a day belongs to: its fiscal year for a yearly rule; the only cycle otherwise."""
        return fiscal_year(day) if self.every_year else self.first_cycle

    def window(self, cycle: int) -> tuple[datetime.date | None, datetime.date | None]:
        """The days a completion counts for ``cycle`` (inclusive start, exclusive end; ``None``: open).
        A yearly rule counts only completions in that fiscal year; a one-off rule counts any."""
        if not self.every_year:
            return None, None
        return fiscal_year_start(cycle), fiscal_year_start(cycle + 1)

    def due_date(self, *, cycle: int, matched_on: datetime.date) -> datetime.date:
        """The due date of a person who matched on ``matched_on`` in ``cycle``."""
        if self.due_within_days is not None:
            start = max(matched_on, fiscal_year_start(cycle)) if self.every_year else matched_on
            return start + datetime.timedelta(days=self.due_within_days)
        shift = cycle - self.first_cycle
        try:
            return self.due_on.replace(year=self.due_on.year + shift)
        except ValueError:  # 29 February in a year without one
            return self.due_on.replace(year=self.due_on.year + shift, day=28)


class TrainingDue(models.Model):
    """One person's obligation under a rule in one cycle. ``left_on``: the person stopped matching the
    rule (moved, promoted, retired); the row is kept as history but no longer counts as due."""

    rule = models.ForeignKey(
        TrainingRule, on_delete=models.CASCADE, related_name="dues", verbose_name=_("受講指示")
    )
    staff = models.ForeignKey(
        StaffProfile, on_delete=models.CASCADE, related_name="+", verbose_name=_("職員")
    )
    cycle = models.PositiveSmallIntegerField(_("年度"))
    matched_on = models.DateField(_("対象になった日"))
    due_on = models.DateField(_("期限"))
    left_on = models.DateField(_("対象から外れた日"), null=True, blank=True)
    exempt_reason = models.CharField(_("免除の理由"), max_length=200, blank=True)
    exempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("免除した人"),
    )
    exempted_at = models.DateTimeField(_("免除日時"), null=True, blank=True)

    objects = TenantManager("staff__municipality")

    class Meta:
        verbose_name = _("受講対象者")
        verbose_name_plural = _("受講対象者")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "staff", "cycle"], name="training_due_unique"),
        ]
        indexes = [models.Index(fields=["staff", "due_on"])]

    def __str__(self) -> str:
        return f"{self.staff} – {self.rule} ({self.cycle})"

    @property
    def is_exempt(self) -> bool:
        return bool(self.exempt_reason)


class ClassSession(models.Model):
    """集合研修: one sitting of a course at a venue, with a number of seats. Cancelled, not deleted: the
    people registered keep a record, and their calendars receive the cancellation."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("自治体")
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="+", verbose_name=_("コース")
    )
    title = models.CharField(_("名称"), max_length=150)
    starts_at = models.DateTimeField(_("開始日時"))
    ends_at = models.DateTimeField(_("終了日時"))
    venue = models.CharField(_("会場"), max_length=200)
    capacity = models.PositiveSmallIntegerField(_("定員"))
    registration_deadline = models.DateTimeField(_("申込締切"))
    needs_manager_approval = models.BooleanField(
        _("所属長の承認が必要"), default=False, help_text=_("申込みは所属長が承認するまで確定しません")
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("講師(出欠を記録する人)"),
    )
    sequence = models.PositiveIntegerField(_("変更回数"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("作成した人"),
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("中止日時"), null=True, blank=True)

    objects = TenantManager("municipality")

    class Meta:
        verbose_name = _("集合研修")
        verbose_name_plural = _("集合研修")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="class_session_capacity"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="class_session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(registration_deadline__lte=models.F("starts_at")),
                name="class_session_deadline_before_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RegistrationStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("所属長の承認待ち")
    REGISTERED = "registered", _("受講確定")
    WAITLISTED = "waitlisted", _("キャンセル待ち")
    CANCELLED = "cancelled", _("取消")
    REJECTED = "rejected", _("不承認")


class SessionRegistration(models.Model):
    """One person's place in a session. The waiting list is the waitlisted rows in the order they applied
    (``created_at``, then ``pk``); a freed seat goes to the first of them."""

    session = models.ForeignKey(
        ClassSession, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("集合研修")
    )
    staff = models.ForeignKey(
        StaffProfile, on_delete=models.CASCADE, related_name="+", verbose_name=_("職員")
    )
    status = models.CharField(_("状態"), max_length=20, choices=RegistrationStatus.choices)
    attended = models.BooleanField(_("出席"), null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("出欠を記録した人"),
    )
    attendance_recorded_at = models.DateTimeField(_("出欠の記録日時"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("承認・不承認にした所属長"),
    )
    decided_at = models.DateTimeField(_("承認・不承認の日時"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("変更回数"), default=0, editable=False)
    created_at = models.DateTimeField(_("申込日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = TenantManager("staff__municipality")

    class Meta:
        verbose_name = _("集合研修の申込み")
        verbose_name_plural = _("集合研修の申込み")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "staff"],
                condition=~Q(status="cancelled"),
                name="session_registration_one_active",
            ),
            models.CheckConstraint(
                condition=Q(attended__isnull=True) | Q(status="registered"),
                name="session_registration_attendance_of_registered",
            ),
        ]
        indexes = [models.Index(fields=["session", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.staff} – {self.session}"

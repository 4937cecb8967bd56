"""Question bank, quizzes, attempts and competency evidence.

A ``Question`` is an editable snippet (drafts, revisions, the DX推進課 approval workflow). What a learner
answers is a ``QuestionVersion``: an immutable snapshot of the live definition, so that editing a
question never changes a past score. ``Evidence`` is what the certification rules read.
"""

import hashlib
import json

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import DraftStateMixin, LockableMixin, Orderable, RevisionMixin, WorkflowMixin
from wagtail.search import index

from assessments.admin_forms import QuestionAdminForm, QuizAdminForm
from assessments.question_blocks import QUESTION_BLOCKS
from courses.competencies.api import LEVEL_VALIDATORS, Competency, level_in_range
from lms_site.organisation.api import (
    SharedContentManager,
    TenantManager,
    owned_content_form_fields,
    owner_foreign_key,
)


class Difficulty(models.IntegerChoices):
    EASY = 1, _("易しい")
    MEDIUM = 2, _("普通")
    HARD = 3, _("難しい")


def _generic_relations(name: str) -> tuple[GenericRelation, GenericRelation]:
    common = {
        "content_type_field": "base_content_type",
        "object_id_field": "object_id",
        "related_query_name": name,
        "for_concrete_model": False,
    }
    return (
        GenericRelation("wagtailcore.WorkflowState", **common),
        GenericRelation("wagtailcore.Revision", **common),
    )


class Question(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, models.Model):
    title = models.CharField(_("管理用の名前"), max_length=100, help_text=_("例: A1-L1-01"))
    competency = models.ForeignKey(
        Competency,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("能力項目"),
        limit_choices_to={"framework__is_reference": False},  # ours, not another publisher's (ADR 0021)
    )
    level = models.PositiveSmallIntegerField(
        _("レベル"),
        validators=LEVEL_VALIDATORS,
        default=1,
        help_text=_("この問題で確かめる習熟度(小テストで示せるのはLv2まで)"),
    )
    difficulty = models.PositiveSmallIntegerField(
        _("難易度"), choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    body = StreamField(QUESTION_BLOCKS, min_num=1, max_num=1, verbose_name=_("問題"))
    exam_only = models.BooleanField(
        _("試験専用"),
        default=False,
        help_text=_(
            "DX推進リーダー知識試験だけに出題し、練習用の小テストには出題しません。正解は受講者に表示されません。"
        ),
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    municipality = owner_foreign_key(_("空欄は共通(全自治体に提供)"))
    workflow_states, revisions = _generic_relations("question")

    base_form_class = QuestionAdminForm
    objects = SharedContentManager()

    panels = [
        FieldPanel("title"),
        FieldPanel("municipality"),
        FieldRowPanel([FieldPanel("competency"), FieldPanel("level"), FieldPanel("difficulty")]),
        FieldPanel("exam_only"),
        FieldPanel("body"),
    ]
    search_fields = [
        index.SearchField("title"),
        index.FilterField("level"),
        index.FilterField("live"),
        index.FilterField("municipality"),  # searches are scoped like every list (ADR 0024)
    ]

    class Meta:
        verbose_name = _("問題")
        verbose_name_plural = _("問題")
        ordering = ["competency__code", "level", "title"]
        constraints = [
            # A title names a question within its owner's bank (imports find questions by it).
            models.UniqueConstraint(
                fields=["municipality", "title"],
                condition=Q(municipality__isnull=False),
                name="question_title_unique_in_owner",
            ),
            models.UniqueConstraint(
                fields=["title"], condition=Q(municipality__isnull=True), name="question_title_unique_shared"
            ),
            models.CheckConstraint(condition=level_in_range("level"), name="question_level_range"),
        ]
        permissions = [("export_question", _("問題バンクを正解付きで書き出す"))]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def get_indexed_objects(cls):
        return cls._base_manager.all()  # the search index holds every owner's; searches are scoped

    def clean(self) -> None:
        super().clean()
        if self.exam_only and self.pk and self.shown_in_practice():
            raise ValidationError(
                {
                    "exam_only": _(
                        "この問題は練習用の小テストで出題済みで、正解が受講者に表示されている可能性があります。"
                        "試験用には新しい問題を作成してください。"
                    )
                }
            )

    def shown_in_practice(self) -> bool:
        """Whether any attempt of a quiz other than the leader exam has drawn this question."""
        drawn = AttemptItem.objects.filter(version__question=self, attempt__quiz__is_leader_exam=False)
        return drawn.exists()

    @property
    def question_type(self) -> str:
        return self.body[0].block_type if len(self.body) else ""


class QuestionVersion(models.Model):
    """An immutable snapshot of a question as learners saw it (created on first use of each definition)."""

    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版"))
    definition = models.JSONField(_("定義"))
    digest = models.CharField(max_length=64, editable=False)
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(validators=LEVEL_VALIDATORS)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("問題の版")
        verbose_name_plural = _("問題の版")
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="question_version_number_unique"),
            models.UniqueConstraint(
                fields=["question", "digest", "competency", "level"], name="question_version_digest_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question} v{self.number}"

    @staticmethod
    def digest_of(definition: dict) -> str:
        canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


class FeedbackTiming(models.TextChoices):
    IMMEDIATE = "immediate", _("提出後すぐに表示")
    AFTER_CLOSE = "after_close", _("受験期間の終了後に表示")


class Selection(models.TextChoices):
    FIXED = "fixed", _("指定した問題")
    RANDOM = "random", _("能力項目ごとに無作為抽出")


class Quiz(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, ClusterableModel):
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("説明"), blank=True)
    selection = models.CharField(_("出題方法"), max_length=10, choices=Selection.choices, default="fixed")
    passing_percent = models.PositiveSmallIntegerField(
        _("合格点(%)"), default=70, validators=[MaxValueValidator(100)]
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("制限時間(分)"), null=True, blank=True, help_text=_("空欄は制限なし")
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("受験回数の上限"), null=True, blank=True, help_text=_("空欄は無制限")
    )
    shuffle_options = models.BooleanField(_("選択肢の順序を入れ替える"), default=True)
    feedback_timing = models.CharField(
        _("正誤と解説の表示"), max_length=12, choices=FeedbackTiming.choices, default=FeedbackTiming.IMMEDIATE
    )
    closes_at = models.DateTimeField(_("受験期間の終了"), null=True, blank=True)
    is_leader_exam = models.BooleanField(_("DX推進リーダー知識試験"), default=False)
    municipality = owner_foreign_key(_("空欄は共通(全自治体に提供)"))
    workflow_states, revisions = _generic_relations("quiz")
    base_form_class = QuizAdminForm

    objects = SharedContentManager()

    panels = [
        FieldPanel("title"),
        FieldPanel("municipality"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("selection"),
                FieldPanel("passing_percent"),
                FieldPanel("time_limit_minutes"),
                FieldPanel("max_attempts"),
                FieldPanel("shuffle_options"),
                FieldPanel("feedback_timing"),
                FieldPanel("closes_at"),
                FieldPanel("is_leader_exam"),
            ],
            heading=_("設定"),
        ),
        InlinePanel("items", label=_("出題する問題(指定した問題)")),
        InlinePanel("draw_rules", label=_("抽出のルール(無作為抽出)")),
    ]

    class Meta:
        verbose_name = _("小テスト")
        verbose_name_plural = _("小テスト")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def is_closed(self, now=None) -> bool:
        return bool(self.closes_at and (now or timezone.now()) >= self.closes_at)


class QuizItem(Orderable):
    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("問題"))
    weight = models.DecimalField(
        _("配点"), max_digits=5, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )

    panels = [FieldPanel("question"), FieldPanel("weight")]


class QuizDrawRule(Orderable):
    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="draw_rules")
    competency = models.ForeignKey(
        Competency,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("能力項目"),
        limit_choices_to={"framework__is_reference": False},
    )
    max_level = models.PositiveSmallIntegerField(_("レベル上限"), default=2, validators=LEVEL_VALIDATORS)
    count = models.PositiveSmallIntegerField(_("出題数"), default=1, validators=[MinValueValidator(1)])

    panels = [FieldPanel("competency"), FieldPanel("max_level"), FieldPanel("count")]


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("受験中")
    SUBMITTED = "submitted", _("提出済み")
    EXPIRED = "expired", _("時間切れ")


class Attempt(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts")
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("回"))
    status = models.CharField(
        _("状態"), max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("開始日時"), default=timezone.now)
    deadline = models.DateTimeField(_("締切"), null=True, blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    seed = models.PositiveIntegerField(_("出題順の種"))
    points = models.DecimalField(_("得点"), max_digits=8, decimal_places=3, null=True, blank=True)
    max_points = models.DecimalField(_("満点"), max_digits=8, decimal_places=3, null=True, blank=True)
    percent = models.DecimalField(_("得点率"), max_digits=6, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("合格"), null=True, blank=True)

    class Meta:
        verbose_name = _("受験")
        verbose_name_plural = _("受験")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "quiz", "number"], name="attempt_number_unique"),
            models.UniqueConstraint(
                fields=["user", "quiz"], condition=Q(status="in_progress"), name="attempt_one_open_per_quiz"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.quiz} #{self.number}"


class AttemptItem(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="attempt_items")
    weight = models.DecimalField(max_digits=5, decimal_places=2, default=1)
    response = models.JSONField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    fraction = models.DecimalField(max_digits=6, decimal_places=5, null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "position"], name="attempt_item_position")]

    def __str__(self) -> str:
        return f"{self.attempt} Q{self.position}"


class EvidenceSource(models.TextChoices):
    QUIZ = "quiz", _("小テスト")
    COURSE = "course", _("コース修了")
    QUALIFICATION = "qualification", _("資格")
    OJT = "ojt", _("OJT・業務実績")
    ADVISOR = "advisor", _("外部人材による評価")


class EvidenceStatus(models.TextChoices):
    PENDING = "pending", _("確認待ち")
    VERIFIED = "verified", _("確認済み")
    REJECTED = "rejected", _("却下")


class Evidence(models.Model):
    """Why we believe a learner holds a competency at a level; counts against its framework version."""

    # No index of its own: the (user, status) index and the unique (user, competency, source, source_key)
    # both lead with it, and serve a person's evidence and the cascade on deleting them (docs/scale.md).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evidence", db_index=False
    )
    competency = models.ForeignKey(
        Competency, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("能力項目")
    )
    level = models.PositiveSmallIntegerField(_("レベル"), validators=LEVEL_VALIDATORS)
    source = models.CharField(_("根拠の種類"), max_length=20, choices=EvidenceSource.choices)
    source_key = models.CharField(
        _("根拠の識別子"),
        max_length=100,
        help_text=_("例: attempt:123。同じ根拠を二重に記録しないために使います。"),
    )
    status = models.CharField(
        _("状態"), max_length=10, choices=EvidenceStatus.choices, default=EvidenceStatus.PENDING
    )
    recorded_at = models.DateTimeField(_("記録日時"), default=timezone.now)
    # Indexed only where set (``Meta.indexes``): quiz and course evidence, most rows, has no reviewer.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("確認者"),
        db_index=False,
    )
    reviewed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    rejection_reason = models.TextField(_("却下の理由"), blank=True)

    # A staff member's: an unscoped query raises; a scoped one sees its municipality's people (ADR 0016).
    objects = TenantManager("user__staff_profile__municipality")

    class Meta:
        verbose_name = _("実績")
        verbose_name_plural = _("実績")
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "competency", "source", "source_key"], name="evidence_once_per_source"
            ),
            models.CheckConstraint(condition=level_in_range("level"), name="evidence_level_range"),
        ]
        indexes = [
            models.Index(fields=["user", "status"]),
            # Deleting a reviewer sets ``reviewed_by_id = NULL WHERE reviewed_by_id IN (…)``, which implies
            # the condition: this index serves it, and the foreign key's own check, without the NULLs.
            models.Index(
                fields=["reviewed_by"],
                condition=Q(reviewed_by__isnull=False),
                name="evidence_reviewed_by_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.competency.code} Lv{self.level} ({self.source})"


class XBlockState(models.Model):
    """A learner's ``Scope.user_state`` of one XBlock rendered by the site's own runtime."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="xblock_states")
    usage_key = models.CharField(max_length=100)
    block_type = models.CharField(max_length=50)
    state = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("XBlockの受講者状態")
        verbose_name_plural = _("XBlockの受講者状態")
        constraints = [models.UniqueConstraint(fields=["user", "usage_key"], name="xblock_state_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.usage_key}"


class ExamConflictException(models.Model):
    """人事課's audited permission for a person who can see the answer keys to sit one exam anyway.

    Only ever added, never edited (the record is the audit trail: who, for which exam, why, granted by
    whom, when, until when). It ends on ``valid_until``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="exam_conflict_exceptions",
        verbose_name=_("受験する人"),
    )
    quiz = models.ForeignKey(
        Quiz,
        on_delete=models.PROTECT,
        related_name="conflict_exceptions",
        limit_choices_to={"is_leader_exam": True},
        verbose_name=_("試験"),
    )
    reason = models.TextField(_("理由"), help_text=_("特例を認める理由(監査のために残ります)"))
    valid_until = models.DateField(_("有効期限"), help_text=_("この日まで受験を開始できます(最長90日)"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("承認者")
    )
    granted_at = models.DateTimeField(_("承認日時"), default=timezone.now)

    class Meta:
        verbose_name = _("試験受験の特例")
        verbose_name_plural = _("試験受験の特例")
        ordering = ["-granted_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(user=models.F("granted_by")), name="exam_exception_not_self_granted"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.quiz} ({self.valid_until:%Y-%m-%d})"


owned_content_form_fields(Question, Quiz)

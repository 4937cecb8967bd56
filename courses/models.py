"""Curriculum pages (index → course → lesson) and each learner's enrolment and lesson progress."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import AbstractGroupApprovalTask, Orderable, Page, TaskState
from wagtail.search import index

from courses.blocks import LESSON_BLOCKS
from courses.competencies.models import Competency
from courses.competencies.scale_fields import LEVEL_VALIDATORS
from lms_site.organisation.api import (
    OWNER,
    SHARED_CONTENT_GROUPS,
    ChoosableMediaPageForm,
    may_review,
    may_review_shared,
    owned_not_reviewable,
    owner_at,
    owner_foreign_key,
    owner_of,
    pages_not_reviewable,
)

OWNER_HELP = _(
    "空欄は共通(全自治体に提供)。団体のサイトの下のページはその団体のもので、その団体の職員にだけ表示されます"
    "(置き場所で決まります)。"
)


class OwnedPage(Page):
    """A page with an owner (ADR 0024): the municipality whose own site it is in, None in the shared tree.

    The owner is where the page is, not a choice: it is set from the page's path whenever the page is
    saved (created, published, copied) and when it is moved (``owner_follow_move``)."""

    municipality = owner_foreign_key(OWNER_HELP)
    # an image or document chosen must be one the editor may choose (their municipality's or shared)
    base_form_class = ChoosableMediaPageForm

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.path:
            self.municipality_id = owner_at(self.path)
        return super().save(*args, **kwargs)


class Audience(models.TextChoices):
    ALL_STAFF = "all_staff", _("全職員")
    LEADER_CANDIDATES = "leader_candidates", _("DX推進リーダー候補")
    IT_STAFF = "it_staff", _("情報システム担当")


class Delivery(models.TextChoices):
    ELEARNING = "elearning", _("eラーニング")
    CLASSROOM = "classroom", _("集合研修")
    OJT = "ojt", _("OJT")


class CurriculumIndexPage(Page):
    """/courses/: every published course, searchable and filterable by area, audience and format."""

    intro = RichTextField(_("紹介文"), blank=True, features=["bold", "link", "ul"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count_per_parent = 1  # one per home page: the shared one and each municipality's own site's

    class Meta:
        verbose_name = _("研修コース一覧")

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import course_catalogue

        context = super().get_context(request, *args, **kwargs)
        context.update(course_catalogue(index=self, params=request.GET, user=request.user))
        return context


class CoursePage(OwnedPage):
    summary = models.CharField(_("概要"), max_length=300, help_text=_("一覧に表示する一〜二文"))
    description = RichTextField(_("詳しい説明"), blank=True, features=["bold", "link", "ul", "ol", "h3"])
    audience = models.CharField(
        _("対象者"), max_length=20, choices=Audience.choices, default=Audience.ALL_STAFF
    )
    delivery = models.CharField(
        _("形式"), max_length=20, choices=Delivery.choices, default=Delivery.ELEARNING
    )
    estimated_hours = models.DecimalField(
        _("標準学習時間(時間)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(200)],
    )
    prerequisites = ParentalManyToManyField(
        "self", blank=True, symmetrical=False, related_name="required_by", verbose_name=_("前提となるコース")
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("audience"),
                FieldPanel("delivery"),
                FieldPanel("estimated_hours"),
                FieldPanel("prerequisites"),
            ],
            heading=_("コース情報"),
        ),
        InlinePanel("competency_targets", label=_("身につく能力と到達レベル"), min_num=1),
        InlinePanel(
            "reference_alignments",
            label=_("外部の能力基準との対応"),
            help_text=_(
                "購入した教材などが外部の基準(デジタルスキル標準など)の項目に沿っている場合に選びます。"
                "コースのページに、その項目に対応付けた当団体の能力項目が表示されます。"
            ),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("description"),
        index.FilterField("audience"),
        index.FilterField("delivery"),
    ]
    parent_page_types = ["courses.CurriculumIndexPage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("研修コース")
        verbose_name_plural = _("研修コース")

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import course_detail

        context = super().get_context(request, *args, **kwargs)
        context.update(course_detail(course=self, user=request.user))
        return context


class CourseCompetency(Orderable):
    """A competency a course develops, and the level it brings a learner to."""

    course = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="competency_targets")
    competency = models.ForeignKey(
        Competency,
        on_delete=models.PROTECT,
        related_name="course_targets",
        verbose_name=_("能力項目"),
        limit_choices_to={"framework__is_reference": False},  # ours, not another publisher's (ADR 0021)
    )
    level = models.PositiveSmallIntegerField(_("到達レベル"), validators=LEVEL_VALIDATORS, default=1)

    panels = [FieldPanel("competency"), FieldPanel("level")]

    class Meta(Orderable.Meta):
        verbose_name = _("身につく能力")
        constraints = [
            models.UniqueConstraint(fields=["course", "competency"], name="course_competency_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.competency.code} Lv{self.level}"


class CourseReferenceAlignment(Orderable):
    """An item of a reference framework (デジタルスキル標準, a vendor's framework; ADR 0021) the course is
    aligned to, as a bought course says of itself. The course page shows which of our competencies the
    framework's mappings relate to that item: how the publisher's claim reads in our terms."""

    course = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="reference_alignments")
    reference = models.ForeignKey(
        Competency,
        on_delete=models.PROTECT,
        related_name="course_alignments",
        verbose_name=_("参照フレームワークの項目"),
        limit_choices_to={"framework__is_reference": True},
    )

    panels = [FieldPanel("reference")]

    class Meta(Orderable.Meta):
        verbose_name = _("外部の能力基準との対応")
        verbose_name_plural = _("外部の能力基準との対応")
        constraints = [
            models.UniqueConstraint(fields=["course", "reference"], name="course_reference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.course_id} ≈ {self.reference.code}"

    def clean(self) -> None:
        if self.reference_id and not self.reference.framework.is_reference:
            raise ValidationError({"reference": _("参照フレームワークの項目を選んでください。")})


class LessonPage(OwnedPage):
    summary = models.CharField(_("要約"), max_length=300, blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(_("標準学習時間(分)"), default=15)
    body = StreamField(LESSON_BLOCKS, verbose_name=_("本文"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("estimated_minutes"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("レッスン")
        verbose_name_plural = _("レッスン")

    @property
    def course_path(self) -> str:
        """The tree path of the course this lesson belongs to (its parent), without a query."""
        return self.path[: -self.steplen]

    def course(self) -> CoursePage:
        return CoursePage.objects.get(path=self.course_path)

    # Blocks rendered for each reader (never from the cache): the quiz shows the reader's own attempt and
    # its script carries the request's CSP nonce, and the quiz's state changes without a page publish; a
    # SCORM package runs only for readers of its municipality, with their own attempt.
    LIVE_BLOCK_TYPES = frozenset({"quiz", "scorm"})

    def body_segments(self) -> list["BodySegment"]:
        """The body as runs of consecutive blocks, each cacheable or rendered per reader. Read from the raw
        stream: a cached run's blocks are only converted if the fragment cache misses."""
        segments: list[BodySegment] = []
        for position, raw in enumerate(self.body.raw_data):
            cacheable = raw["type"] not in self.LIVE_BLOCK_TYPES
            if not segments or segments[-1].cacheable != cacheable:
                segment = BodySegment(self.body, start=position, cacheable=cacheable, key=len(segments))
                segments.append(segment)
            segments[-1].end = position + 1
        return segments

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import lesson_detail

        context = super().get_context(request, *args, **kwargs)
        context.update(lesson_detail(lesson=self, request=request))
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)  # a TemplateResponse, not rendered yet
        context = response.context_data
        if request.user.is_authenticated and context["is_enrolled"]:
            from courses.services import lesson_visit, lesson_visit_due

            if lesson_visit_due(lesson=self, last_visit=context["last_visit"]):
                lesson_visit(user=request.user, lesson=self)
        return response


class BodySegment:
    """Blocks ``start`` to ``end`` of a lesson body; ``key`` tells the segments' fragments apart."""

    def __init__(self, stream, *, start: int, cacheable: bool, key: int):
        self.stream, self.start, self.end, self.cacheable, self.key = stream, start, start, cacheable, key

    @cached_property
    def blocks(self) -> list:
        return [self.stream[i] for i in range(self.start, self.end)]


class Enrollment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrollments",
        verbose_name=_("受講者"),
    )
    course = models.ForeignKey(
        CoursePage, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("コース")
    )
    enrolled_at = models.DateTimeField(_("受講開始日時"), default=timezone.now)
    completed_at = models.DateTimeField(_("修了日時"), null=True, blank=True)
    last_lesson = models.ForeignKey(
        LessonPage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("最後に開いたレッスン"),
    )
    last_activity_at = models.DateTimeField(_("最終学習日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("受講")
        verbose_name_plural = _("受講")
        ordering = ["-last_activity_at", "-enrolled_at"]
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="enrollment_unique")]
        indexes = [models.Index(fields=["course", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.course}"


class CourseRetake(models.Model):
    """A completion set aside when the learner started the course again (training repeated every fiscal
    year): the enrolment then holds the new attempt, and this row keeps when the earlier one was done, so
    that last year's training still shows as completed (``courses.services.enrollment_restart``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("受講者")
    )
    course = models.ForeignKey(
        CoursePage, on_delete=models.CASCADE, related_name="+", verbose_name=_("コース")
    )
    completed_at = models.DateTimeField(_("修了日時"))
    restarted_at = models.DateTimeField(_("受講し直した日時"), default=timezone.now)

    class Meta:
        verbose_name = _("過去の修了")
        verbose_name_plural = _("過去の修了")
        constraints = [
            models.UniqueConstraint(fields=["user", "course", "completed_at"], name="course_retake_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ✓ {self.course} ({self.completed_at:%Y-%m-%d})"


class LessonCompletion(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lesson_completions",
        verbose_name=_("受講者"),
    )
    lesson = models.ForeignKey(
        LessonPage, on_delete=models.CASCADE, related_name="completions", verbose_name=_("レッスン")
    )
    completed_at = models.DateTimeField(_("完了日時"), default=timezone.now)

    class Meta:
        verbose_name = _("レッスン完了")
        verbose_name_plural = _("レッスン完了")
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="lesson_completion_unique")]

    def __str__(self) -> str:
        return f"{self.user} ✓ {self.lesson}"


def owner_follow_move(sender=None, instance=None, **kwargs) -> None:
    """``post_page_move``: the moved page's courses and lessons take the owner of where they now are."""
    owner = owner_at(instance.path)
    for model in (CoursePage, LessonPage):
        model.objects.descendant_of(instance, inclusive=True).exclude(municipality_id=owner).update(
            municipality_id=owner
        )


class OwnApprovalTask(AbstractGroupApprovalTask):
    """Approval by the task's groups where the owner decides who of them may act (ADR 0024).

    For a page of a municipality's own site, or a question or quiz of its own, only those in the task's
    municipality groups (the DX推進課 role) who act in that municipality may approve, reject, open the
    editor while it waits, or see it among the content to approve. For shared content (the shared
    curriculum, the shared library), only the platform's reviewers (共通教材の承認者) or someone acting
    platform-wide, whatever their municipality. The roles are one group for every municipality (ADR
    0016), so Wagtail's ``GroupApprovalTask`` would let any municipality's DX推進課 approve another's page,
    question or quiz, or the shared courses every municipality reads, and see every one waiting (its
    title) on the dashboard and in the workflow reports."""

    def _in_own_groups(self, user) -> bool:
        """In one of the task's groups other than the platform's editorial roles."""
        return self.groups.exclude(name__in=SHARED_CONTENT_GROUPS).filter(id__in=user.groups.all()).exists()

    def _may(self, obj, user) -> bool:
        if user.is_superuser:
            return True
        if not may_review(user, obj):
            return False
        return owner_of(obj) is None or self._in_own_groups(user)

    def may_act(self, obj, user) -> bool:
        """Whether ``user`` may approve or reject ``obj`` in this task (and is told it waits)."""
        return self._may(obj, user)

    def user_can_access_editor(self, obj, user):
        return self._may(obj, user)

    def locked_for_user(self, obj, user):
        return not self._may(obj, user)

    def user_can_lock(self, obj, user):
        return self._may(obj, user)

    def get_actions(self, obj, user):
        return super().get_actions(obj, user) if self._may(obj, user) else []

    def on_action(self, task_state, user, action_name, **kwargs):
        """Refuse an action on a task state the person may not act on. Wagtail's workflow action views
        check ``get_actions`` for the object named in the URL but take the task state by its id alone,
        so without this a reviewer could name an item of their own and the task state of another
        municipality's (ADR 0024)."""
        item = task_state.workflow_state.content_object
        if user is not None and (
            task_state.task_id != self.pk
            or task_state.status != TaskState.STATUS_IN_PROGRESS
            or item is None
            or not self._may(item, user)
        ):
            raise PermissionDenied
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        if user.is_superuser:
            return states
        own = self._in_own_groups(user)
        if not own and not may_review_shared(user):
            return TaskState.objects.none()
        for content_type, keys in self._not_reviewable(user, own=own, states=states):
            states = states.exclude(
                workflow_state__base_content_type=content_type, workflow_state__object_id__in=keys
            )
        return states

    def _not_reviewable(self, user, *, own: bool, states):
        """(content type, keys of the items ``user`` may not review) for each kind of item waiting on this
        task: pages by where they are (``pages_not_reviewable``), questions, quizzes and any other
        snippet with an owner column by their owner (``owned_not_reviewable``); a snippet without one is
        shared content."""
        page_type = ContentType.objects.get_for_model(Page)
        kinds = ContentType.objects.filter(pk__in=states.values("workflow_state__base_content_type"))
        for content_type in kinds:
            model = content_type.model_class()
            if model is None:  # a model no longer installed: nothing of it to show
                continue
            if content_type == page_type:
                refused = pages_not_reviewable(user, in_own_groups=own)
            elif any(field.name == OWNER for field in model._meta.fields):
                refused = owned_not_reviewable(user, in_own_groups=own)
            else:
                refused = None if may_review_shared(user) else Q(pk__isnull=False)
            if refused is not None:
                model = Page if content_type == page_type else model
                keys = model._base_manager.filter(refused).annotate(key=Cast("pk", CharField()))
                yield content_type, keys.values("key")

    class Meta:
        verbose_name = _("自団体のグループによる承認")
        verbose_name_plural = _("自団体のグループによる承認")

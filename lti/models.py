"""The platform as an LTI 1.3 tool (issue 17, ADR 0023): who may launch it, as whom, and grades owed back.

- ``ToolKey``: the tool's RSA signing keys (deep linking responses, the client assertions of grade
  services). The private half sealed at rest; the newest live key signs; a retired key stays in the
  published JWKS for ``LTI_KEY_GRACE_DAYS``.
- ``Registration``: a municipality's LMS (the platform: issuer + client id), with its ``Deployment`` rows.
- ``LtiIdentity``: the platform's user (its ``sub``) and the user who signs in here for them: a staff
  member matched by employee number where the registration is trusted for that, otherwise a user of its
  own, not linked to the HR data.
- ``LaunchContext``: an LMS course seen in launches, with its NRPS memberships URL (for HR's members list).
- ``UsedNonce``: each id_token's nonce is accepted once.
- ``GradeLink`` and ``Score``: the platform's line item for a learner's quiz, lesson or course, and the
  outbox of scores to post to it (sent by ``lti.send_scores`` with retries and backoff).
- ``ToolLineItem``: a line item the tool found or made at the platform for a resource link that came
  without one (``lti.lineitems``).
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms_site.organisation.api import Municipality


class ToolKeyQuerySet(models.QuerySet):
    def published(self, now=None):
        """The keys in the JWKS: live ones, and ones retired within the grace period."""
        now = now or timezone.now()
        grace = datetime.timedelta(days=settings.LTI_KEY_GRACE_DAYS)
        return self.filter(models.Q(retired_at__isnull=True) | models.Q(retired_at__gt=now - grace))


class ToolKey(models.Model):
    kid = models.CharField(_("鍵 ID"), max_length=100, unique=True)
    private_key_sealed = models.TextField(_("秘密鍵(封印済み)"))
    public_key = models.TextField(_("公開鍵(PEM)"))
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)
    retired_at = models.DateTimeField(_("退役日時"), null=True, blank=True)

    objects = ToolKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("ツールの署名鍵")
        verbose_name_plural = _("ツールの署名鍵")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.kid


class Registration(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="lti_registrations", verbose_name=_("自治体")
    )
    name = models.CharField(_("名称"), max_length=100)
    issuer = models.CharField(_("発行者(issuer)"), max_length=255)
    client_id = models.CharField(_("クライアント ID"), max_length=255)
    auth_login_url = models.URLField(_("認可エンドポイント(OIDC 認証リクエスト URL)"), max_length=500)
    auth_token_url = models.URLField(_("アクセストークン URL"), max_length=500)
    auth_audience = models.CharField(_("トークンの対象者(空欄はトークン URL)"), max_length=500, blank=True)
    keyset_url = models.URLField(_("プラットフォームの公開鍵セット URL(JWKS)"), max_length=500)
    match_staff = models.BooleanField(
        _("職員番号で職員と照合する"),
        default=False,
        help_text=_(
            "信頼できる LMS に限り有効にします。有効なとき、起動した利用者を職員番号でこの自治体の職員に"
            "結び付けます。無効なときは人事データと結び付かない LTI 専用の利用者になります。"
        ),
    )
    employee_number_claim = models.CharField(
        _("職員番号の項目名"),
        max_length=100,
        default="person_sourcedid",
        help_text=_(
            "id_token の項目、カスタムパラメータ、または lis クレームの項目の名前"
            "(Moodle のユーザの ID ナンバーは lis の person_sourcedid)"
        ),
    )
    is_active = models.BooleanField(_("有効"), default=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    # staff_for_sign_in (lms_site.identity) reads this of a provider; an LMS's e-mail addresses are not
    # vouched for, so never.
    email_fallback = False

    class Meta:
        verbose_name = _("LTI 登録(LMS)")
        verbose_name_plural = _("LTI 登録(LMS)")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_registration_issuer_client"),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.municipality.name})"

    @property
    def platform_origin(self) -> str:
        from lms_site.security import origin_of

        return origin_of(self.auth_login_url)


class Deployment(models.Model):
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="deployments", verbose_name=_("LTI 登録")
    )
    deployment_id = models.CharField(_("デプロイメント ID"), max_length=255)

    class Meta:
        verbose_name = _("LTI デプロイメント")
        verbose_name_plural = _("LTI デプロイメント")
        ordering = ["registration", "deployment_id"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "deployment_id"], name="lti_deployment_unique"),
        ]

    def __str__(self) -> str:
        return self.deployment_id


class LtiIdentity(models.Model):
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="identities", verbose_name=_("LTI 登録")
    )
    subject = models.CharField(_("LMS の利用者 ID(sub)"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lti_identities",
        verbose_name=_("利用者"),
    )
    is_staff_match = models.BooleanField(_("職員と照合済み"), default=False)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("LTI 利用者")
        verbose_name_plural = _("LTI 利用者")
        constraints = [
            models.UniqueConstraint(fields=["registration", "subject"], name="lti_identity_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.registration.name}: {self.subject}"


class LaunchContext(models.Model):
    """A course (LTI context) of the LMS that launched the tool, with its NRPS memberships URL: where the
    municipality's HR can ask the LMS for the course's members (``lti.nrps.context_members``). Course
    configuration, not personal data: who is in the course is never stored, only fetched."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="contexts", verbose_name=_("LTI 登録")
    )
    context_id = models.CharField(_("LMS のコース ID"), max_length=255)
    title = models.CharField(_("LMS のコース名"), max_length=255, blank=True)
    memberships_url = models.URLField(_("参加者一覧の URL(NRPS)"), max_length=500)
    # the content launched from this course: ``course:ID``, ``lesson:ID``, ``quiz:ID`` (the newest last)
    targets = models.JSONField(_("起動された教材"), default=list, blank=True)
    last_launch_at = models.DateTimeField(_("最後の起動"), default=timezone.now)

    class Meta:
        verbose_name = _("LMS のコース")
        verbose_name_plural = _("LMS のコース")
        ordering = ["registration", "-last_launch_at"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "context_id"], name="lti_context_unique"),
        ]
        permissions = [("view_lms_members", _("LMS のコース参加者を見る"))]

    def __str__(self) -> str:
        return self.title or self.context_id


class UsedNonce(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=255)
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["registration", "nonce"], name="lti_nonce_once")]

    def __str__(self) -> str:
        return self.nonce


class GradeLink(models.Model):
    """A learner's line item at the platform for one quiz, lesson or course (from the launch's AGS claim,
    or a ``ToolLineItem`` the tool found or made)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="grade_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=255)
    quiz = models.ForeignKey("assessments.Quiz", on_delete=models.CASCADE, null=True, related_name="+")
    course = models.ForeignKey("courses.CoursePage", on_delete=models.CASCADE, null=True, related_name="+")
    lesson = models.ForeignKey("courses.LessonPage", on_delete=models.CASCADE, null=True, related_name="+")
    lineitem_url = models.URLField(max_length=500)
    scopes = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "user", "quiz", "lineitem_url"],
                condition=models.Q(quiz__isnull=False),
                name="lti_grade_link_quiz_unique",
            ),
            models.UniqueConstraint(
                fields=["registration", "user", "course", "lineitem_url"],
                condition=models.Q(course__isnull=False),
                name="lti_grade_link_course_unique",
            ),
            models.UniqueConstraint(
                fields=["registration", "user", "lesson", "lineitem_url"],
                condition=models.Q(lesson__isnull=False),
                name="lti_grade_link_lesson_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(quiz__isnull=False, course__isnull=True, lesson__isnull=True)
                | models.Q(quiz__isnull=True, course__isnull=False, lesson__isnull=True)
                | models.Q(quiz__isnull=True, course__isnull=True, lesson__isnull=False),
                name="lti_grade_link_one_target",
            ),
        ]

    def __str__(self) -> str:
        return self.lineitem_url


class ScoreStatus(models.TextChoices):
    PENDING = "pending", _("送信待ち")
    SENT = "sent", _("送信済み")
    FAILED = "failed", _("送信を断念")


class Score(models.Model):
    """One score to post to a line item; the outbox row ``lti.send_scores`` works through."""

    link = models.ForeignKey(GradeLink, on_delete=models.CASCADE, related_name="scores")
    # what it scores, once each: ``attempt:ID`` (a graded quiz attempt), ``completion:ISO time`` (a course),
    # ``lesson:ID`` (a lesson's completion row), ``progress:ID`` (a course's progress at that completion)
    source = models.CharField(max_length=100)
    score_given = models.DecimalField(max_digits=8, decimal_places=3)
    score_maximum = models.DecimalField(max_digits=8, decimal_places=3)
    # AGS activityProgress / gradingProgress: InProgress / Pending for a course's progress on the way
    activity_progress = models.CharField(max_length=20, default="Completed")
    grading_progress = models.CharField(max_length=20, default="FullyGraded")
    timestamp = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ScoreStatus.choices, default=ScoreStatus.PENDING)
    tries = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("LMS へ送る成績")
        verbose_name_plural = _("LMS へ送る成績")
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "next_try_at"], name="lti_score_due")]
        constraints = [models.UniqueConstraint(fields=["link", "source"], name="lti_score_once")]

    def __str__(self) -> str:
        return f"{self.link.lineitem_url}: {self.score_given}/{self.score_maximum}"


class ToolLineItem(models.Model):
    """A line item the tool found or made at the platform (AGS ``lineitem`` scope) for a resource link whose
    launch carried the line items URL but no line item: later launches of the link score into it."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="tool_lineitems")
    lineitems_url = models.URLField(max_length=500)
    resource_link_id = models.CharField(max_length=255)
    # our stable id of the content: ``course:ID``, ``lesson:ID`` or ``quiz:ID`` (the line item's resourceId)
    resource_id = models.CharField(max_length=40)
    lineitem_url = models.URLField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "lineitems_url", "resource_link_id", "resource_id"],
                name="lti_tool_lineitem_unique",
            )
        ]

    def __str__(self) -> str:
        return self.lineitem_url

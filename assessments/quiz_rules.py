"""The rules of one quiz for one person, decided in one place for the quiz page and the lesson's XBlock.

``quiz_rules`` answers: may a new attempt start now (and if not, why, in the learner's language), the
time limit, the attempts left, whether the quiz is closed, whether right/wrong details, feedback and
explanations may be shown now, whether correct answers may ever be shown, and whether the quiz may be
answered inside a lesson. ``attempts.attempt_start`` (quiz page), ``attempts.attempt_start_with``
(XBlock), the result page and the XBlock runtime all read these answers; none decides on its own.

Question pools (ADR 0010): the leader exam draws only exam-only questions, every other quiz only the
others, so no practice attempt ever shows an exam question; and no key of an exam-only question, nor of
any question in the exam, is shown to a learner.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Attempt, FeedbackTiming, Quiz, Selection
from lms_site.organisation.api import offered_to


@dataclass(frozen=True)
class QuizRules:
    quiz: Quiz
    closed: bool
    time_limit: datetime.timedelta | None
    attempts_left: int | None  # None: unlimited
    refusal: str  # why a new attempt may not start now; empty: it may
    conflicted: bool  # refused because the person can see or change the answer keys
    feedback_visible: bool  # feedback and explanations may be shown now
    keys_visible: bool  # correct answers may be shown now (never in the leader exam)
    inline: bool  # may be answered inside a lesson (the XBlock)

    @property
    def may_start(self) -> bool:
        return not self.refusal

    def key_visible(self, question_exam_only: bool) -> bool:
        """Whether the correct answer of a question (exam-only or not) may be shown now."""
        return self.keys_visible and not question_exam_only


def quiz_pool(quiz: Quiz, *, prefix: str = "") -> Q:
    """The filter on ``Question`` that keeps a quiz to its pool: exam-only for the exam, never otherwise;
    and only questions offered to the quiz's owner (ADR 0024), whoever takes it."""
    exam = Q(**{f"{prefix}exam_only": bool(quiz.is_leader_exam)})
    return exam & offered_to(quiz.municipality_id, prefix=prefix)


def quiz_feedback_visible(*, quiz: Quiz, now: datetime.datetime | None = None) -> bool:
    if quiz.is_leader_exam:
        return False
    return quiz.feedback_timing == FeedbackTiming.IMMEDIATE or quiz.is_closed(now)


def _attempts_left(*, user, quiz: Quiz) -> int | None:
    if quiz.max_attempts is None:
        return None
    return max(quiz.max_attempts - Attempt.objects.filter(user=user, quiz=quiz).count(), 0)


def quiz_rules(*, quiz: Quiz, user, now: datetime.datetime | None = None) -> QuizRules:
    from assessments import conflicts  # conflicts reads the workflow tables; only the exam needs it

    now = now or timezone.now()
    closed = quiz.is_closed(now)
    left = _attempts_left(user=user, quiz=quiz)
    conflicted = False
    refusal = ""
    if not quiz.live:
        refusal = _("この小テストは公開されていません。")
    elif closed:
        refusal = _("この小テストの受験期間は終了しました。")
    elif left == 0:
        refusal = _("受験回数の上限(%(max)d回)に達しています。") % {"max": quiz.max_attempts}
    elif (
        quiz.is_leader_exam
        and conflicts.exam_conflicted(user=user)
        and conflicts.exam_exception_active(user=user, quiz=quiz, on=timezone.localdate(now)) is None
    ):
        conflicted = True
        refusal = _(
            "あなたは問題バンクの正解を閲覧・編集できる権限(問題の閲覧・編集・承認・書出し)を持っているため、"
            "公正のためこの試験は受験できません。受験が必要な場合は、人事課に特例を申請してください。"
        )
    feedback = quiz_feedback_visible(quiz=quiz, now=now)
    minutes = quiz.time_limit_minutes
    return QuizRules(
        quiz=quiz,
        closed=closed,
        time_limit=datetime.timedelta(minutes=minutes) if minutes else None,
        attempts_left=left,
        refusal=refusal,
        conflicted=conflicted,
        feedback_visible=feedback,
        keys_visible=feedback and not quiz.is_leader_exam,
        inline=quiz.live and quiz.selection == Selection.FIXED and not minutes and not quiz.is_leader_exam,
    )

"""Scores owed to an LMS: a graded quiz attempt (its points out of its maximum), a completed lesson, or a
course's progress and completion, of a learner it launched with a line item for it (ADR 0023). Each
becomes an outbox row in the writer's transaction or on its commit. Only the learner's own links
(``GradeLink.user``) are ever scored."""

from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from assessments.api import Attempt
from lms_site.tasks import enqueue_on_commit

from .models import GradeLink, Score


def _owe(links, *, source: str, given, timestamp, maximum=100, progress=("Completed", "FullyGraded")) -> None:
    for link in links:
        Score.objects.get_or_create(
            link=link,
            source=source,
            defaults={
                "score_given": given,
                "score_maximum": maximum,
                "timestamp": timestamp,
                "activity_progress": progress[0],
                "grading_progress": progress[1],
            },
        )
    if links:
        from .tasks import send_scores

        enqueue_on_commit(send_scores)


def attempt_score(attempt: Attempt) -> tuple[Decimal, Decimal]:
    """(given, maximum) of a graded attempt: its points out of its own maximum (what it was out of; a
    random quiz's short pool or a retired question makes it differ from the quiz's, and the platform
    scales it to its line item's). An attempt out of nothing (every weight 0): its percentage of 100."""
    if attempt.points is not None and attempt.max_points is not None and attempt.max_points > 0:
        return attempt.points, attempt.max_points
    return attempt.percent or Decimal(0), Decimal(100)


@receiver(post_save, sender=Attempt, dispatch_uid="lti-score-on-graded-attempt")
def score_on_graded_attempt(sender, instance: Attempt, update_fields=None, **kwargs) -> None:
    """Every graded attempt (passed or not): its points, as the platform keeps the latest."""
    if instance.passed is None or update_fields is None or "passed" not in update_fields:
        return
    links = list(GradeLink.objects.filter(user_id=instance.user_id, quiz_id=instance.quiz_id))
    given, maximum = attempt_score(instance)
    _owe(
        links,
        source=f"attempt:{instance.pk}",
        given=given,
        maximum=maximum,
        timestamp=instance.finished_at,
    )


def score_on_course_completion(user_id: int, course_id: int) -> None:
    """A course hook (courses.services.course_completed_hooks), run after the completion commits: 100."""
    from courses.api import Enrollment

    completed = (
        Enrollment.objects.filter(user_id=user_id, course_id=course_id)
        .values_list("completed_at", flat=True)
        .first()
    )
    if completed is None:
        return
    links = list(GradeLink.objects.filter(user_id=user_id, course_id=course_id))
    _owe(
        links, source=f"completion:{completed.isoformat()}", given=100, timestamp=completed or timezone.now()
    )


def score_on_lesson_completion(user_id: int, lesson_id: int, course_id: int) -> None:
    """The Wagtail hook ``lesson_completed`` (courses), run after a lesson's first completion commits: the
    lesson's own line item gets 1/1 (Completed, FullyGraded); the course's, its progress (lessons done of
    the live ones; InProgress, Pending) until the course completes, when ``score_on_course_completion``
    posts it FullyGraded."""
    from courses.api import CoursePage, Enrollment, LessonCompletion, LessonPage

    owed = list(GradeLink.objects.filter(Q(lesson_id=lesson_id) | Q(course_id=course_id), user_id=user_id))
    if not owed:
        return
    links = [link for link in owed if link.lesson_id == lesson_id]
    course_links = [link for link in owed if link.course_id == course_id]
    completion = LessonCompletion.objects.filter(user_id=user_id, lesson_id=lesson_id).first()
    if completion is None:
        return
    _owe(links, source=f"lesson:{completion.pk}", given=1, maximum=1, timestamp=completion.completed_at)
    completed = Enrollment.objects.filter(user_id=user_id, course_id=course_id, completed_at__isnull=False)
    if not course_links or completed.exists():
        return
    live = LessonPage.objects.live().child_of(CoursePage.objects.get(pk=course_id))
    counts = live.aggregate(
        total=Count("pk", distinct=True),
        done=Count("completions", filter=Q(completions__user_id=user_id), distinct=True),
    )
    _owe(
        course_links,
        source=f"progress:{completion.pk}",
        given=counts["done"],
        maximum=max(counts["total"], 1),
        timestamp=completion.completed_at,
        progress=("InProgress", "Pending"),
    )

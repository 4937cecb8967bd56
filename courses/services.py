"""Writes for the learner's path: enrolment, lesson visits and completions."""

import datetime
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from wagtail import hooks

from courses.models import CoursePage, CourseRetake, Enrollment, LessonCompletion, LessonPage

# The Wagtail hook ``course_completed``: each ``fn(user_id, course_id)`` registered under this name is called
# once the completion commits (the assessments app records course evidence; a hook, so that courses does
# not depend on the apps above it). ADR 0026.
COURSE_COMPLETED = "course_completed"
# Older registrations by list (lti), called after the Wagtail hooks; new code registers the hook instead.
course_completed_hooks: list[Callable[[int, int], None]] = []
# The Wagtail hook ``lesson_completed``: each ``fn(user_id, lesson_id, course_id)`` registered under this name
# is called once a lesson's first completion by the user commits (lti posts a lesson's grade, a course's
# progress; ADR 0023).
LESSON_COMPLETED = "lesson_completed"


def _course_completed_on_commit(*, user_id: int, course_id: int) -> None:
    for hook in [*hooks.get_hooks(COURSE_COMPLETED), *course_completed_hooks]:
        transaction.on_commit(lambda hook=hook: hook(user_id, course_id))


def enrollment_create(*, user, course: CoursePage) -> Enrollment:
    """Enrol ``user`` in ``course``; enrolling twice returns the existing enrolment."""
    try:
        with transaction.atomic():
            enrollment, _ = Enrollment.objects.get_or_create(user=user, course=course)
    except IntegrityError:  # a concurrent double click created it first
        enrollment = Enrollment.objects.get(user=user, course=course)
    return enrollment


# A learner re-reading the same lesson is recorded at most this often: reading a page should not write
# a row (and wait for a commit) on every request, and "active in the last 30 days" needs no finer clock.
VISIT_RESOLUTION = datetime.timedelta(minutes=5)


def lesson_visit_due(*, lesson: LessonPage, last_visit: tuple | None, now=None) -> bool:
    """Whether an enrolment whose last visit was ``(lesson id, when)`` should record a visit of ``lesson``."""
    if last_visit is None:
        return True
    last_lesson_id, at = last_visit
    return last_lesson_id != lesson.pk or at is None or at < (now or timezone.now()) - VISIT_RESOLUTION


def lesson_visit(*, user, lesson: LessonPage) -> None:
    """Remember the lesson an enrolled learner last opened, so the course page can resume there."""
    now = timezone.now()
    stale = ~Q(last_lesson_id=lesson.pk) | ~Q(last_activity_at__gte=now - VISIT_RESOLUTION)  # NULLs count
    Enrollment.objects.filter(stale, user=user, course__path=lesson.course_path).update(
        last_lesson=lesson, last_activity_at=now
    )


@transaction.atomic
def lesson_complete(*, user, lesson: LessonPage) -> Enrollment:
    """Mark ``lesson`` done (enrolling if needed); the course completes when every live lesson is done."""
    course = lesson.course()
    enrollment = enrollment_create(user=user, course=course)
    _, created = LessonCompletion.objects.get_or_create(user=user, lesson=lesson)
    if created:
        for hook in hooks.get_hooks(LESSON_COMPLETED):
            transaction.on_commit(lambda hook=hook: hook(user.pk, lesson.pk, course.pk))
    now = timezone.now()
    enrollment.last_lesson = lesson
    enrollment.last_activity_at = now
    fields = ["last_lesson", "last_activity_at"]
    if enrollment.completed_at is None:
        lessons = LessonPage.objects.live().child_of(course)
        remaining = lessons.exclude(completions__user=user).exists()
        if not remaining:
            enrollment.completed_at = now
            fields.append("completed_at")
            _course_completed_on_commit(user_id=user.pk, course_id=course.pk)
    enrollment.save(update_fields=fields)
    return enrollment


@transaction.atomic
def enrollment_complete(*, user, course: CoursePage) -> Enrollment:
    """Complete ``course`` for ``user`` by another route than its lessons (attendance at a classroom
    session): enrols if needed; the completion hooks run on commit as for the last lesson. Idempotent."""
    enrollment = enrollment_create(user=user, course=course)
    now = timezone.now()
    done = Enrollment.objects.filter(pk=enrollment.pk, completed_at__isnull=True).update(
        completed_at=now, last_activity_at=now
    )
    if done:
        _course_completed_on_commit(user_id=user.pk, course_id=course.pk)
        enrollment.refresh_from_db()
    return enrollment


@transaction.atomic
def enrollment_restart(*, user, course: CoursePage) -> Enrollment | None:
    """Start a completed course again (yearly training): the completion is kept as a ``CourseRetake``,
    the lessons are to be done again, and the course completes anew (with its hooks) after the last one.
    Returns None when there is nothing to restart (not enrolled, or not completed)."""
    enrollment = Enrollment.objects.select_for_update().filter(user=user, course=course).first()
    if enrollment is None or enrollment.completed_at is None:
        return None
    CourseRetake.objects.get_or_create(user=user, course=course, completed_at=enrollment.completed_at)
    LessonCompletion.objects.filter(user=user, lesson__in=LessonPage.objects.child_of(course)).delete()
    enrollment.completed_at, enrollment.last_lesson = None, None
    enrollment.last_activity_at = timezone.now()
    enrollment.save(update_fields=["completed_at", "last_lesson", "last_activity_at"])
    return enrollment

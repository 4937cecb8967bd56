"""Scores owed to an LMS: a graded quiz attempt, or a completed course, of a learner it launched with a
line item for it (ADR 0023). Each becomes an outbox row in the writer's transaction or on its commit."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from assessments.api import Attempt
from lms_site.tasks import enqueue_on_commit

from .models import GradeLink, Score


def _owe(links, *, source: str, given, timestamp) -> None:
    for link in links:
        Score.objects.get_or_create(
            link=link,
            source=source,
            defaults={"score_given": given, "score_maximum": 100, "timestamp": timestamp},
        )
    if links:
        from .tasks import send_scores

        enqueue_on_commit(send_scores)


@receiver(post_save, sender=Attempt, dispatch_uid="lti-score-on-graded-attempt")
def score_on_graded_attempt(sender, instance: Attempt, update_fields=None, **kwargs) -> None:
    """Every graded attempt (passed or not): its percentage, as the platform keeps the latest."""
    if instance.passed is None or update_fields is None or "passed" not in update_fields:
        return
    links = list(GradeLink.objects.filter(user_id=instance.user_id, quiz_id=instance.quiz_id))
    _owe(links, source=f"attempt:{instance.pk}", given=instance.percent, timestamp=instance.finished_at)


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

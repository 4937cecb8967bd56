"""A graded quiz attempt of a learner launched from an LMS with a line item: a score to send back."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from assessments.models import Attempt
from lms_site.tasks import enqueue_on_commit

from .models import GradeLink, Score


@receiver(post_save, sender=Attempt, dispatch_uid="lti-score-on-graded-attempt")
def score_on_graded_attempt(sender, instance: Attempt, update_fields=None, **kwargs) -> None:
    if instance.passed is None or update_fields is None or "passed" not in update_fields:
        return
    links = list(GradeLink.objects.filter(user_id=instance.user_id, quiz_id=instance.quiz_id))
    if not links:
        return
    for link in links:
        Score.objects.get_or_create(
            link=link,
            attempt=instance,
            defaults={
                "score_given": instance.percent,
                "score_maximum": 100,
                "timestamp": instance.finished_at,
            },
        )
    from .tasks import send_scores

    enqueue_on_commit(send_scores)

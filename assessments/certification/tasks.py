"""Celery tasks of the certification app: thin wrappers around services, safe to run twice."""

from celery import shared_task
from django.contrib.auth import get_user_model

from . import services


@shared_task(name="certification.recompute_levels", acks_late=True)
def recompute_levels(user_id: int) -> dict[str, int]:
    """Bring the user's rows of the level table in line with their verified evidence (idempotent)."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:  # deleted since the task was queued: their rows went with them
        return {}
    return services.levels_recompute(user=user).as_dict()

"""Celery tasks of the certification app: thin wrappers around services, safe to run twice."""

from celery import shared_task
from django.contrib.auth import get_user_model

from lms_site.organisation.api import acting_as, platform_wide

from . import services


@shared_task(name="certification.recompute_levels", acks_late=True)
def recompute_levels(user_id: int) -> dict[str, int]:
    """Bring the user's rows of the level table in line with their verified evidence (idempotent), then
    issue any certificate the new levels complete.
    """
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:  # deleted since the task was queued: their rows went with them
        return {}
    with acting_as(user):
        outcome = services.levels_recompute(user=user).as_dict()
        outcome["certificates"] = len(services.certificates_issue_due(user=user))
    return outcome


@shared_task(name="certification.issue_certificates", acks_late=True)
def issue_certificates(user_id: int) -> list[str]:
    """Issue what ``user_id`` has become entitled to; the UUIDs issued (none when run again)."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return []
    with acting_as(user):
        return [str(c.uuid) for c in services.certificates_issue_due(user=user)]


@shared_task(name="certification.issue_due_certificates", acks_late=True)
def issue_due_certificates() -> int:
    """Nightly sweep: certificates any event may have missed (idempotent)."""
    with platform_wide():  # a platform job over every municipality
        return services.certificates_issue_all()

"""Celery task of the LTI app: scores owed to the municipalities' LMSs (beat, every minute; and queued when
a score is recorded)."""

from celery import shared_task

from lms_site.organisation.tenancy import platform_wide

from . import outbox


@shared_task(name="lti.send_scores", acks_late=True)
def send_scores() -> int:
    with platform_wide():
        return outbox.send_due()

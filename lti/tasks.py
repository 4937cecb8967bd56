"""Celery task of the LTI app: scores owed to the municipalities' LMSs (beat, every minute; and queued when
a score is recorded)."""

import datetime

from celery import shared_task
from django.utils import timezone

from lms_site.organisation.api import platform_wide

from . import outbox
from .models import UsedNonce

# A spent nonce is kept past the day PyLTI1p3 keeps the nonce it issued (after which it refuses it anyway).
NONCE_MEMORY = datetime.timedelta(days=2)


@shared_task(name="lti.send_scores", acks_late=True)
def send_scores() -> int:
    """Send the due scores; forget nonces that can no longer be replayed."""
    with platform_wide():
        UsedNonce.objects.filter(used_at__lt=timezone.now() - NONCE_MEMORY).delete()
        return outbox.send_due()

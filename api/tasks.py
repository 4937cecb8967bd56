"""Celery tasks of the API app: learning records to each municipality's LRS (beat, every 15 minutes)."""

import logging

from celery import shared_task
from django.utils import timezone

from lms_site.organisation.api import municipality_scope, platform_wide

from . import xapi
from .models import LrsEndpoint

logger = logging.getLogger(__name__)


@shared_task(name="api.send_to_lrs", acks_late=True)
def send_to_lrs() -> int:
    """Send what is pending to every enabled endpoint, each in its municipality's scope; never raises
    for one endpoint's sake (its error is recorded and logged, the next run tries again)."""
    with platform_wide():
        endpoints = list(
            LrsEndpoint.objects.filter(enabled=True).select_related("municipality").order_by("pk")
        )
    total = 0
    for endpoint in endpoints:
        try:
            with municipality_scope(endpoint.municipality):
                total += xapi.send_pending(endpoint)
        except Exception as error:  # e.g. a secret sealed under another key: recorded, the others go on
            logger.exception("Sending to LRS %s (%s) failed", endpoint.pk, endpoint.name)
            endpoint.last_error = f"{type(error).__name__}: {error}"[:2000]
            endpoint.last_error_at = timezone.now()
            endpoint.save(update_fields=["last_error", "last_error_at"])
    return total

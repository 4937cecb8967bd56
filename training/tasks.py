"""Celery tasks of assigned training: thin wrappers around services, safe to run twice."""

from celery import shared_task
from django.utils import timezone

from lms_site.organisation.api import Municipality, municipality_scope

from . import services


@shared_task(name="training.evaluate_nightly", acks_late=True)
def evaluate_nightly() -> dict:
    """Re-evaluate every municipality's rules on today's staff data, each in its own scope: a rotation
    dated today, a new fiscal year's cycle, a person who reached a relative due date's start."""
    today = timezone.localdate()
    totals = {"added": 0, "left": 0, "returned": 0}
    for municipality_id in Municipality.objects.values_list("pk", flat=True):
        with municipality_scope(municipality_id):
            outcome = services.municipality_evaluate(municipality_id=municipality_id, on=today)
        for key in totals:
            totals[key] += getattr(outcome, key)
    return totals

"""Celery tasks of the analytics app: thin wrappers around services, safe to run twice."""

from celery import shared_task
from django.utils import timezone

from lms_site.organisation.api import municipality_scope, platform_wide

from . import services
from .models import SnapshotRun


@shared_task(name="analytics.snapshot_run", acks_late=True)
def snapshot_run_task(run_id: int) -> str | None:
    run = SnapshotRun.objects.filter(pk=run_id).first()
    if run is None:
        return None
    with municipality_scope(run.municipality_id) if run.municipality_id else platform_wide():
        run = services.snapshot_run_execute(run_id=run_id)
    return run.status if run else None


@shared_task(name="analytics.snapshot_nightly", acks_late=True)
def snapshot_nightly() -> str | None:
    """Beat, nightly: today's snapshot of every municipality (one run row, progress per municipality)."""
    today = timezone.localdate()
    with platform_wide():  # a platform job over every municipality
        run = SnapshotRun.objects.filter(municipality=None, taken_on=today).order_by("-created_at").first()
        run = run or SnapshotRun.objects.create(municipality=None, taken_on=today)
        run = services.snapshot_run_execute(run_id=run.pk)
    return run.status if run else None

"""Celery tasks of the analytics app: thin wrappers around services, safe to run twice."""

from celery import shared_task
from django.utils import timezone

from lms_site.organisation.api import municipality_scope, platform_wide

from . import services
from .models import SnapshotRun


@shared_task(name="analytics.snapshot_run", acks_late=True)
def snapshot_run_task(run_id: int) -> str | None:
    """Runs in the run's municipality, or platform-wide for a platform run (read unscoped: the run says
    whose it is, as a staff import's job does)."""
    with platform_wide():  # under row-level security a task with no scope would see nothing
        found = SnapshotRun._base_manager.filter(pk=run_id).values("municipality_id").first()
    if found is None:  # deleted since it was queued
        return None
    municipality_id = found["municipality_id"]
    with municipality_scope(municipality_id) if municipality_id else platform_wide():
        run = services.snapshot_run_execute(run_id=run_id)
    return run.status if run else None


@shared_task(name="analytics.snapshot_nightly", acks_late=True)
def snapshot_nightly() -> int:
    """Beat, nightly: queue today's snapshot of every municipality, one task each (run in parallel by the
    workers, each in its municipality's scope). Returns how many were queued."""
    with platform_wide():  # a platform job: it reads which municipalities there are
        return len(services.snapshot_runs_nightly(on=timezone.localdate()))

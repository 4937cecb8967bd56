"""Celery tasks of the organisation app: thin wrappers around services, safe to run twice."""

from celery import shared_task

from . import services
from .models import StaffImport
from .tenancy import municipality_scope, platform_wide


@shared_task(name="organisation.staff_import_run", acks_late=True)
def staff_import_run_task(job_id: int) -> None:
    """Runs in the municipality the job was uploaded for (read unscoped: the job says whose it is)."""
    with platform_wide():  # under row-level security a task with no scope would not see the job
        municipality_id = (
            StaffImport._base_manager.filter(pk=job_id).values_list("municipality_id", flat=True).first()
        )
    if municipality_id is None:  # deleted since it was queued
        return
    with municipality_scope(municipality_id):
        services.staff_import_job_run(job_id=job_id)

"""Celery tasks of the organisation app: thin wrappers around services, safe to run twice."""

from celery import shared_task

from . import services


@shared_task(name="organisation.staff_import_run", acks_late=True)
def staff_import_run_task(job_id: int) -> None:
    services.staff_import_job_run(job_id=job_id)

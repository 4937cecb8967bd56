"""``lms_site.jobs``: the one way a background job reports progress, finishes and fails when not queued."""

import datetime

import pytest

from analytics.models import SnapshotRun
from lms_site.jobs import JobStatus, job_enqueue, job_finish, job_progress, job_progress_report, job_update
from lms_site.organisation.models import StaffImport


@pytest.fixture
def locmem_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }


def staff_import(municipality, **fields) -> StaffImport:
    return StaffImport.objects.create(
        municipality=municipality,
        file_name="staff.csv",
        content=b"",
        effective_date=datetime.date(2026, 4, 1),
        **fields,
    )


def test_progress_is_written_to_the_row_under_the_jobs_own_column_names(municipality, locmem_cache):
    job = staff_import(municipality, status=JobStatus.RUNNING, total_rows=400)
    run = SnapshotRun.objects.create(municipality=municipality, taken_on=datetime.date(2026, 4, 1))

    job_progress_report(job, done=200)
    job_progress_report(run, done=1, total=3)

    job.refresh_from_db()
    run.refresh_from_db()
    assert (job.processed_rows, job.total_rows, job.percent) == (200, 400, 50)
    assert (run.done_steps, run.total_steps, run.percent) == (1, 3, 33)


def test_a_running_job_shows_the_progress_in_the_cache_when_its_row_is_behind(municipality, locmem_cache):
    job = staff_import(municipality, status=JobStatus.RUNNING, total_rows=10)
    job_progress_report(job, done=7)
    job = StaffImport.objects.get(pk=job.pk)
    StaffImport.objects.filter(pk=job.pk).update(processed_rows=0)  # as inside the import's transaction
    job.processed_rows = 0

    assert job_progress(job) == (7, 10)


def test_a_finished_job_shows_the_progress_in_its_row(municipality, locmem_cache):
    job = staff_import(municipality, status=JobStatus.RUNNING, total_rows=10)
    job_progress_report(job, done=7)
    job_finish(job, processed_rows=10)

    assert job.finished and job.status == JobStatus.DONE and job.finished_at is not None
    assert job_progress(StaffImport.objects.get(pk=job.pk)) == (10, 10)


def test_a_job_never_reported_shows_its_row(municipality, locmem_cache):
    job = staff_import(municipality, status=JobStatus.RUNNING, total_rows=10, processed_rows=4)
    assert job_progress(job) == (4, 10)


def test_a_failure_is_written_in_the_jobs_own_field_unless_the_job_says_more(municipality):
    run = SnapshotRun.objects.create(municipality=None, taken_on=datetime.date(2026, 4, 1))
    job = staff_import(municipality)

    job_finish(run, failure="x" * 3000)
    job_finish(job, failure="1行目: a", errors=["1行目: a", "2行目: b"])

    run.refresh_from_db()
    job.refresh_from_db()
    assert run.status == JobStatus.FAILED and run.error == "x" * 2000
    assert job.status == JobStatus.FAILED and job.errors == ["1行目: a", "2行目: b"]


def test_a_job_whose_task_cannot_be_queued_fails_with_the_message_at_once(
    municipality, monkeypatch, django_capture_on_commit_callbacks
):
    job = staff_import(municipality)
    monkeypatch.setattr("lms_site.tasks.enqueue", lambda task, *args, **kwargs: False)

    with django_capture_on_commit_callbacks(execute=True):
        job_enqueue(object(), job, "あとでもう一度")

    assert job.status == JobStatus.FAILED and job.errors == ["あとでもう一度"]
    assert StaffImport.objects.get(pk=job.pk).status == JobStatus.FAILED


def test_job_update_writes_the_row_and_the_object(municipality):
    job = staff_import(municipality)
    job_update(job, status=JobStatus.RUNNING, total_rows=5)
    assert job.total_rows == 5 and StaffImport.objects.get(pk=job.pk).status == JobStatus.RUNNING

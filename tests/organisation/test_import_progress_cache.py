"""A staff import's progress goes through the cache (``lms_site.jobs``); with the cache (Redis) down, the
import still runs and the progress page falls back to the count stored in the database."""

import logging

from django.urls import reverse

from lms_site.jobs import job_progress_report
from lms_site.organisation import services
from lms_site.organisation.models import ImportStatus, StaffImport, StaffProfile
from tests.faults.conftest import free_port
from tests.organisation.test_admin_import import hr_client, post_file  # noqa: F401 - fixture
from tests.organisation.test_staff_import import APRIL_2025, GOOD_ROWS, csv_bytes


def take_the_cache_down(settings) -> None:
    """From here on the Django cache is Redis on a port where nothing listens (no broker needed: both test
    legs). Sessions and permission sets are read from the database, so that only the progress meets it."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        },
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    settings.PERMISSION_CACHE_SECONDS = 0


def running_job(municipality, *, processed: int) -> StaffImport:
    return StaffImport.objects.create(
        municipality=municipality,
        file_name="staff.csv",
        content=csv_bytes(*GOOD_ROWS),
        effective_date=APRIL_2025,
        status=ImportStatus.RUNNING,
        total_rows=10,
        processed_rows=processed,
    )


def progress_of(client, job: StaffImport) -> dict:
    response = client.get(reverse("organisation_admin:staff_import_progress", args=[job.pk]))
    assert response.status_code == 200
    return response.json()


def test_with_the_cache_down_an_import_still_runs_and_records_its_rows(
    hr_client,  # noqa: F811 - the fixture imported above
    municipality,
    settings,
    caplog,
):
    services.staff_import(municipality=municipality, content=csv_bytes(*GOOD_ROWS), effective_date=APRIL_2025)
    take_the_cache_down(settings)
    promoted = [row.replace(",主事,", ",主任,") for row in GOOD_ROWS]  # updates only: no new users

    with caplog.at_level(logging.WARNING, logger="lms_site.jobs"):
        response = post_file(hr_client, csv_bytes(*promoted))

    job = StaffImport.objects.get()
    assert response.status_code == 302
    assert job.status == ImportStatus.DONE and job.summary["updated"] == 1
    assert job.processed_rows == 3
    assert StaffProfile.objects.get(employee_number="180002").get_job_grade_display() == "主任"
    assert "job progress set skipped" in caplog.text
    assert "更新 1 名" in hr_client.get(response.url).content.decode()


def test_with_the_cache_down_a_running_import_shows_the_count_in_the_database(
    hr_client,  # noqa: F811 - the fixture imported above
    municipality,
    settings,
    caplog,
):
    job = running_job(municipality, processed=5)
    take_the_cache_down(settings)

    with caplog.at_level(logging.WARNING, logger="lms_site.jobs"):
        data = progress_of(hr_client, job)

    assert data["status"] == "running" and data["processed_rows"] == 5 and data["finished"] is False
    assert "job progress get skipped" in caplog.text


def test_a_running_import_shows_the_count_in_the_cache(
    hr_client,  # noqa: F811 - the fixture imported above
    municipality,
    settings,
):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    job = running_job(municipality, processed=0)

    job_progress_report(job, done=7)
    StaffImport.objects.filter(pk=job.pk).update(processed_rows=0)  # as if behind the import's transaction

    assert progress_of(hr_client, job)["processed_rows"] == 7

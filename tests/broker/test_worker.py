"""Tasks go through Redis to a real worker process, and running one twice changes nothing twice."""

import datetime

import pytest

from lms_site.celery import ping
from lms_site.organisation import services
from lms_site.organisation.models import Assignment, ImportStatus, StaffImport, StaffProfile
from lms_site.organisation.tasks import staff_import_run_task
from tests.broker.conftest import wait_for
from tests.organisation.test_staff_import import GOOD_ROWS, csv_bytes

pytestmark = pytest.mark.broker


def test_a_task_runs_in_the_worker(celery_worker):
    assert ping.delay().get(timeout=30) == "pong"


def test_a_large_import_runs_in_the_worker_after_commit(celery_worker, municipality, departments):
    job = services.staff_import_job_create(
        municipality=municipality,
        file_name="staff.csv",
        content=csv_bytes(*GOOD_ROWS, encoding="cp932"),
        effective_date=datetime.date(2025, 4, 1),
        run_async=True,
    )

    done = wait_for(lambda: StaffImport.objects.filter(pk=job.pk, status=ImportStatus.DONE).first())

    assert done.summary["created"] == 3 and done.processed_rows == 3
    assert StaffProfile.objects.count() == 3


def test_a_redelivered_import_task_changes_nothing_twice(celery_worker, municipality, departments):
    job = services.staff_import_job_create(
        municipality=municipality,
        file_name="staff.csv",
        content=csv_bytes(*GOOD_ROWS),
        effective_date=datetime.date(2025, 4, 1),
        run_async=True,
    )
    wait_for(lambda: StaffImport.objects.filter(pk=job.pk, status=ImportStatus.DONE).exists())
    before = list(Assignment.objects.values_list("pk", "starts_on", "ends_on"))

    staff_import_run_task.delay(job.pk).get(timeout=30)  # as if the broker delivered it again

    assert list(Assignment.objects.values_list("pk", "starts_on", "ends_on")) == before
    assert StaffProfile.objects.count() == 3

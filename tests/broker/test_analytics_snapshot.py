"""The analytics snapshot goes through the broker to a real worker, and running it twice changes nothing."""

import datetime

import pytest

from analytics import services
from analytics.models import CoverageSnapshot, DepartmentSnapshot, SnapshotRun, SnapshotStatus
from analytics.tasks import snapshot_run_task
from tests.analytics.conftest import competencies, programs  # noqa: F401 - fixtures
from tests.analytics.factories import levels, people
from tests.broker.conftest import wait_for
from tests.competencies.conftest import framework, framework_csv  # noqa: F401 - fixtures

pytestmark = pytest.mark.broker
TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def staffed(departments, competencies):  # noqa: F811
    levels(people(departments["020100"], 6), competencies["A1"], 3)
    levels(people(departments["010100"], 5), competencies["B2"], 2)
    return departments


def test_recompute_now_runs_in_the_worker_after_commit(celery_worker, staffed, municipality):
    run = services.snapshot_run_create(municipality=municipality, on=TODAY)

    done = wait_for(lambda: SnapshotRun.objects.filter(pk=run.pk, status=SnapshotStatus.DONE).first())

    assert done.percent == 100
    assert DepartmentSnapshot.objects.filter(taken_on=TODAY).count() == 2
    assert CoverageSnapshot.objects.get(competency__code="A1", taken_on=TODAY).people == 6


def test_a_redelivered_snapshot_task_changes_nothing_twice(celery_worker, staffed, municipality):
    run = services.snapshot_run_create(municipality=municipality, on=TODAY)
    wait_for(lambda: SnapshotRun.objects.filter(pk=run.pk, status=SnapshotStatus.DONE).exists())
    before = sorted(CoverageSnapshot.objects.values_list("department_id", "competency_id", "level", "people"))
    SnapshotRun.objects.filter(pk=run.pk).update(status=SnapshotStatus.RUNNING)  # worker died mid-run

    assert snapshot_run_task.delay(run.pk).get(timeout=30) == SnapshotStatus.DONE

    after = sorted(CoverageSnapshot.objects.values_list("department_id", "competency_id", "level", "people"))
    assert after == before
    assert DepartmentSnapshot.objects.filter(taken_on=TODAY).count() == 2


def test_the_nightly_task_fans_out_to_the_worker_one_run_per_municipality(celery_worker, staffed):
    from analytics.tasks import snapshot_nightly
    from lms_site.organisation.tenancy import platform_wide
    from tests.factories import DepartmentFactory, MunicipalityFactory

    with platform_wide():
        town = DepartmentFactory(
            municipality=MunicipalityFactory(code="999993"), code="990000", name="総務部"
        )
    people(town, 3)

    queued = snapshot_nightly.delay().get(timeout=30)

    assert queued == 2
    with platform_wide():
        runs = wait_for(
            lambda: (
                (found := list(SnapshotRun.objects.filter(status=SnapshotStatus.DONE)))
                and len(found) == 2
                and found
            )
        )
        assert {run.municipality_id for run in runs} == {
            staffed["020100"].municipality_id,
            town.municipality_id,
        }
        heads = dict(
            DepartmentSnapshot.objects.filter(department=town).values_list("municipality_id", "headcount")
        )
    assert heads == {town.municipality_id: 3}

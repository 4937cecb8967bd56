"""A worker killed (SIGKILL) in the middle of a task: the task is delivered again (acks_late, Redis's
visibility timeout) to the next worker, and being idempotent, the end state is counted once."""

import pytest

from assessments.certification.models import CompetencyLevel
from assessments.models import Evidence
from lms_site.tasks import enqueue
from tests.broker.conftest import wait_for
from tests.certification.conftest import competency
from tests.certification.factories import EvidenceFactory
from tests.competencies.conftest import framework, framework_csv  # noqa: F401 - fixtures
from tests.factories import StaffProfileFactory
from tests.faults.conftest import celery_using
from tests.faults.tasks import slow_recompute_levels

pytestmark = pytest.mark.faults
VISIBILITY_TIMEOUT = 3  # seconds before an unacknowledged task is handed out again (production: an hour)


def test_a_task_killed_mid_run_runs_again_and_changes_nothing_twice(
    redis_server,
    worker_factory,
    framework,  # noqa: F811 - the fixture imported above
    tmp_path,
):
    learner = StaffProfileFactory(user__username="killed-worker-learner").user  # levels are a staff member's
    for code, level in [("A1", 2), ("C1", 3)]:  # eager here: the level table is filled as evidence arrives
        EvidenceFactory(user=learner, competency=competency(framework, code), level=level)
    expected = sorted(CompetencyLevel.objects.filter(user=learner).values_list("competency__code", "level"))
    assert len(expected) == 2
    CompetencyLevel.objects.filter(user=learner).delete()  # stale: the task must rebuild it
    journal = tmp_path / "runs.txt"

    with celery_using(redis_server.url(0)):
        first = worker_factory(redis_server.url(0), DJANGO_CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))
        first.start()
        assert enqueue(slow_recompute_levels, learner.pk, str(journal), 120)
        wait_for(journal.exists, timeout=30)
        first.kill()
        assert not CompetencyLevel.objects.filter(user=learner).exists()  # died before doing anything

        second = worker_factory(redis_server.url(0), DJANGO_CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))
        second.start()
        wait_for(lambda: len(journal.read_text().split()) >= 2, timeout=60)
        wait_for(lambda: CompetencyLevel.objects.filter(user=learner).count() == 2, timeout=30)

    runs = journal.read_text().split()
    assert len(runs) == 2 and runs[0] != runs[1]  # once in each worker process
    assert sorted(CompetencyLevel.objects.filter(user=learner).values_list("competency__code", "level")) == (
        expected
    )
    assert Evidence.objects.filter(user=learner).count() == 2

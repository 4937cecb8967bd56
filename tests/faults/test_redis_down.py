"""Redis stopped (broker, result store and cache at once): pages still serve, a learner's quiz submission
still succeeds, the level recompute it needed is reported (logged) instead of failing the request, and
once Redis is back the same web process queues again and the sweep brings the level table up to date.
"""

import logging
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from assessments.certification.models import CompetencyLevel
from assessments.models import Attempt, Evidence
from lms_site.celery import ping
from lms_site.tasks import enqueue
from tests.assessments.conftest import questions, quiz  # noqa: F401 - fixtures
from tests.assessments.test_attempts import answer_everything, start
from tests.courses.conftest import framework  # noqa: F401 - fixture
from tests.factories import StaffProfileFactory
from tests.faults.conftest import celery_using

pytestmark = [
    pytest.mark.faults,
    # Celery's AsyncResult objects unsubscribe from Redis when garbage-collected; with Redis stopped that
    # fails inside __del__, which pytest reports as an unraisable exception. Nothing of ours is involved.
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture
def redis_everywhere(redis_server, worker_factory, settings):
    """Broker, result store and Django cache all on our own Redis, with a worker consuming from it."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "lms_site.cache.OutageTolerantRedisCache", "LOCATION": redis_server.url(1)},
    }
    with celery_using(redis_server.url(0)):
        worker = worker_factory(redis_server.url(0))
        worker.start()
        yield redis_server


def test_with_redis_stopped_pages_serve_and_missed_work_is_reported_then_caught_up(
    redis_everywhere,
    quiz,  # noqa: F811 - the fixture imported above
    client,
    caplog,
):
    learner = StaffProfileFactory(user__username="redis-down-learner").user  # evidence is a staff member's
    redis_everywhere.stop()

    # Logging in needs the cache (the rate limit): it goes on without it.
    response = client.post(reverse("login"), {"username": learner.username, "password": "pw"})
    assert response.status_code == 302
    assert client.get(reverse("assessments:quiz", args=[quiz.pk])).status_code == 200
    assert client.get(reverse("courses:my_learning")).status_code == 200

    attempt = start(client, quiz)
    started = time.monotonic()
    with caplog.at_level(logging.ERROR):
        response = client.post(
            reverse("assessments:attempt", args=[attempt.pk]), answer_everything(client, attempt, right=True)
        )
    assert time.monotonic() - started < 15  # not Celery's default 20 s of reconnecting
    assert response.status_code == 302 and response.url == reverse("assessments:result", args=[attempt.pk])
    assert Attempt.objects.get(pk=attempt.pk).passed
    assert Evidence.objects.filter(user=learner).count() == 4  # the learner's work is committed
    assert not CompetencyLevel.objects.filter(user=learner).exists()  # the recompute was not queued ...
    assert any(
        "recompute" in record.getMessage().lower() or "Recompute" in str(record.args)
        for record in caplog.records
    ), [r.getMessage() for r in caplog.records]  # ... and said so
    assert client.get(reverse("assessments:result", args=[attempt.pk])).status_code == 200

    redis_everywhere.start()

    # The cache's one shared client reconnects by itself.
    cache.set("after-the-outage", "back")
    assert cache.get("after-the-outage") == "back"

    # The same process queues again without a restart, and a worker runs what it is given.
    assert enqueue(ping) is True
    # The sweep (manage.py recompute_levels; nightly in production) catches up with what was not queued.
    call_command("recompute_levels", "--user", learner.username)
    assert CompetencyLevel.objects.filter(user=learner).count() == 4


def test_enqueue_reports_a_stopped_broker_quickly_and_recovers(redis_everywhere, caplog):
    redis_everywhere.stop()
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="lms_site.tasks"):
        assert enqueue(ping) is False
        assert enqueue(ping) is False
    assert time.monotonic() - started < 10
    assert "lms_site.ping" in caplog.text and "not queued" in caplog.text

    redis_everywhere.start()

    # The cache's one shared client reconnects by itself.
    cache.set("after-the-outage", "back")
    assert cache.get("after-the-outage") == "back"
    assert enqueue(ping) is True

"""Issue 17 part 1, ADR 0023: the scores outbox drained by a real Celery worker on the real broker
(PostgreSQL + Redis leg): a quiz passed after a launch reaches the platform's line item; a platform that
is down is retried by the worker and receives the score once it is back."""

import pytest
import requests

from lti.models import GradeLink, LtiIdentity, Score, ScoreStatus
from lti.tasks import send_scores
from tests.broker.conftest import celery_worker, wait_for  # noqa: F401 - fixture
from tests.lti.conftest import free_port, pass_quiz, register, running_platform, tool_urls
from tests.lti.test_grades_and_deep_linking import live_launch, scores_at

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def _status(score: Score) -> tuple[str, int]:
    score.refresh_from_db()
    return score.status, score.tries


def test_the_worker_delivers_a_passed_quizs_score_to_the_platform(
    celery_worker,  # noqa: F811
    live_platform,
    city,
    quiz,
    live_server,
):
    register(city, live_platform, "live-tool", "dep-live")
    with requests.Session() as browser:
        live_launch(browser, live_platform, "live-tool", sub="worker-77", target=f"quiz:{quiz.pk}")
    before = len(scores_at(live_platform))

    attempt = pass_quiz(LtiIdentity.objects.get().user, quiz)  # queued on commit, sent by the worker

    score = Score.objects.get()
    wait_for(lambda: _status(score) == (ScoreStatus.SENT, 1))
    received = scores_at(live_platform)[before:]
    # the attempt's points out of its own maximum (ADR 0023)
    assert [(r["userId"], r["scoreGiven"], r["scoreMaximum"]) for r in received] == [
        ("worker-77", float(attempt.points), float(attempt.max_points))
    ]


def test_the_worker_retries_while_the_platform_is_down_and_delivers_once_it_is_back(
    celery_worker,  # noqa: F811
    live_platform,
    city,
    quiz,
    live_server,
    tmp_path,
):
    port = free_port()
    down = f"http://127.0.0.1:{port}"
    registration = register(city, down, "down-tool", "dep-down")
    register(city, live_platform, "live-tool", "dep-live")
    with requests.Session() as browser:
        live_launch(browser, live_platform, "live-tool", sub="worker-88", target=f"quiz:{quiz.pk}")
    GradeLink.objects.update(registration=registration, lineitem_url=f"{down}/lineitems/item-1")

    attempt = pass_quiz(LtiIdentity.objects.get().user, quiz)

    score = Score.objects.get()
    wait_for(lambda: _status(score) == (ScoreStatus.PENDING, 1))
    assert "Connection" in score.last_error
    entries = [{"client_id": "down-tool", "deployment_id": "dep-down", "tool": tool_urls(live_server.url)}]
    with running_platform(entries, tmp_path, port=port):
        Score.objects.filter(pk=score.pk).update(next_try_at=score.next_try_at.replace(year=2000))
        assert send_scores.delay().get(timeout=60) == 1  # the beat's next run, in the worker
        received = requests.get(f"{down}/scores", timeout=10).json()
    assert _status(score) == (ScoreStatus.SENT, 2)
    assert [(r["userId"], r["scoreGiven"]) for r in received] == [("worker-88", float(attempt.points))]

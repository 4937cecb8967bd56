"""Issue 17 part 1, ADR 0023: grades back (AGS, through the outbox) and deep linking, with the tool served
by the live server so that the platform (tools/lti-platform) fetches our JWKS to check what we sign."""

import html
import re

import pytest
import requests

from lti import outbox
from lti.models import GradeLink, LtiIdentity, Score, ScoreStatus
from tests.lti.conftest import free_port, launch_form, pass_quiz, register, running_platform, tool_urls

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _scores_sent_here():
    """``lti.send_scores`` runs in this process on commit, as without a broker, on both CI legs: these
    tests are about the platform's answers, not the queue (with a broker and no worker it would wait)."""
    from lti.tasks import send_scores

    conf = send_scores.app.conf
    before = conf.task_always_eager
    conf.task_always_eager = True
    yield
    conf.task_always_eager = before


def live_launch(session: requests.Session, platform: str, client_id: str, **spec) -> requests.Response:
    action, fields = launch_form(platform, client_id, spec, session)
    return session.post(action, data=fields, timeout=20)


def scores_at(platform: str) -> list[dict]:
    return requests.get(f"{platform}/scores", timeout=10).json()


def test_a_passed_quiz_sends_its_score_to_the_platforms_line_item(live_platform, city, quiz, live_server):
    register(city, live_platform, "live-tool", "dep-live")
    with requests.Session() as browser:
        page = live_launch(browser, live_platform, "live-tool", sub="moodle-77", target=f"quiz:{quiz.pk}")
    assert page.status_code == 200 and "LTI 小テスト" in page.text
    link = GradeLink.objects.get()
    assert link.quiz == quiz and link.subject == "moodle-77"
    before = len(scores_at(live_platform))

    attempt = pass_quiz(LtiIdentity.objects.get().user, quiz)  # the task runs eagerly on commit

    score = Score.objects.get()
    assert (score.status, score.tries, score.last_error) == (ScoreStatus.SENT, 1, "")
    received = scores_at(live_platform)[before:]
    assert len(received) == 1
    assert received[0]["userId"] == "moodle-77"
    # the quiz's points (one question of 1 point), not a percentage (tests/lti/test_quiz_points.py)
    assert received[0]["scoreGiven"] == float(attempt.points) == 1.0
    assert received[0]["scoreMaximum"] == float(attempt.max_points) == 1
    assert received[0]["lineitem"] == link.lineitem_url.rsplit("/", 1)[-1]
    assert (received[0]["activityProgress"], received[0]["gradingProgress"]) == ("Completed", "FullyGraded")


def test_the_outbox_retries_while_the_platform_is_down_and_delivers_once_it_is_back(
    live_platform, city, quiz, live_server, tmp_path
):
    port = free_port()
    down = f"http://127.0.0.1:{port}"
    registration = register(city, down, "down-tool", "dep-down")
    with requests.Session() as browser:  # the launch itself comes from the running platform's twin
        register(city, live_platform, "live-tool", "dep-live")
        live_launch(browser, live_platform, "live-tool", sub="moodle-88", target=f"quiz:{quiz.pk}")
    user = LtiIdentity.objects.get().user
    GradeLink.objects.update(registration=registration, lineitem_url=f"{down}/lineitems/item-1")

    pass_quiz(user, quiz)

    score = Score.objects.get()
    assert (score.status, score.tries) == (ScoreStatus.PENDING, 1)
    assert "Connection" in score.last_error
    assert outbox.send_due() == 0  # not due before its backoff
    entries = [{"client_id": "down-tool", "deployment_id": "dep-down", "tool": tool_urls(live_server.url)}]
    with running_platform(entries, tmp_path, port=port):
        assert outbox.send_due(now=score.next_try_at) == 1
        received = requests.get(f"{down}/scores", timeout=10).json()
    score.refresh_from_db()
    assert (score.status, score.tries) == (ScoreStatus.SENT, 2)
    assert [(r["userId"], r["scoreGiven"]) for r in received] == [("moodle-88", 1.0)]  # 1 point of 1


def test_a_score_the_platform_keeps_refusing_is_given_up_after_the_limit(
    live_platform, city, quiz, live_server, settings
):
    settings.LTI_SCORE_MAX_TRIES = 2
    registration = register(city, f"http://127.0.0.1:{free_port()}", "gone-tool", "dep-gone")
    register(city, live_platform, "live-tool", "dep-live")
    with requests.Session() as browser:
        live_launch(browser, live_platform, "live-tool", sub="moodle-99", target=f"quiz:{quiz.pk}")
    GradeLink.objects.update(registration=registration)
    pass_quiz(LtiIdentity.objects.get().user, quiz)
    score = Score.objects.get()
    outbox.send_due(now=score.next_try_at)
    score.refresh_from_db()
    assert (score.status, score.tries) == (ScoreStatus.FAILED, 2)
    assert outbox.send_due(now=score.next_try_at) == 0


def test_deep_linking_the_author_picks_a_quiz_and_the_platform_accepts_the_signed_response(
    live_platform, city, quiz, live_server
):
    register(city, live_platform, "live-tool", "dep-live")
    with requests.Session() as browser:
        picker = live_launch(browser, live_platform, "live-tool", sub="author-1", deep_link=True)
        assert picker.status_code == 200, picker.text[:500]
        assert "LTI 小テスト" in picker.text
        fields = dict(re.findall(r'name="(csrfmiddlewaretoken|launch_id)" value="([^"]+)"', picker.text))
        answer = browser.post(
            f"{live_server.url}/lti/deep-link/",
            data={**fields, "target": f"quiz:{quiz.pk}"},
            headers={"Referer": f"{live_server.url}/lti/launch/"},
            timeout=20,
        )
    assert answer.status_code == 200, answer.text[:500]
    return_url = html.unescape(re.search(r'<form method="post" action="([^"]+)"', answer.text)[1])
    assert live_platform in answer.headers["Content-Security-Policy"]  # form-action allows the return URL
    jwt = html.unescape(re.search(r'name="JWT" value="([^"]+)"', answer.text)[1])
    accepted = requests.post(return_url, data={"JWT": jwt}, timeout=20)
    assert accepted.status_code == 200, accepted.text
    item = requests.get(f"{live_platform}/deep_links", timeout=10).json()[-1]["items"][0]
    assert item["type"] == "ltiResourceLink"
    assert item["custom"] == {"target": f"quiz:{quiz.pk}"}
    assert item["url"] == f"{live_server.url}/lti/launch/"
    # nobody was signed in or created by picking
    assert not LtiIdentity.objects.exists()


def test_a_tampered_deep_linking_response_is_rejected_by_the_platform(live_platform, city, quiz, live_server):
    register(city, live_platform, "live-tool", "dep-live")
    with requests.Session() as browser:
        picker = live_launch(browser, live_platform, "live-tool", sub="author-2", deep_link=True)
        fields = dict(re.findall(r'name="(csrfmiddlewaretoken|launch_id)" value="([^"]+)"', picker.text))
        answer = browser.post(
            f"{live_server.url}/lti/deep-link/",
            data={**fields, "target": f"quiz:{quiz.pk}"},
            headers={"Referer": f"{live_server.url}/lti/launch/"},
            timeout=20,
        )
        # the picker's launch is spent: a second answer is refused
        again = browser.post(
            f"{live_server.url}/lti/deep-link/",
            data={**fields, "target": f"quiz:{quiz.pk}"},
            headers={"Referer": f"{live_server.url}/lti/launch/"},
            timeout=20,
        )
    assert again.status_code == 403
    jwt = html.unescape(re.search(r'name="JWT" value="([^"]+)"', answer.text)[1])
    head, body, signature = jwt.split(".")
    tampered = ".".join((head, body, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")))
    refused = requests.post(f"{live_platform}/deep_link_return", data={"JWT": tampered}, timeout=20)
    assert refused.status_code == 400 and "Signature" in refused.text

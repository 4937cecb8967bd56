"""An independent LTI 1.3 platform, run for real: tools/lti-platform (lti1p3platform from PyPI, own venv).

Started once per test session on a free loopback port. ``platform`` plays several LMSs launching into the
Django test client: 若葉市's (``city-tool``), 青葉町's (``town-tool``) and one this site never registered
(``stranger``, another issuer). ``live_platform`` (``live-tool``) launches into the live server: it
fetches our JWKS for the grade service's token and the deep linking response.
"""

import html
import json
import re
import socket
import subprocess
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from dx_assessment import grading

from assessments import attempts
from assessments.models import Quiz, QuizItem
from lti.services import registration_add
from tests.assessments.conftest import make_question
from tests.courses.conftest import curriculum, framework  # noqa: F401 - re-exported fixtures
from tests.identity.conftest import CITY, TOWN, city, hanako, town  # noqa: F401 - re-exported fixtures

PEER = Path(__file__).resolve().parents[2] / "tools" / "lti-platform"
TESTSERVER = "http://testserver"


def tool_urls(base: str) -> dict:
    return {"login": f"{base}/lti/login/", "launch": f"{base}/lti/launch/", "jwks": f"{base}/lti/jwks/"}


@contextmanager
def running_platform(registrations: list[dict], directory: Path, port: int = 0):
    """Start the platform with these registrations; yields its base URL (also its issuer); stops it after."""
    subprocess.run(["bash", str(PEER / "install.sh")], check=True, timeout=600)
    path = directory / f"platform-{port}.json"
    path.write_text(json.dumps({"port": port, "registrations": registrations}), encoding="utf-8")
    process = subprocess.Popen(
        [str(PEER / ".venv" / "bin" / "python"), str(PEER / "server.py"), str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line, "the LTI platform did not start"
        yield json.loads(line)["base"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def platform(tmp_path_factory):
    """The LMSs launching into the Django test client: 若葉市's, 青葉町's and a stranger."""
    registrations = [
        {"client_id": "city-tool", "deployment_id": "dep-city", "tool": tool_urls(TESTSERVER)},
        {"client_id": "town-tool", "deployment_id": "dep-town", "tool": tool_urls(TESTSERVER)},
        {
            "client_id": "stranger",
            "deployment_id": "dep-x",
            "issuer_path": "/other",
            "tool": tool_urls(TESTSERVER),
        },
    ]
    with running_platform(registrations, tmp_path_factory.mktemp("lti")) as base:
        yield base


@pytest.fixture(scope="session")
def live_platform(live_server, tmp_path_factory):
    """An LMS whose tool is the live server: it fetches our JWKS (grade service token, deep linking).
    Tests using it are transactional (pytest-django's live server), so only those that need it do."""
    registrations = [
        {"client_id": "live-tool", "deployment_id": "dep-live", "tool": tool_urls(live_server.url)}
    ]
    with running_platform(registrations, tmp_path_factory.mktemp("lti-live")) as base:
        yield base


def register(municipality, base: str, client_id: str, deployment_id: str, **options):
    return registration_add(
        municipality=municipality,
        issuer=base,
        client_id=client_id,
        auth_login_url=f"{base}/auth",
        auth_token_url=f"{base}/token",
        keyset_url=f"{base}/jwks",
        deployment_ids=[deployment_id],
        **options,
    )


@pytest.fixture
def city_lms(platform, city):  # noqa: F811
    return register(city, platform, "city-tool", "dep-city")


@pytest.fixture
def town_lms(platform, town):  # noqa: F811
    return register(town, platform, "town-tool", "dep-town", match_staff=True)


@pytest.fixture
def quiz(framework):  # noqa: F811
    question = make_question(
        grading.TrueFalse(
            text="パスワードは付箋に書いて貼ってよい。", explanation="いけません。", correct_answer=False
        ),
        title="LTI-Q1",
        competency=framework.competencies.get(code="A1"),
    )
    quiz = Quiz(title="LTI 小テスト", passing_percent=70)
    quiz.items = [QuizItem(question=question, weight=1, sort_order=0)]
    quiz.save()
    quiz.save_revision().publish()
    return quiz


def pass_quiz(user, quiz):
    """The learner answers every question right and submits (the quiz page's services)."""
    attempt = attempts.attempt_start(user=user, quiz=quiz)
    for item in attempt.items.select_related("version"):
        question = grading.Question.from_dict(item.version.definition)
        attempts.attempt_answer(
            attempt=attempt, position=item.position, response=grading.correct_response(question)
        )
    return attempts.attempt_submit(attempt=attempt)


def launch_form(platform: str, client_id: str, spec: dict, browser) -> tuple[str, dict]:
    """Drive the OIDC dance up to the platform's form: (the form's action, its fields).

    ``browser``: the Django test client (tool at http://testserver) or a ``requests.Session`` (live server).
    """
    start = requests.get(
        f"{platform}/initiate",
        params={"client_id": client_id, "spec": json.dumps(spec)},
        allow_redirects=False,
        timeout=10,
    )
    assert start.status_code == 302, start.text
    login_url = start.headers["Location"]
    if isinstance(browser, requests.Session):
        to_platform = browser.get(login_url, allow_redirects=False, timeout=10)
    else:
        parts = urlsplit(login_url)
        to_platform = browser.get(f"{parts.path}?{parts.query}", secure=spec.get("secure", False))
    assert to_platform.status_code == 302, getattr(to_platform, "content", b"")[:500]
    location = to_platform.headers["Location"]
    answer = (browser if isinstance(browser, requests.Session) else requests).get(location, timeout=10)
    assert answer.status_code == 200, answer.text
    action = html.unescape(re.search(r'action="([^"]+)"', answer.text)[1])
    fields = {
        name: html.unescape(value) for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', answer.text)
    }
    return action, fields


def launch(client, platform: str, client_id: str, secure: bool = False, **spec):
    action, fields = launch_form(platform, client_id, {**spec, "secure": secure}, client)
    return client.post(urlsplit(action).path, fields, secure=secure)

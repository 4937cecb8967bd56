"""Two municipalities, each with a department, staff and a course completion; API clients of each; a real
xAPI LRS (Ralph) for the statements sent to the municipalities."""

import base64
import datetime
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from django.utils import timezone
from dx_assessment import grading

from api.services import api_client_create
from assessments import attempts
from assessments.certification.models import Certificate, CompetencyLevel
from assessments.models import Evidence, EvidenceSource, EvidenceStatus
from courses.models import Enrollment
from tests.analytics.factories import ProgramFactory
from tests.assessments.conftest import questions, quiz  # noqa: F401 - re-exported fixtures
from tests.courses.conftest import curriculum, framework  # noqa: F401 - re-exported fixtures
from tests.factories import AssignmentFactory, DepartmentFactory, MunicipalityFactory, StaffProfileFactory
from training.services import RuleSpec, rule_create


@pytest.fixture
def world(curriculum, framework, quiz):  # noqa: F811
    city = MunicipalityFactory(code="999991", name="若葉市")
    town = MunicipalityFactory(code="999992", name="みどり町")
    found = {"city": city, "town": town}
    for key, municipality in (("city", city), ("town", town)):
        bu = DepartmentFactory(municipality=municipality, code="010000", name=f"{municipality.name}総務部")
        ka = DepartmentFactory(parent=bu, code="010100", name=f"{municipality.name}人事課", kind="ka")
        staff = StaffProfileFactory(
            municipality=municipality, family_name=f"{key}職員", employee_number=f"{key}01"
        )
        AssignmentFactory(staff=staff, department=ka, starts_on=datetime.date(2025, 4, 1))
        enrollment = Enrollment.objects.create(
            user=staff.user,
            course=curriculum["basics"],
            completed_at=timezone.now(),
            last_activity_at=timezone.now(),
        )
        level = CompetencyLevel.objects.create(
            user=staff.user, competency=framework.competencies.get(code="A1"), level=2
        )
        certificate = Certificate.objects.create(
            user=staff.user,
            program=ProgramFactory(code="DX_BASIC"),
            municipality=municipality,
            recipient_name=str(staff),
            recipient_salt="salt",
            issued_on=datetime.date(2026, 6, 1),
        )
        evidence = Evidence.objects.create(
            user=staff.user,
            competency=framework.competencies.get(code="A1"),
            level=2,
            source=EvidenceSource.QUALIFICATION,
            source_key=f"claim:{key}",
            status=EvidenceStatus.VERIFIED,
        )
        attempt = attempts.attempt_start(user=staff.user, quiz=quiz)
        for item in attempt.items.select_related("version"):
            question = grading.Question.from_dict(item.version.definition)
            attempts.attempt_answer(
                attempt=attempt, position=item.position, response=grading.correct_response(question)
            )
        found[f"{key}_attempt"] = attempts.attempt_submit(attempt=attempt)
        found[f"{key}_evidence"] = evidence
        found[f"{key}_level"] = level
        found[f"{key}_certificate"] = certificate
        found[f"{key}_department"] = ka
        found[f"{key}_staff"] = staff
        found[f"{key}_enrollment"] = enrollment
        rule, _count = rule_create(
            spec=RuleSpec(
                title=f"{key}情報セキュリティ研修", course=curriculum["basics"], due_within_days=30
            ),
            municipality=municipality,
        )
        found[f"{key}_rule"] = rule
        found[f"{key}_due"] = rule.dues.get()
    return found


def token_for(client, municipality, *, scopes=("read",), name="人事給与システム") -> str:
    api_client, secret = api_client_create(municipality=municipality, name=name, scopes=list(scopes))
    basic = base64.b64encode(f"{api_client.application.client_id}:{secret}".encode()).decode()
    response = client.post(
        "/api/oauth/token/",
        {"grant_type": "client_credentials", "scope": " ".join(scopes)},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


# --- A real xAPI Learning Record Store: Ralph (tools/ralph), once per session ---------------------------

RALPH = Path(__file__).resolve().parents[2] / "tools" / "ralph"
LRS_USERS = {"city": "city-lrs-5e1d0c27a9b4", "town": "town-lrs-93f6b2e07c1a"}  # username -> password


def _free_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return listener.getsockname()[1]


class Ralph:
    """Ralph (file-system backend, loopback only) with two users, each storing in a target of its own:
    ``city`` and ``town`` (passwords in ``LRS_USERS``). ``start`` and ``stop`` may be called again: the
    stored statements stay in ``home`` and the port stays the same (an LRS that went down and came back)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.statements_url = f"{self.base}/xAPI/statements/"
        self.process = None
        self.env = {
            **os.environ,
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_AUTH_FILE": str(home / "auth.json"),
            "RALPH_APP_DIR": str(home / "app"),
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(home / "data"),
        }
        for user, password in LRS_USERS.items():
            (home / "data" / user).mkdir(parents=True)
            subprocess.run(
                [str(RALPH / ".venv" / "bin" / "ralph"), "auth", "-u", user, "-p", password, "-s", "all",
                 "-t", user, "-w", "-A", f"{user}-lrs-client", "http://127.0.0.1/"],
                check=True, env=self.env, cwd=home, capture_output=True, timeout=60,
            )  # fmt: skip

    def start(self) -> None:
        log = (self.home / "ralph.log").open("a")
        self.process = subprocess.Popen(  # Ralph's app as `ralph runserver -b fs` runs it (see serve.py)
            [str(RALPH / ".venv" / "bin" / "python"), str(RALPH / "serve.py"), "127.0.0.1", str(self.port)],
            env=self.env, cwd=self.home, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.base}/__heartbeat__", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            assert self.process.poll() is None, (self.home / "ralph.log").read_text()
            assert time.monotonic() < deadline, "Ralph did not start within 60 s"
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture(scope="session")
def ralph_installed():
    try:
        subprocess.run(["bash", str(RALPH / "install.sh")], check=True, timeout=600, capture_output=True)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        detail = getattr(error, "stderr", b"") or b""
        pytest.skip(f"Ralph (tools/ralph) could not be installed: {error} {detail.decode()[-500:]}")


@pytest.fixture(scope="session")
def lrs_url(ralph_installed, tmp_path_factory):
    """The statements URL of a Ralph running for the whole session (see ``Ralph``)."""
    ralph = Ralph(tmp_path_factory.mktemp("ralph"))
    try:
        ralph.start()
        yield ralph.statements_url
    finally:
        ralph.stop()


@pytest.fixture
def own_ralph(ralph_installed, tmp_path):
    """A Ralph of this test's own, for tests that stop it (an outage) without touching the session's."""
    ralph = Ralph(tmp_path / "ralph")
    try:
        ralph.start()
        yield ralph
    finally:
        ralph.stop()

"""Smoke test in the xblock-sdk workbench: the scenarios render and answering records a grade.

Runs where xblock-sdk and Django are installed (``make xblock-test`` runs it in the workbench
environment of ``make workbench``), against ``assessments/xblocks/dx_workbench_settings.py`` and a
throw-away SQLite database created with ``migrate --run-syncdb``.
"""

import importlib.util
import json
import logging
import os
import re
import sys
from pathlib import Path

import pytest
from dx_assessment import grading
from dx_assessment.examples import EXAMPLES

pytestmark = [
    pytest.mark.workbench,
    pytest.mark.skipif(
        any(importlib.util.find_spec(name) is None for name in ("workbench", "django", "lazy")),
        reason="xblock-sdk (the workbench) with XBlock[django] is not installed here",
    ),
]

SETTINGS_DIR = Path(__file__).resolve().parents[2] / "assessments" / "xblocks"
QUESTION_SCENARIOS = [f"dx_question.{n}" for n in range(len(EXAMPLES) + 1)]
LEARNER = "student_1"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    os.environ["DX_WORKBENCH_DB"] = str(tmp_path_factory.mktemp("workbench") / "workbench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "dx_workbench_settings"
    sys.path.insert(0, str(SETTINGS_DIR))
    import django
    from django.core.management import call_command
    from django.test import Client

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0)
    return Client()


def usage_id(page: str) -> str:
    return re.search(r"""data-usage=['"]([^'"]+)['"]""", page).group(1)


def answer(client, scenario: str, payload: dict) -> tuple[str, dict]:
    page = client.get(f"/scenario/{scenario}/").content.decode()
    usage = usage_id(page)
    reply = client.post(
        f"/handler/{usage}/submit/?student={LEARNER}", json.dumps(payload), content_type="application/json"
    )
    assert reply.status_code == 200, reply.content
    return usage, reply.json()


def stored_state(usage: str) -> dict:
    from workbench.models import XBlockState

    row = XBlockState.objects.get(scope="usage", scope_id=usage, user_id=LEARNER)
    return json.loads(row.state)


def logged_grades(caplog) -> list:
    records = [r for r in caplog.records if r.name == "workbench.runtime"]
    return [records[i + 1].msg for i, r in enumerate(records[:-1]) if "XBlock event grade" in r.getMessage()]


def test_the_index_lists_the_dx_scenarios(client):
    page = client.get("/").content.decode()

    assert "自治体DX 確認テスト" in page
    assert page.count("自治体DX設問") == len(QUESTION_SCENARIOS)


@pytest.mark.parametrize("scenario", [*QUESTION_SCENARIOS, "dx_quiz.0"])
def test_every_scenario_renders_in_japanese_without_the_key(client, scenario):
    assert client.get(f"/scenario/{scenario}/").status_code == 200
    # /view/ is the block alone: /scenario/ adds a debug pane that prints the scenario's OLX, key included.
    reply = client.get(f"/view/{scenario}/")
    page = reply.content.decode()

    assert reply.status_code == 200
    assert "dx-assessment" in page and "送信" in page
    assert "explanation" not in page and "fraction" not in page


def test_english_is_served_when_the_browser_asks_for_it(client):
    page = client.get("/scenario/dx_question.1/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Select all that apply." in page and ">Submit</button>" in page


def test_the_studio_view_renders(client):
    page = client.get("/scenario/dx_question.0/studio_view/").content.decode()

    assert "dx-studio" in page and 'name="definition"' in page


def test_answering_a_question_publishes_and_stores_the_grade(client, caplog):
    caplog.set_level(logging.INFO, logger="workbench.runtime")
    response = grading.correct_response(EXAMPLES["single_choice"])

    usage, result = answer(client, "dx_question.0", {"response": response, "submission_id": "wb-1"})

    assert result["fraction"] == 1.0 and "正解" in result["html"]
    assert logged_grades(caplog) == [{"value": 1.0, "max_value": 1.0}]
    state = stored_state(usage)
    assert (state["fraction"], state["attempts"], state["response"]) == (1.0, 1, response)


def test_answering_the_quiz_publishes_one_grade_and_stores_passed(client, caplog):
    caplog.set_level(logging.INFO, logger="workbench.runtime")
    responses = [grading.correct_response(question) for question in EXAMPLES.values()]

    usage, result = answer(client, "dx_quiz.0", {"responses": responses})

    assert result["passed"] is True and "合格" in result["html"]
    assert logged_grades(caplog) == [{"value": 7.0, "max_value": 7.0}]
    state = stored_state(usage)
    assert state["passed"] is True and state["fraction"] == 1.0

"""Issue 16: the statements we send pass an xAPI validator we did not write.

Learning Locker's ``@learninglocker/xapi-validation`` (npm, pinned in tools/xapi-validator, installed by its
``install.sh`` once per session: a no-op when its node_modules matches the lock) checks every statement of a
scripted learner journey (``xapi_journey``): each gets no warning. Statements broken on purpose do get
warnings, so a validator that said nothing would fail these tests. Skipped only where ``node`` is missing.
"""

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .xapi_journey import FIRST, SECOND, journey, verb_of  # noqa: F401 - journey is a fixture

pytestmark = [pytest.mark.django_db]

VALIDATOR = Path(__file__).resolve().parents[2] / "tools" / "xapi-validator"


@pytest.fixture(scope="session")
def xapi_validator() -> Path:
    if shutil.which("node") is None:
        pytest.skip("node is not on PATH, so the xAPI validator (tools/xapi-validator) cannot run")
    subprocess.run(["bash", str(VALIDATOR / "install.sh")], check=True, timeout=600)
    return VALIDATOR / "validate.mjs"


def warnings_of(script: Path, statements: list[dict]) -> list[list[dict]]:
    """Each statement's warnings, as the validator reports them (``validate.mjs``)."""
    done = subprocess.run(
        ["node", str(script)], input=json.dumps(statements), capture_output=True, text=True, timeout=60
    )
    assert done.returncode in (0, 1), done.stderr
    results = json.loads(done.stdout)
    assert [result["index"] for result in results] == list(range(len(statements)))
    assert (done.returncode == 1) == any(result["warnings"] for result in results)
    return [result["warnings"] for result in results]


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.WAGTAILADMIN_BASE_URL = "http://testserver"


def test_every_statement_of_a_learner_journey_validates(journey, xapi_validator):  # noqa: F811
    statements = journey.statements()
    assert [verb_of(s) for s in statements] == FIRST + SECOND
    types = {s["object"].get("definition", {}).get("type", s["object"]["objectType"]) for s in statements}
    assert types == {
        "http://adlnet.gov/expapi/activities/lesson",
        "http://adlnet.gov/expapi/activities/course",
        "http://adlnet.gov/expapi/activities/assessment",
        "http://adlnet.gov/expapi/activities/objective",
        "http://activitystrea.ms/schema/1.0/badge",
        "StatementRef",
    }
    warnings = warnings_of(xapi_validator, statements)
    assert warnings == [[] for _ in statements], json.dumps(warnings, ensure_ascii=False)


def test_broken_statements_get_warnings(journey, xapi_validator):  # noqa: F811
    statements = {verb_of(s): s for s in journey.statements()}
    no_verb_id = copy.deepcopy(statements["passed"])
    del no_verb_id["verb"]["id"]
    two_identifiers = copy.deepcopy(statements["achieved"])
    two_identifiers["actor"]["mbox"] = "mailto:city01@example.jp"
    platform_of_a_void = copy.deepcopy(statements["voided"])  # what the voiding statement carried before
    platform_of_a_void["context"]["platform"] = "自治体DX研修"
    level_over_the_top = copy.deepcopy(statements["achieved"])
    level_over_the_top["result"]["score"]["raw"] = 6
    bad_duration = copy.deepcopy(statements["failed"])
    bad_duration["result"]["duration"] = "6 min"
    bad_registration = copy.deepcopy(statements["failed"])
    bad_registration["context"]["registration"] = "attempt-2"

    warnings = warnings_of(
        xapi_validator,
        [
            no_verb_id,
            two_identifiers,
            platform_of_a_void,
            level_over_the_top,
            bad_duration,
            bad_registration,
        ],
    )
    found = [{(w["name"], w["path"]) for w in each} for each in warnings]
    assert found == [
        {("RequiredWarning", "statement.verb.id")},
        {("IfiCountWarning", "statement.actor")},
        {("ContextPropWarning", "statement")},
        {("RawMoreThanMaxWarning", "statement.result.score")},
        {("TypeWarning", "statement.result.duration")},
        {("TypeWarning", "statement.context.registration")},
    ]

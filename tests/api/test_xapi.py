"""Issue 16: learning records go to the municipality's xAPI LRS, a real one (Ralph, tools/ralph).

若葉市 and みどり町 each have a completion and a graded quiz attempt (the ``world``); each has its own
account at Ralph, which stores each account's statements apart. Statements name people by employee
number only, the mark moves only past what the LRS accepted, and a resend is idempotent.
"""

import datetime
import json

import pytest
import requests
from django.core.management import CommandError, call_command
from django.db.models import F

from api import xapi
from api.models import LrsEndpoint
from api.services import lrs_endpoint_add
from api.tasks import send_to_lrs
from assessments.certification.models import Certificate
from assessments.models import Attempt
from courses.models import Enrollment
from lms_site.organisation.tenancy import municipality_scope

from .conftest import LRS_USERS

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def settled(world):
    """The world's records, a few minutes old (``send_pending`` leaves the last minute for the next run)."""
    earlier = datetime.timedelta(minutes=5)
    Enrollment.objects.update(completed_at=F("completed_at") - earlier)
    Attempt.objects.update(finished_at=F("finished_at") - earlier)
    Certificate.objects.update(created_at=F("created_at") - earlier)
    return world


def endpoint_of(municipality, lrs_url, user, *, secret=None) -> LrsEndpoint:
    return lrs_endpoint_add(
        municipality=municipality,
        name="県LRS",
        statements_url=lrs_url,
        key=user,
        secret=secret or LRS_USERS[user],
    )


def stored(lrs_url, user, employee_number) -> list[dict]:
    """Every statement the LRS holds for this account's agent, as that account reads them."""
    agent = {"account": {"homePage": "http://testserver", "name": employee_number}}
    response = requests.get(
        lrs_url,
        params={"agent": json.dumps(agent), "limit": 100},
        auth=(user, LRS_USERS[user]),
        headers={"X-Experience-API-Version": "1.0.3"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["statements"]


def expected_ids(endpoint) -> set[str]:
    with municipality_scope(endpoint.municipality):
        return {record.statement["id"] for record in xapi.pending_records(endpoint)}


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.WAGTAILADMIN_BASE_URL = "http://testserver"


def test_the_citys_records_arrive_as_statements_by_employee_number(settled, lrs_url):
    endpoint = endpoint_of(settled["city"], lrs_url, "city")
    ids = expected_ids(endpoint)
    with municipality_scope(endpoint.municipality):
        assert xapi.send_pending(endpoint) == 3
    found = {s["id"]: s for s in stored(lrs_url, "city", "city01") if s["id"] in ids}
    assert set(found) == ids
    verbs = sorted(s["verb"]["id"].rsplit("/", 1)[1] for s in found.values())
    assert verbs == ["completed", "earned", "passed"]
    quiz = next(s for s in found.values() if s["verb"]["id"].endswith("passed"))
    assert quiz["result"]["success"] is True and quiz["result"]["score"]["scaled"] == 1.0
    earned = next(s for s in found.values() if s["verb"]["id"].endswith("earned"))
    program = settled["city_certificate"].program
    assert earned["object"]["id"] == f"http://testserver/xapi/activities/program/{program.code}"
    assert earned["object"]["definition"]["name"]["ja-JP"] == program.name
    for statement in found.values():
        assert statement["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": "http://testserver", "name": "city01"},
        }
        assert statement["context"]["language"] == "ja-JP"
        assert "999991" in statement["context"]["extensions"].values()
        text = json.dumps(statement, ensure_ascii=False)
        assert "city職員" not in text and "@" not in text  # no name, no e-mail address
    endpoint.refresh_from_db()
    assert endpoint.sent_until == settled["city_attempt"].finished_at - datetime.timedelta(minutes=5)
    assert endpoint.last_error == ""
    with municipality_scope(endpoint.municipality):
        assert xapi.send_pending(endpoint) == 0  # nothing new


def test_a_revoked_certificate_voids_its_earned_statement_at_the_lrs(settled, lrs_url):
    endpoint = endpoint_of(settled["city"], lrs_url, "city")
    ids = expected_ids(endpoint)  # the LRS outlives this test: its other statements are not this one's
    with municipality_scope(endpoint.municipality):
        assert xapi.send_pending(endpoint) == 3
    this = [s for s in stored(lrs_url, "city", "city01") if s["id"] in ids]
    earned = next(s for s in this if s["verb"]["id"].endswith("earned"))
    certificate = settled["city_certificate"]
    certificate.refresh_from_db()  # created five minutes ago (``settled``)
    Certificate.objects.filter(pk=certificate.pk).update(
        revoked_at=certificate.created_at + datetime.timedelta(minutes=2), revocation_reason="誤って発行"
    )
    with municipality_scope(endpoint.municipality):
        assert xapi.send_pending(endpoint) == 1
        assert xapi.send_pending(endpoint) == 0  # sent once
    voiding = [
        s
        for s in stored(lrs_url, "city", "city01")
        if s["verb"]["id"] == xapi.VOIDED and s["object"]["id"] == earned["id"]
    ]
    assert len(voiding) == 1
    assert voiding[0]["object"] == {"objectType": "StatementRef", "id": earned["id"]}
    assert voiding[0]["actor"] == earned["actor"]
    assert "誤って発行" not in json.dumps(voiding[0], ensure_ascii=False)  # HR's reason stays with HR


def test_a_resend_from_the_start_is_accepted_without_duplicates(settled, lrs_url):
    endpoint = endpoint_of(settled["city"], lrs_url, "city")
    ids = expected_ids(endpoint)
    with municipality_scope(endpoint.municipality):
        xapi.send_pending(endpoint)
        endpoint.sent_until, endpoint.sent_until_key = None, ""
        endpoint.save(update_fields=["sent_until", "sent_until_key"])
        assert xapi.send_pending(endpoint, batch=1) == 3  # one at a time: the mark between them holds
    kept = [s["id"] for s in stored(lrs_url, "city", "city01") if s["id"] in ids]
    assert sorted(kept) == sorted(ids)


def test_the_beat_task_sends_each_municipality_to_its_own_store_only(settled, lrs_url):
    city = endpoint_of(settled["city"], lrs_url, "city")
    town = endpoint_of(settled["town"], lrs_url, "town")
    city_ids, town_ids = expected_ids(city), expected_ids(town)
    assert send_to_lrs() == 6
    assert stored(lrs_url, "town", "city01") == []
    assert not {s["id"] for s in stored(lrs_url, "city", "town01")} & town_ids
    assert {s["id"] for s in stored(lrs_url, "town", "town01")} >= town_ids
    assert {s["id"] for s in stored(lrs_url, "city", "city01")} >= city_ids


def test_wrong_credentials_are_recorded_and_the_mark_stays(settled, lrs_url, caplog):
    endpoint = endpoint_of(settled["city"], lrs_url, "city", secret="not-the-secret")
    assert send_to_lrs() == 0
    endpoint.refresh_from_db()
    assert endpoint.sent_until is None
    assert endpoint.last_error.startswith("HTTP 401") and endpoint.last_error_at
    assert "refused statements" in caplog.text
    assert endpoint.secret == "not-the-secret" and "not-the-secret" not in endpoint.sealed_secret


def test_an_lrs_that_stops_mid_run_gets_the_rest_once_it_is_back(settled, own_ralph, monkeypatch, caplog):
    """The LRS goes down after accepting the first batch (the process is stopped for real): the mark stays
    after that batch, the error is recorded; once it is back, the next run sends the rest, and the LRS
    holds every statement once."""
    endpoint = endpoint_of(settled["city"], own_ralph.statements_url, "city")
    ids = expected_ids(endpoint)
    posted = []
    post = xapi.post_statements

    def post_then_stop(endpoint, statements, *, session=None):
        post(endpoint, statements, session=session)
        posted.append(statements)
        if len(posted) == 1:
            own_ralph.stop()

    monkeypatch.setattr(xapi, "post_statements", post_then_stop)
    with municipality_scope(endpoint.municipality):
        assert xapi.send_pending(endpoint, batch=1) == 1

        endpoint.refresh_from_db()
        assert endpoint.sent_until_key and endpoint.last_error and endpoint.sending_until is None
        assert "refused statements" in caplog.text
        own_ralph.start()
        assert xapi.send_pending(endpoint, batch=1) == 2
        assert xapi.send_pending(endpoint, batch=1) == 0

    agent = {"account": {"homePage": "http://testserver", "name": "city01"}}
    held = requests.get(
        own_ralph.statements_url,
        params={"agent": json.dumps(agent), "limit": 100},
        auth=("city", LRS_USERS["city"]),
        headers={"X-Experience-API-Version": "1.0.3"},
        timeout=10,
    ).json()["statements"]
    assert sorted(s["id"] for s in held) == sorted(ids)


def test_a_second_run_leaves_a_store_to_the_run_sending_to_it(settled, lrs_url, caplog):
    """`lrs send` while the beat's run holds the store: it sends nothing; a lease left by a run that died
    lapses, and the next run sends."""
    from django.utils import timezone

    endpoint = endpoint_of(settled["city"], lrs_url, "city")
    LrsEndpoint.objects.filter(pk=endpoint.pk).update(
        sending_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    with municipality_scope(endpoint.municipality), caplog.at_level("INFO", logger="api.xapi"):
        assert xapi.send_pending(endpoint) == 0
        assert "another run is sending" in caplog.text
        endpoint.refresh_from_db()
        assert endpoint.sent_until is None

        LrsEndpoint.objects.filter(pk=endpoint.pk).update(
            sending_until=timezone.now() - datetime.timedelta(seconds=1)
        )
        assert xapi.send_pending(endpoint) == 3
    endpoint.refresh_from_db()
    assert endpoint.sending_until is None and endpoint.sent_until is not None


def test_the_command_lists_every_problem_and_writes_nothing(world):
    with pytest.raises(CommandError) as raised:
        call_command(
            "lrs", "add", "--municipality", "000000", "--name", " ",
            "--endpoint", "http://lrs.example.jp/xAPI/statements/", "--key", "a:b", "--secret", "",
        )  # fmt: skip
    assert len(str(raised.value).splitlines()) == 6  # the heading and five problems
    assert "ループバック" in str(raised.value)
    assert not LrsEndpoint.objects.exists()


def test_the_command_adds_lists_and_sends(settled, lrs_url, capsys):
    call_command(
        "lrs", "add", "--municipality", "999991", "--name", "県LRS",
        "--endpoint", lrs_url, "--key", "city", "--secret", LRS_USERS["city"],
    )  # fmt: skip
    call_command("lrs", "send", "--municipality", "999991")
    call_command("lrs", "list")
    out = capsys.readouterr().out
    assert "3 statements sent" in out and "sent until 20" in out and LRS_USERS["city"] not in out

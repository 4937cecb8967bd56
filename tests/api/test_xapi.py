"""Issue 16: learning records go to the municipality's xAPI LRS, a real one (Ralph, tools/ralph).

若葉市 and みどり町 each have a course completion, a graded quiz attempt, a competency level and a
certificate (the ``world``): four statements each; each has its own account at Ralph, which stores each
account's statements apart. Statements name people by employee number only, the mark moves only past what
the LRS accepted, and a resend is idempotent. A scripted learner journey (``xapi_journey``: lessons, the
course, a quiz passed and failed, a level reached twice, a certificate earned and revoked) goes to Ralph
and is read back by agent and by registration; ``test_xapi_validation.py`` checks the same statements
with Learning Locker's validator.
"""

import datetime
import json

import pytest
import requests
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from api import xapi
from api.models import LrsEndpoint
from api.services import lrs_endpoint_add
from api.tasks import send_to_lrs
from assessments.certification.models import Certificate, CompetencyLevel
from assessments.models import Attempt
from courses.models import Enrollment
from lms_site.organisation.tenancy import municipality_scope

from .conftest import LRS_USERS
from .xapi_journey import FIRST, SECOND, journey, verb_of  # noqa: F401 - journey is a fixture

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def settled(world):
    """The world's records, a few minutes old (``send_pending`` leaves the last minute for the next run)."""
    earlier = datetime.timedelta(minutes=5)
    Enrollment.objects.update(completed_at=F("completed_at") - earlier)
    Attempt.objects.update(finished_at=F("finished_at") - earlier)
    Certificate.objects.update(created_at=F("created_at") - earlier)
    CompetencyLevel.objects.update(updated_at=F("updated_at") - earlier)
    return world


def endpoint_of(municipality, lrs_url, user, *, secret=None) -> LrsEndpoint:
    return lrs_endpoint_add(
        municipality=municipality,
        name="県LRS",
        statements_url=lrs_url,
        key=user,
        secret=secret or LRS_USERS[user],
    )


def stored(lrs_url, user, employee_number=None, *, registration=None) -> list[dict]:
    """Every statement the LRS holds for this account's agent (or with this registration), as that account
    reads them (every page of the answer: the session's Ralph holds more than one page by the end)."""
    params = {"limit": 100}
    if employee_number is not None:
        params["agent"] = json.dumps({"account": {"homePage": "http://testserver", "name": employee_number}})
    if registration is not None:
        params["registration"] = registration
    statements, url = [], lrs_url
    while url:
        response = requests.get(
            url,
            params=params,
            auth=(user, LRS_USERS[user]),
            headers={"X-Experience-API-Version": "1.0.3"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        page = response.json()
        statements += page["statements"]
        more = page.get("more") or ""
        url, params = (requests.compat.urljoin(lrs_url, more), None) if more else (None, None)
    return statements


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
        assert xapi.send_pending(endpoint) == 4
    found = {s["id"]: s for s in stored(lrs_url, "city", "city01") if s["id"] in ids}
    assert set(found) == ids
    verbs = sorted(s["verb"]["id"].rsplit("/", 1)[1] for s in found.values())
    assert verbs == ["achieved", "completed", "earned", "passed"]
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
        assert xapi.send_pending(endpoint) == 4
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
        assert xapi.send_pending(endpoint, batch=1) == 4  # one at a time: the mark between them holds
    kept = [s["id"] for s in stored(lrs_url, "city", "city01") if s["id"] in ids]
    assert sorted(kept) == sorted(ids)


def test_the_beat_task_sends_each_municipality_to_its_own_store_only(settled, lrs_url):
    city = endpoint_of(settled["city"], lrs_url, "city")
    town = endpoint_of(settled["town"], lrs_url, "town")
    city_ids, town_ids = expected_ids(city), expected_ids(town)
    assert send_to_lrs() == 8
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
        assert xapi.send_pending(endpoint, batch=1) == 3
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
        assert xapi.send_pending(endpoint) == 4
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
    assert "4 statements sent" in out and "sent until 20" in out and LRS_USERS["city"] not in out


# --- lessons, levels, the attempt as the registration (the journey) --------------------------------------


def test_kinds_sort_as_their_keys():
    """``_after`` compares kinds as strings; the records are sorted by key: the two orders must agree for
    every pair of kinds and primary keys (kinds of lower-case letters only)."""
    assert all(kind.isascii() and kind.isalpha() and kind.islower() for kind in xapi.KINDS)
    assert list(xapi.KINDS) == sorted(xapi.KINDS)
    for a in xapi.KINDS:
        for b in xapi.KINDS:
            for pk_a, pk_b in ((1, 2), (2, 1), (7, 7), (999_999, 10), (10, 999_999)):
                key_a, key_b = xapi._key_of(a, pk_a), xapi._key_of(b, pk_b)
                assert (key_a < key_b) == ((a, pk_a) < (b, pk_b))
    with pytest.raises(ValueError):
        xapi._key_of("lesson-2", 1)


def test_records_of_one_instant_go_one_at_a_time_none_skipped_none_twice(journey):  # noqa: F811
    """Every kind at the very same instant: sending one at a time (the mark between them) gives the same
    records in the same order as one batch, so the mark after a lesson or a level is read right by the
    other tables' queries."""
    journey.first()
    journey.second()
    instant = journey.at(30)
    from courses.models import LessonCompletion

    for model, field in (
        (Enrollment, "completed_at"),
        (Attempt, "finished_at"),
        (Certificate, "created_at"),
        (Certificate, "revoked_at"),
        (CompetencyLevel, "updated_at"),
        (LessonCompletion, "completed_at"),
    ):
        model.objects.filter(**{f"{field}__isnull": False}).update(**{field: instant})
    endpoint = journey.endpoint()
    with municipality_scope(endpoint.municipality):
        whole = xapi.pending_records(endpoint)
        one_by_one = []
        for _ in range(len(whole) + 1):  # bounded: a mark that did not move would give a record again
            if not (records := xapi.pending_records(endpoint, limit=1)):
                break
            one_by_one += records
            endpoint.sent_until, endpoint.sent_until_key = records[0].time, records[0].key
    assert [r.key.split(":")[0] for r in whole] == [
        "attempt", "attempt", "certificate", "enrollment", "lesson", "lesson", "level", "revocation",
    ]  # fmt: skip
    assert [r.key for r in one_by_one] == [r.key for r in whole]


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (datetime.timedelta(0), "PT0S"),
        (datetime.timedelta(seconds=-3), "PT0S"),
        (datetime.timedelta(seconds=59.994), "PT59.99S"),
        (datetime.timedelta(seconds=59.996), "PT1M"),
        (datetime.timedelta(minutes=6, seconds=30.25), "PT6M30.25S"),
        (datetime.timedelta(hours=26, seconds=0.5), "PT26H0.5S"),
        (datetime.timedelta(hours=1, minutes=2, seconds=3), "PT1H2M3S"),
    ],
)
def test_durations_are_iso_8601_to_the_hundredth(delta, text):
    assert xapi.iso_duration(delta) == text


def test_the_journeys_statements(journey):  # noqa: F811
    statements = journey.statements()
    assert [verb_of(s) for s in statements] == FIRST + SECOND
    lesson_1, lesson_2, course, passed, failed, level_2, earned, level_3, voided = statements

    # Lessons: each its own page's URL, the course (as the course's own statement names it) as the parent.
    assert lesson_1["object"]["id"] == "http://testserver/courses/dx-basics/lesson-1/"
    assert lesson_1["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/lesson"
    assert lesson_2["context"]["contextActivities"] == {"parent": [course["object"]]}
    assert course["object"]["id"] == "http://testserver/courses/dx-basics/"

    # The attempt is the registration: stable, one per attempt; the duration is finished − started.
    assert passed["result"]["duration"] == "PT6M30.25S" and failed["result"]["duration"] == "PT1M"
    assert passed["context"]["registration"] != failed["context"]["registration"]
    assert passed["context"]["registration"] == xapi.attempt_registration(
        employee_number="city01", quiz_id=journey.passed.quiz_id, number=journey.passed.number
    )
    assert passed["result"]["success"] is True and failed["result"]["success"] is False

    # Levels: the competency as an objective (its CASE URI), the level on the framework's scale.
    competency = journey.level.competency
    for statement, level in ((level_2, 2), (level_3, 3)):
        assert statement["verb"] == {
            "id": "https://w3id.org/xapi/dod-isd/verbs/achieved",
            "display": {"ja-JP": "到達した", "en-US": "achieved"},
        }
        assert statement["object"] == {
            "objectType": "Activity",
            "id": f"urn:uuid:{competency.identifier}",
            "definition": {
                "type": "http://adlnet.gov/expapi/activities/objective",
                "name": {"ja-JP": "行政DXの理解", "en-US": "行政DXの理解"},
            },
        }
        assert statement["result"] == {"score": {"raw": level, "min": 1, "max": 5}}
    assert level_2["id"] != level_3["id"]

    # The void names the earned statement; "platform" only where the object is an activity (xAPI 2.4.6).
    assert voided["object"] == {"objectType": "StatementRef", "id": earned["id"]}
    assert "platform" not in voided["context"] and all("platform" in s["context"] for s in statements[:-1])
    for statement in statements:
        assert statement["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": "http://testserver", "name": "city01"},
        }
        text = json.dumps(statement, ensure_ascii=False)
        assert "city職員" not in text and "@" not in text and "誤って発行" not in text


def test_a_competency_of_a_reference_framework_is_named_by_its_publishers_uri(framework):
    competency = framework.competencies.get(code="A2")
    assert xapi.competency_activity_id(competency) == f"urn:uuid:{competency.identifier}"
    competency.uri = "https://example.jp/dss/items/BIZ-01"
    assert xapi.competency_activity_id(competency) == "https://example.jp/dss/items/BIZ-01"


def test_a_recompute_that_keeps_the_level_sends_nothing_again(journey):  # noqa: F811
    """The level table's writer leaves a row whose level is unchanged as it is (``updated_at`` too), so a
    recompute sends no second statement; a level that rises goes once more, with the new level."""
    from assessments.certification.services.level_table import levels_recompute
    from assessments.models import Evidence, EvidenceSource, EvidenceStatus

    journey.first()
    endpoint = journey.endpoint()
    with municipality_scope(endpoint.municipality):
        records = xapi.pending_records(endpoint)
        endpoint.sent_until, endpoint.sent_until_key = records[-1].time, records[-1].key
        outcome = levels_recompute(user=journey.user)  # the world's verified evidence: A1 at level 2
        assert (outcome.unchanged, outcome.updated, outcome.created) == (1, 0, 0)
        assert xapi.pending_records(endpoint, until=timezone.now() + datetime.timedelta(minutes=1)) == []

        Evidence.objects.create(
            user=journey.user,
            competency=journey.level.competency,
            level=3,
            source=EvidenceSource.OJT,
            source_key="ojt:journey",
            status=EvidenceStatus.VERIFIED,
        )
        assert levels_recompute(user=journey.user).updated == 1
        again = xapi.pending_records(endpoint, until=timezone.now() + datetime.timedelta(minutes=1))
    assert [(verb_of(r.statement), r.statement["result"]["score"]["raw"]) for r in again] == [("achieved", 3)]


def test_pending_records_runs_a_fixed_number_of_queries(journey, django_assert_num_queries):  # noqa: F811
    """One query per table (six), one for the lessons' courses and one for the levels' scales, whatever
    the number of records: here eight (the level row holds level 3 by now, so level 2 is not among
    them), then with every other lesson of the curriculum completed and every other competency at a
    level. The first call also reads the site's root paths (for page URLs), which Wagtail caches."""
    from courses.competencies.models import Competency
    from courses.models import LessonCompletion, LessonPage

    journey.first()
    journey.second()
    endpoint = journey.endpoint()
    endpoint = type(endpoint).objects.select_related("municipality").get(pk=endpoint.pk)
    with municipality_scope(endpoint.municipality):
        xapi.pending_records(endpoint)  # the site's root paths, cached from then on
        with django_assert_num_queries(8):
            assert len(xapi.pending_records(endpoint)) == 8
        for lesson in LessonPage.objects.exclude(completions__user=journey.user):
            LessonCompletion.objects.create(user=journey.user, lesson=lesson, completed_at=journey.at(15))
        for competency in Competency.objects.exclude(person_levels__user=journey.user):
            CompetencyLevel.objects.create(
                user=journey.user, competency=competency, level=1, updated_at=journey.at(16)
            )
        with django_assert_num_queries(8):
            assert len(xapi.pending_records(endpoint)) > 12


def lrs_post(lrs_url, user, statements) -> requests.Response:
    return requests.post(
        lrs_url,
        json=statements,
        auth=(user, LRS_USERS[user]),
        headers={"X-Experience-API-Version": "1.0.3"},
        timeout=10,
    )


def test_a_learner_journey_reaches_the_lrs_and_reads_back_by_agent_and_registration(journey, lrs_url):  # noqa: F811
    endpoint = endpoint_of(journey.world["city"], lrs_url, "city")
    with municipality_scope(endpoint.municipality):
        journey.first()
        sent = [record.statement for record in xapi.pending_records(endpoint)]
        assert xapi.send_pending(endpoint) == 7
        journey.second()
        sent += [record.statement for record in xapi.pending_records(endpoint)]
        assert xapi.send_pending(endpoint) == 2
        assert xapi.send_pending(endpoint) == 0
    ours = {statement["id"]: statement for statement in sent}
    assert [verb_of(s) for s in sent] == FIRST + SECOND and len(ours) == 9

    # By agent (the account): each statement once, as it was sent (Ralph adds stored, authority, version).
    held = [s for s in stored(lrs_url, "city", "city01") if s["id"] in ours]
    assert sorted(s["id"] for s in held) == sorted(ours)
    for statement in held:
        for part in ("actor", "verb", "object", "context", "result"):
            assert statement.get(part) == ours[statement["id"]].get(part), part
    assert sorted(s["result"]["score"]["raw"] for s in held if verb_of(s) == "achieved") == [2, 3]

    # By registration (the attempt): the passed attempt's statement, the failed one's apart.
    passed, failed = (next(s for s in sent if verb_of(s) == verb) for verb in ("passed", "failed"))
    for statement in (passed, failed):
        registration = statement["context"]["registration"]
        found = stored(lrs_url, "city", registration=registration)
        assert {s["id"] for s in found} & set(ours) == {statement["id"]}
        assert all(s["context"]["registration"] == registration for s in found)

    # A resend from the start: accepted, nothing stored twice (the level row holds level 3 by now, so
    # eight statements go again; the level-2 statement stays as it was).
    endpoint.sent_until, endpoint.sent_until_key = None, ""
    endpoint.save(update_fields=["sent_until", "sent_until_key"])
    with municipality_scope(endpoint.municipality):
        assert xapi.send_pending(endpoint, batch=2) == 8
    again = [s["id"] for s in stored(lrs_url, "city", "city01") if s["id"] in ours]
    assert sorted(again) == sorted(ours)


def test_a_statement_the_lrs_holds_in_an_older_shape_does_not_hold_back_its_batch(journey, lrs_url, caplog):  # noqa: F811
    """The LRS already holds the passed attempt's statement as it was sent before attempts carried their
    registration and duration (same id, different statement): it refuses the batch with 409, which is
    then sent one statement at a time; the others are stored, that one stays as the LRS holds it."""
    endpoint = endpoint_of(journey.world["city"], lrs_url, "city")
    with municipality_scope(endpoint.municipality):
        journey.first()
        records = xapi.pending_records(endpoint)
    ids = {record.statement["id"] for record in records}
    passed = next(record.statement for record in records if verb_of(record.statement) == "passed")
    older = json.loads(json.dumps(passed))
    del older["context"]["registration"], older["result"]["duration"]
    assert lrs_post(lrs_url, "city", [older]).status_code == 200
    assert lrs_post(lrs_url, "city", [passed]).status_code == 409  # the LRS refuses the new shape

    with municipality_scope(endpoint.municipality):
        assert xapi.send_pending(endpoint) == 7
    held = {s["id"]: s for s in stored(lrs_url, "city", "city01") if s["id"] in ids}
    assert set(held) == ids
    assert "registration" not in held[passed["id"]]["context"]
    assert f"holds a different statement under id {passed['id']}" in caplog.text
    endpoint.refresh_from_db()
    assert endpoint.last_error == "" and endpoint.sent_until_key == records[-1].key

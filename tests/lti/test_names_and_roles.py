"""Issue 17 part 1, ADR 0023: Names and Role Provisioning against the independent platform over real HTTP
(tools/lti-platform serves the memberships, pages them with Link headers and checks the service token
it issued after verifying our signed assertion against the live server's JWKS)."""

import json

import jwt
import pytest
import requests

from lti import nrps
from lti.models import GradeLink, LtiIdentity, Score
from lti.services import Refusal
from tests.lti.conftest import launch_form, pass_quiz, register
from tests.lti.test_grades_and_deep_linking import _scores_sent_here, live_launch  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def launch_claims(platform: str, sub: str, roles: list[str], **spec) -> dict:
    """The id_token the platform posts for this launch (its checks are tests/lti/test_launch.py's)."""
    with requests.Session() as browser:
        _, fields = launch_form(
            platform, "live-tool", {"sub": sub, "roles": roles, "nrps": True, **spec}, browser
        )
    return jwt.decode(fields["id_token"], options={"verify_signature": False})


def members_at(platform: str, context: str, members: list[dict], **setting) -> None:
    answer = requests.post(
        f"{platform}/contexts/{context}/members", data=json.dumps({"members": members, **setting}), timeout=10
    )
    assert answer.status_code == 200


def member(user_id: str, name: str, role: str = LEARNER) -> dict:
    return {"user_id": user_id, "name": name, "status": "Active", "roles": [role]}


def test_an_instructor_sees_every_member_across_pages_with_who_launched_and_their_score(
    live_platform, city, quiz, live_server
):
    registration = register(city, live_platform, "live-tool", "dep-live")
    with requests.Session() as browser:
        live_launch(browser, live_platform, "live-tool", sub="m-2", target=f"quiz:{quiz.pk}")
    pass_quiz(LtiIdentity.objects.get(subject="m-2").user, quiz)
    people = [member("teacher-1", "講師 一郎", INSTRUCTOR)] + [
        member(f"m-{i}", f"受講者 {i}") for i in range(1, 6)
    ]
    members_at(live_platform, "course-a", people, page_size=2)

    claims = launch_claims(
        live_platform, "teacher-1", [INSTRUCTOR], context="course-a", target=f"quiz:{quiz.pk}"
    )
    roster = nrps.course_members(registration=registration, claims=claims)

    assert not isinstance(roster, Refusal), roster
    assert roster.pages == 3
    assert [m.user_id for m in roster.members] == ["teacher-1", "m-1", "m-2", "m-3", "m-4", "m-5"]
    launched = {m.user_id: (m.launched, m.score) for m in roster.members if m.launched}
    assert launched == {"m-2": (True, 100)}  # percent: the quiz's 1 point of 1 (ADR 0023 scores in points)
    assert all(m.employee_number == "" for m in roster.members)  # not a trusted registration


def test_a_learner_is_refused_the_members(live_platform, city, live_server):
    registration = register(city, live_platform, "live-tool", "dep-live")
    members_at(live_platform, "course-b", [member("m-1", "受講者 1")])
    claims = launch_claims(live_platform, "m-1", [LEARNER], context="course-b")

    refused = nrps.course_members(registration=registration, claims=claims)

    assert isinstance(refused, Refusal) and refused.code == "not_instructor"


def test_another_registrations_context_is_refused(live_platform, city, town, live_server):
    register(city, live_platform, "live-tool", "dep-live")
    other = register(town, "http://127.0.0.1:9", "town-lms", "dep-town")
    claims = launch_claims(live_platform, "teacher-1", [INSTRUCTOR], context="course-c")

    refused = nrps.course_members(registration=other, claims=claims)

    assert isinstance(refused, Refusal) and refused.code == "other_registration"
    forged = {
        **claims,
        nrps.NRPS_CLAIM: {"context_memberships_url": "http://127.0.0.1:9/contexts/x/memberships"},
    }
    registration = register(city, live_platform, "live-tool-2", "dep-live-2")
    assert nrps.members_refusal(registration=registration, claims=forged).code == "other_registration"


def test_a_token_the_platform_refuses_is_reported_and_changes_nothing(live_platform, city, live_server):
    registration = register(city, live_platform, "live-tool", "dep-live")
    members_at(live_platform, "course-d", [member("m-1", "受講者 1")], refuse=True)
    claims = launch_claims(live_platform, "teacher-1", [INSTRUCTOR], context="course-d")
    before = (LtiIdentity.objects.count(), GradeLink.objects.count(), Score.objects.count())

    refused = nrps.course_members(registration=registration, claims=claims)

    assert isinstance(refused, Refusal) and refused.code == "members_unavailable"
    assert "401" in refused.message and "参加者を読み取れません" in refused.message
    assert (LtiIdentity.objects.count(), GradeLink.objects.count(), Score.objects.count()) == before


def test_an_instructors_launch_opens_the_members_page_and_the_access_is_logged(
    live_platform, city, quiz, live_server
):
    from lms_site.organisation.models import PersonalDataAccess

    register(city, live_platform, "live-tool", "dep-live")
    members_at(
        live_platform, "course-e", [member("teacher-9", "講師 九郎", INSTRUCTOR), member("m-1", "受講者 壱")]
    )
    with requests.Session() as browser:
        page = live_launch(
            browser,
            live_platform,
            "live-tool",
            sub="teacher-9",
            roles=[INSTRUCTOR],
            nrps=True,
            context="course-e",
            target=f"quiz:{quiz.pk}",
        )
        assert page.status_code == 200 and page.url.endswith("/lti/members/"), page.text[:300]
        assert "受講者 壱" in page.text and "LTI 小テスト" in page.text
        log = PersonalDataAccess.objects.get(view="lti:members")
        assert (log.rows, log.municipality_id) == (2, city.pk)

        learner = live_launch(
            browser,
            live_platform,
            "live-tool",
            sub="m-1",
            nrps=True,
            context="course-e",
            target=f"quiz:{quiz.pk}",
        )
        assert learner.status_code == 200 and not learner.url.endswith("/lti/members/")
        assert "受講者 壱" not in learner.text

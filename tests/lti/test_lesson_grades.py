"""Issue 17, ADR 0023: grades for a lesson and a course's progress, and a line item the tool makes when the
platform gave none. The tool is the live server, the platform the independent peer (tools/lti-platform):
it checks our signed assertion against our JWKS for every token, lists and makes line items, and records
the scores it receives. The learner completes lessons in the launched browser session (the lesson page's
own form)."""

import re

import pytest
import requests

from courses.models import LessonPage
from lti.models import GradeLink, LtiIdentity, Score, ScoreStatus, ToolLineItem
from lti.services import AGS_CLAIM
from tests.lti.conftest import launch_form, register, running_platform, tool_urls

pytestmark = pytest.mark.django_db(transaction=True)

SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
RESULT = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"


@pytest.fixture(autouse=True)
def _scores_sent_here():
    """``lti.send_scores`` runs in this process on commit (as without a broker) on both CI legs."""
    from lti.tasks import send_scores

    conf = send_scores.app.conf
    before = conf.task_always_eager
    conf.task_always_eager = True
    yield
    conf.task_always_eager = before


def live_launch(session: requests.Session, platform: str, client_id: str, **spec) -> requests.Response:
    action, fields = launch_form(platform, client_id, spec, session)
    return session.post(action, data=fields, timeout=20)


def complete(session: requests.Session, base: str, lesson: LessonPage) -> None:
    """The learner presses the lesson page's 完了 button."""
    page = session.get(f"{base}{lesson.url}", timeout=20)
    assert page.status_code == 200, page.text[:300]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    done = session.post(
        f"{base}/learning/lessons/{lesson.pk}/complete/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}{lesson.url}"},
        timeout=20,
    )
    assert done.status_code == 200, done.text[:300]


def scores_at(platform: str, user_id: str) -> list[dict]:
    return [s for s in requests.get(f"{platform}/scores", timeout=10).json() if s["userId"] == user_id]


def made_at(platform: str) -> list[dict]:
    return requests.get(f"{platform}/lineitems_made", timeout=10).json()


def lessons_of(course) -> list[LessonPage]:
    return list(LessonPage.objects.live().child_of(course).order_by("path"))


def no_lineitem(platform: str, scopes: list[str]) -> dict:
    """The AGS claim of a link the platform made no line item for: the container and what the tool may do."""
    return {AGS_CLAIM: {"scope": scopes, "lineitems": f"{platform}/lineitems"}}


def test_a_completed_lesson_sends_one_of_one_completed_and_only_for_the_learner_who_completed_it(
    live_platform, city, curriculum, live_server
):
    register(city, live_platform, "live-tool", "dep-live")
    lesson = lessons_of(curriculum["basics"])[0]
    with requests.Session() as first, requests.Session() as second:
        page = live_launch(first, live_platform, "live-tool", sub="lesson-a", target=f"lesson:{lesson.pk}")
        assert page.status_code == 200 and lesson.title in page.text
        live_launch(second, live_platform, "live-tool", sub="lesson-b", target=f"lesson:{lesson.pk}")
        link_a = GradeLink.objects.get(subject="lesson-a")
        assert link_a.lesson_id == lesson.pk and link_a.course_id is None and link_a.quiz_id is None

        complete(second, live_server.url, lesson)  # another learner: nothing for lesson-a
        assert scores_at(live_platform, "lesson-a") == []
        assert len(scores_at(live_platform, "lesson-b")) == 1

        complete(first, live_server.url, lesson)
        complete(first, live_server.url, lesson)  # pressed again: already done, nothing more owed

    received = scores_at(live_platform, "lesson-a")
    assert len(received) == 1
    assert (received[0]["scoreGiven"], received[0]["scoreMaximum"]) == (1, 1)
    assert (received[0]["activityProgress"], received[0]["gradingProgress"]) == ("Completed", "FullyGraded")
    assert received[0]["lineitem"] == link_a.lineitem_url.rsplit("/", 1)[-1]
    assert Score.objects.filter(link=link_a).get().status == ScoreStatus.SENT


def test_a_course_launch_sends_its_progress_on_each_lesson_and_fully_graded_when_completed(
    live_platform, city, curriculum, live_server
):
    register(city, live_platform, "live-tool", "dep-live")
    course = curriculum["data"]  # three lessons
    with requests.Session() as browser:
        live_launch(browser, live_platform, "live-tool", sub="course-a", target=f"course:{course.pk}")
        assert GradeLink.objects.get().course_id == course.pk
        for lesson in lessons_of(course):
            complete(browser, live_server.url, lesson)

    received = [
        (s["scoreGiven"], s["scoreMaximum"], s["activityProgress"], s["gradingProgress"])
        for s in scores_at(live_platform, "course-a")
    ]
    assert received == [
        (1, 3, "InProgress", "Pending"),
        (2, 3, "InProgress", "Pending"),
        (100, 100, "Completed", "FullyGraded"),
    ]
    assert set(Score.objects.values_list("status", flat=True)) == {ScoreStatus.SENT}


def test_without_a_line_item_the_tool_makes_one_at_the_platform_and_the_score_lands_in_it(
    live_platform, city, curriculum, live_server
):
    register(city, live_platform, "live-tool", "dep-live")
    lesson = lessons_of(curriculum["basics"])[1]
    claims = no_lineitem(live_platform, [LINEITEM, RESULT, SCORE])
    before = len(made_at(live_platform))
    with requests.Session() as browser:
        page = live_launch(
            browser, live_platform, "live-tool", sub="made-a", target=f"lesson:{lesson.pk}",
            resource_link="rl-made-1", claims=claims,
        )  # fmt: skip
        assert page.status_code == 200
        made = made_at(live_platform)[before:]
        assert len(made) == 1
        item = made[0]
        assert item["label"] == lesson.title
        assert item["scoreMaximum"] == 1
        assert item["resourceId"] == f"lesson:{lesson.pk}"
        assert item["resourceLinkId"] == "rl-made-1"
        assert item["client_id"] == "live-tool"
        assert ToolLineItem.objects.get().lineitem_url == item["id"]
        assert GradeLink.objects.get(subject="made-a").lineitem_url == item["id"]

        # the link launched again, by another learner: the stored line item, nothing made
        with requests.Session() as other:
            live_launch(
                other, live_platform, "live-tool", sub="made-b", target=f"lesson:{lesson.pk}",
                resource_link="rl-made-1", claims=claims,
            )  # fmt: skip
        # and with our record lost, the platform's is found, not made twice
        ToolLineItem.objects.all().delete()
        with requests.Session() as third:
            live_launch(
                third, live_platform, "live-tool", sub="made-c", target=f"lesson:{lesson.pk}",
                resource_link="rl-made-1", claims=claims,
            )  # fmt: skip
        assert len(made_at(live_platform)[before:]) == 1
        assert set(GradeLink.objects.values_list("lineitem_url", flat=True)) == {item["id"]}

        complete(browser, live_server.url, lesson)

    received = scores_at(live_platform, "made-a")
    assert [(s["lineitem"], s["scoreGiven"], s["scoreMaximum"]) for s in received] == [
        (item["id"].rsplit("/", 1)[-1], 1, 1)
    ]


def test_without_the_lineitem_scope_nothing_is_made_and_the_launch_goes_on_without_grades(
    live_platform, city, curriculum, live_server
):
    register(city, live_platform, "live-tool", "dep-live")
    lesson = lessons_of(curriculum["basics"])[0]
    before = len(made_at(live_platform))
    with requests.Session() as browser:
        page = live_launch(
            browser, live_platform, "live-tool", sub="noscope-a", target=f"lesson:{lesson.pk}",
            resource_link="rl-noscope", claims=no_lineitem(live_platform, [RESULT, SCORE]),
        )  # fmt: skip
        assert page.status_code == 200 and lesson.title in page.text
        complete(browser, live_server.url, lesson)
    assert len(made_at(live_platform)) == before
    assert not GradeLink.objects.exists() and not ToolLineItem.objects.exists() and not Score.objects.exists()
    assert scores_at(live_platform, "noscope-a") == []
    assert LtiIdentity.objects.filter(subject="noscope-a").exists()


def test_a_line_item_or_line_items_url_off_the_platform_is_never_asked_nor_scored(
    live_platform, city, curriculum, live_server, tmp_path
):
    """A launch naming another host (a forged claim, or a misconfigured LMS) sends nothing there: not our
    signed assertion for a token, not a line item request, not a score. The other host is a real listener
    that records every service request it receives."""
    register(city, live_platform, "live-tool", "dep-live")
    lesson = lessons_of(curriculum["basics"])[0]
    entries = [{"client_id": "live-tool", "deployment_id": "dep-live", "tool": tool_urls(live_server.url)}]
    with running_platform(entries, tmp_path) as elsewhere:
        forged_container = {AGS_CLAIM: {"scope": [LINEITEM, SCORE], "lineitems": f"{elsewhere}/lineitems"}}
        forged_item = {
            AGS_CLAIM: {
                "scope": [LINEITEM, SCORE],
                "lineitems": f"{live_platform}/lineitems",
                "lineitem": f"{elsewhere}/lineitems/stolen",
            }
        }
        with requests.Session() as one, requests.Session() as two:
            page = live_launch(
                one, live_platform, "live-tool", sub="forged-a", target=f"lesson:{lesson.pk}",
                resource_link="rl-forged", claims=forged_container,
            )  # fmt: skip
            assert page.status_code == 200
            page = live_launch(
                two, live_platform, "live-tool", sub="forged-b", target=f"lesson:{lesson.pk}",
                resource_link="rl-forged", claims=forged_item,
            )  # fmt: skip
            assert page.status_code == 200
            complete(one, live_server.url, lesson)
            complete(two, live_server.url, lesson)
        assert requests.get(f"{elsewhere}/requests", timeout=10).json() == []  # not even a token asked
        assert made_at(elsewhere) == []
        assert requests.get(f"{elsewhere}/scores", timeout=10).json() == []
    assert not GradeLink.objects.exists() and not ToolLineItem.objects.exists() and not Score.objects.exists()


def test_another_registration_never_uses_a_line_item_the_tool_made_for_one(
    curriculum, city, town, live_server, tmp_path
):
    """Two municipalities' registrations on one LMS, the same resource link id: each gets its own line item
    (the platform lists to each only its own), and a score goes only to the launching registration's."""
    entries = [
        {"client_id": "city-live", "deployment_id": "dep-cl", "tool": tool_urls(live_server.url)},
        {"client_id": "town-live", "deployment_id": "dep-tl", "tool": tool_urls(live_server.url)},
    ]
    lesson = lessons_of(curriculum["basics"])[0]
    with running_platform(entries, tmp_path) as lms:
        city_lms = register(city, lms, "city-live", "dep-cl")
        town_lms = register(town, lms, "town-live", "dep-tl")
        claims = no_lineitem(lms, [LINEITEM, SCORE])
        spec = {"target": f"lesson:{lesson.pk}", "resource_link": "rl-shared", "claims": claims}
        with requests.Session() as city_browser, requests.Session() as town_browser:
            live_launch(city_browser, lms, "city-live", sub="shared-1", **spec)
            live_launch(town_browser, lms, "town-live", sub="shared-1", **spec)
            complete(town_browser, live_server.url, lesson)
            made = made_at(lms)
            scores = requests.get(f"{lms}/scores", timeout=10).json()
    assert sorted(m["client_id"] for m in made) == ["city-live", "town-live"]
    by_client = {m["client_id"]: m["id"] for m in made}
    assert ToolLineItem.objects.get(registration=city_lms).lineitem_url == by_client["city-live"]
    assert ToolLineItem.objects.get(registration=town_lms).lineitem_url == by_client["town-live"]
    assert GradeLink.objects.get(registration=town_lms).lineitem_url == by_client["town-live"]
    # the town's learner completed: the town's line item scored, the city's (same sub, same link) not
    assert [s["lineitem"] for s in scores] == [by_client["town-live"].rsplit("/", 1)[-1]]

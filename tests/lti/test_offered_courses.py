"""ADR 0024, issue 13: an LMS registered by one municipality reaches the courses and lessons offered to it
(shared, its own), never another municipality's own: not launched, not listed in the deep linking picker,
and a forged picker answer naming one is refused. 青葉町's LMS (``town-tool``) is the attacker, 若葉市's own
course the target."""

import re

import pytest
from django.contrib.auth import get_user_model

from lti.models import GradeLink, LtiIdentity, UsedNonce
from tests.lti.conftest import launch, launch_form
from tests.own_courses import first_lesson, own_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(city, town, framework, curriculum):
    return {
        "city_course": own_course(city, framework, hostname="city.example.jp", slug="city-rules"),
        "town_course": own_course(town, framework, hostname="town.example.jp", slug="town-rules"),
        "shared": curriculum["basics"],
    }


def picker(client, platform: str, client_id: str, sub: str) -> tuple[str, str]:
    """The deep linking picker shown to the LMS's author: (its HTML, its launch id)."""
    _action, fields = launch_form(platform, client_id, {"sub": sub, "deep_link": True}, client)
    response = client.post("/lti/launch/", fields)
    assert response.status_code == 200, response.content.decode()[:500]
    page = response.content.decode()
    return page, re.search(r'name="launch_id" value="([^"]+)"', page)[1]


def answer(client, launch_id: str, target: str):
    return client.post("/lti/deep-link/", {"launch_id": launch_id, "target": target})


@pytest.mark.parametrize("kind", ["course", "lesson"])
def test_another_municipality_s_own_course_or_lesson_is_not_launched(
    client, platform, city_lms, town_lms, owned, caplog, kind
):
    city_course = owned["city_course"]
    target = city_course if kind == "course" else first_lesson(city_course)
    users = get_user_model().objects.count()

    response = launch(
        client, platform, "town-tool", sub="t-1", employee_number="200001", target=f"{kind}:{target.pk}"
    )

    assert response.status_code == 403
    assert any(getattr(r, "refusal", None) == "unknown_target" for r in caplog.records)
    assert "見つかりません" in response.content.decode()
    assert get_user_model().objects.count() == users
    assert not LtiIdentity.objects.exists() and not GradeLink.objects.exists()
    assert not UsedNonce.objects.exists()
    # the control: the city's own LMS launches it
    assert launch(client, platform, "city-tool", sub="c-1", target=f"{kind}:{target.pk}").status_code == 302


def test_the_picker_lists_the_shared_and_the_municipality_s_own_never_another_s(
    client, platform, town_lms, owned
):
    page, _launch_id = picker(client, platform, "town-tool", "town-author")
    town_course, city_course = owned["town_course"], owned["city_course"]
    for offered in (owned["shared"], town_course):
        assert f"course:{offered.pk}" in page
        assert f"lesson:{first_lesson(offered).pk}" in page
    assert f"course:{city_course.pk}" not in page and city_course.title not in page
    assert f"lesson:{first_lesson(city_course).pk}" not in page


@pytest.mark.parametrize("kind", ["course", "lesson"])
def test_a_forged_picker_answer_naming_another_municipality_s_own_content_is_refused(
    client, platform, town_lms, owned, caplog, kind
):
    city_course = owned["city_course"]
    target = city_course if kind == "course" else first_lesson(city_course)
    _page, launch_id = picker(client, platform, "town-tool", "town-author")

    response = answer(client, launch_id, f"{kind}:{target.pk}")

    assert response.status_code == 403
    assert any(getattr(r, "refusal", None) == "unknown_target" for r in caplog.records)
    assert 'name="JWT"' not in response.content.decode()
    assert not LtiIdentity.objects.exists() and not GradeLink.objects.exists()


@pytest.mark.parametrize("which", ["shared", "town_course"])
def test_the_author_embeds_a_shared_course_or_the_municipality_s_own(
    client, platform, town_lms, owned, which
):
    course = owned[which]
    _page, launch_id = picker(client, platform, "town-tool", "town-author")
    response = answer(client, launch_id, f"course:{course.pk}")
    assert response.status_code == 200, response.content.decode()[:500]
    assert 'name="JWT"' in response.content.decode() and course.title in response.content.decode()
    assert not LtiIdentity.objects.exists()  # picking signs nobody in


def test_a_launch_from_another_lms_in_the_same_browser_does_not_widen_the_picker_s_answer(
    client, platform, city_lms, town_lms, owned, caplog
):
    """The town's picker is open; the same browser then launches from the city's LMS (the session now
    names the city's registration). The answer to the town's picker is still judged for the town."""
    city_course = owned["city_course"]
    _page, launch_id = picker(client, platform, "town-tool", "town-author")
    assert (
        launch(client, platform, "city-tool", sub="c-2", target=f"course:{city_course.pk}").status_code == 302
    )

    response = answer(client, launch_id, f"course:{city_course.pk}")

    assert response.status_code == 403
    assert 'name="JWT"' not in response.content.decode()
    assert any(getattr(r, "refusal", None) == "unknown_target" for r in caplog.records)

"""The way in (issue 19, item 1): from the home page and the header, everyone reaches the catalogue in one
click; each person's home page points at their own next step, and never at pages their role cannot open."""

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrollment
from lms_site.organisation.roles import Role
from tests.competencies.conftest import user_with_role
from tests.factories import StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def steps(client) -> dict[str, str]:
    """The home page's next steps: title → address."""
    response = client.get("/")
    assert response.status_code == 200
    return {step.title: step.url for step in response.context["next_steps"]}


def test_an_anonymous_visitor_reaches_the_catalogue_from_the_home_page_and_the_header(client, curriculum):
    found = steps(client)
    assert found == {"研修コースを探す": "/courses/"}
    html = client.get("/").content.decode()
    assert f'href="{reverse("courses:catalogue")}"' in html  # the header's 研修コース
    response = client.get(reverse("courses:catalogue"))
    assert response.status_code == 302 and response["Location"] == "/courses/"
    catalogue = client.get("/courses/").content.decode()
    assert 'aria-current="page">研修コース</a>' in catalogue


def test_without_a_published_catalogue_the_header_link_says_so(client, db):
    response = client.get(reverse("courses:catalogue"))
    assert response.status_code == 404
    assert steps(client) == {}


def test_a_learner_continues_the_course_in_progress_at_the_last_lesson_opened(client, curriculum):
    learner = UserFactory(username="learner")
    basics, data = curriculum["basics"], curriculum["data"]
    lesson = data.get_children().live().specific().last()
    Enrollment.objects.create(user=learner, course=basics, last_activity_at=timezone.now().replace(year=2025))
    Enrollment.objects.create(user=learner, course=data, last_lesson=lesson, last_activity_at=timezone.now())
    client.force_login(learner)
    found = steps(client)
    assert list(found) == ["続きから学習する", "マイ学習", "研修コースを探す"]
    assert found["続きから学習する"] == lesson.url
    assert "人材育成の分析" not in found and "管理画面" not in found


def test_a_finished_course_is_not_offered_to_continue(client, curriculum):
    learner = UserFactory(username="learner")
    Enrollment.objects.create(user=learner, course=curriculum["basics"], completed_at=timezone.now())
    client.force_login(learner)
    assert "続きから学習する" not in steps(client)


@pytest.mark.parametrize(
    ("role", "expected", "refused"),
    [
        (Role.HR, {"人材育成の分析", "認定証の管理"}, set()),
        (Role.ADVISOR, {"修了課題の確認・審査"}, {"人材育成の分析", "認定証の管理"}),
        (Role.LEARNER, set(), {"人材育成の分析", "認定証の管理", "修了課題の確認・審査", "管理画面"}),
    ],
)
def test_each_role_is_pointed_at_its_work_and_only_at_pages_it_may_open(
    client, curriculum, municipality, role, expected, refused
):
    user = user_with_role(role, f"user-{role.value}")
    StaffProfileFactory(user=user, municipality=municipality)
    client.force_login(user)
    found = steps(client)
    assert expected <= set(found)
    assert not refused & set(found)
    for title, url in found.items():
        assert client.get(url).status_code in {200, 302}, title  # every step opens for this person

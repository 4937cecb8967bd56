"""The demo's curriculum authors keep authoring the shared curriculum (ADR 0024): demo-advisor drafts it
(共通教材の編集者), demo-reviewer publishes and approves it (共通教材の承認者); みどり町's people, who
hold no platform role, change nothing in it."""

import pytest
from django.contrib.auth import get_user_model

from courses.models import CoursePage
from lms_site.home.models import HomePage

pytestmark = pytest.mark.django_db


def shared_course() -> CoursePage:
    home = HomePage.objects.filter(depth=2).order_by("path").first()  # the platform's shared home
    course = CoursePage.objects.descendant_of(home).live().first()
    assert course is not None and course.municipality_id is None
    return course


def test_the_demo_authors_change_the_shared_curriculum_and_the_town_does_not(client):
    users = get_user_model().objects
    course = shared_course()
    advisor, reviewer = users.get(username="demo-advisor"), users.get(username="demo-reviewer")
    assert course.permissions_for_user(advisor).can_edit()
    assert not course.permissions_for_user(advisor).can_publish()
    assert course.permissions_for_user(reviewer).can_publish()
    client.force_login(advisor)
    assert client.get(f"/admin/pages/{course.pk}/edit/").status_code == 200
    for username in ("demo-hr-town", "demo-learner-town"):
        town = users.get(username=username)
        assert not course.permissions_for_user(town).can_edit()
        client.force_login(town)
        assert client.get(f"/admin/pages/{course.pk}/edit/").status_code in (302, 403)

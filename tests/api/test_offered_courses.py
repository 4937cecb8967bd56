"""ADR 0024, issue 13: a training assignment through the API names its course by slug, and only a course
offered to the caller's municipality is found (shared, its own). みどり町's client and HR (the attackers)
name 若葉市's own course: answered like an unknown course, nothing written."""

import datetime
import json

import pytest
from django.utils import timezone

from lms_site.organisation.roles import Role, role_group
from tests.factories import StaffProfileFactory, UserFactory
from tests.own_courses import own_course
from training.models import TrainingDue, TrainingRule

from .conftest import token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(world, framework):
    return {
        "city_course": own_course(world["city"], framework, hostname="city.example.jp", slug="city-rules"),
        "town_course": own_course(world["town"], framework, hostname="town.example.jp", slug="town-rules"),
    }


def issue(client, course_slug: str, token: str | None = None):
    body = {
        "title": "規程の研修",
        "course": course_slug,
        "due_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
    }
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(
        "/api/v1/training-rules/", json.dumps(body), content_type="application/json", **headers
    )


def counts() -> tuple[int, int]:
    return TrainingRule._base_manager.count(), TrainingDue._base_manager.count()


def unknown_course(response, slug: str) -> None:
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert set(errors) == {"course"}
    assert errors["course"] == [f"公開中のコース「{slug}」はありません。"]  # as for a slug nobody has


def test_a_client_cannot_assign_another_municipality_s_own_course(client, world, owned):
    token = token_for(client, world["town"], scopes=("read", "write"))
    before = counts()

    unknown_course(issue(client, "city-rules", token), "city-rules")
    unknown_course(issue(client, "no-such-course", token), "no-such-course")  # the same answer

    assert counts() == before


def test_hr_signed_in_cannot_assign_another_municipality_s_own_course(client, world, owned):
    user = UserFactory(username="town-hr")
    StaffProfileFactory(user=user, municipality=world["town"], employee_number="town-hr")
    user.groups.set([role_group(Role.HR)])
    client.force_login(user)
    before = counts()

    unknown_course(issue(client, "city-rules"), "city-rules")

    assert counts() == before


@pytest.mark.parametrize(("slug", "course"), [("dx-basics", "shared"), ("town-rules", "own")])
def test_a_client_assigns_a_shared_course_and_its_own(client, world, owned, curriculum, slug, course):
    token = token_for(client, world["town"], scopes=("read", "write"))
    response = issue(client, slug, token)
    assert response.status_code == 201, response.content
    rule = TrainingRule._base_manager.get(pk=response.json()["id"])
    expected = curriculum["basics"] if course == "shared" else owned["town_course"]
    assert (rule.course_id, rule.municipality_id, response.json()["course"]) == (
        expected.pk,
        world["town"].pk,
        slug,
    )
    assert set(rule.dues.values_list("staff_id", flat=True)) == {world["town_staff"].pk}


def test_a_slug_shared_by_copies_is_each_municipality_s_most_specific_course(
    client, world, framework, curriculum
):
    """The city copied the shared course under its slug: the town still gets the shared one, never the
    city's; once the town has a copy of its own, that; the city its copy."""
    city_copy = own_course(world["city"], framework, hostname="city.example.jp", slug="dx-basics")
    town_token = token_for(client, world["town"], scopes=("read", "write"))
    town_rule = issue(client, "dx-basics", town_token)
    assert town_rule.status_code == 201, town_rule.content
    assert TrainingRule._base_manager.get(pk=town_rule.json()["id"]).course_id == curriculum["basics"].pk

    town_copy = own_course(world["town"], framework, hostname="town.example.jp", slug="dx-basics")
    again = issue(client, "dx-basics", town_token)
    assert again.status_code == 201, again.content
    assert TrainingRule._base_manager.get(pk=again.json()["id"]).course_id == town_copy.pk

    city_token = token_for(client, world["city"], scopes=("read", "write"), name="別のシステム")
    city_rule = issue(client, "dx-basics", city_token)
    assert city_rule.status_code == 201, city_rule.content
    assert TrainingRule._base_manager.get(pk=city_rule.json()["id"]).course_id == city_copy.pk

"""Training assignments through the API (issues 15 and 16): a municipality's HR system issues a 受講指示
and reads each person's status; bad requests are refused whole; other municipalities and roles get
nothing."""

import datetime
import json

import pytest
from django.utils import timezone

from lms_site.organisation.models import PersonalDataAccess
from lms_site.organisation.roles import Role, role_group
from tests.factories import StaffProfileFactory, UserFactory
from training.models import TrainingDue, TrainingRule

from .conftest import token_for

pytestmark = pytest.mark.django_db


def post(client, body, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(
        "/api/v1/training-rules/", json.dumps(body), content_type="application/json", **headers
    )


def in_a_month() -> str:
    return (timezone.localdate() + datetime.timedelta(days=30)).isoformat()


def test_the_hr_system_issues_an_assignment_and_reads_each_persons_status(client, world):
    token = token_for(client, world["city"], scopes=("read", "write"))
    body = {"title": "DX基礎(全職員)", "course": "dx-basics", "due_on": in_a_month(), "every_year": True}

    response = post(client, body, token)

    assert response.status_code == 201, response.content
    issued = response.json()
    assert issued["assigned"] == 1
    assert (issued["course"], issued["due_on"], issued["every_year"]) == ("dx-basics", in_a_month(), True)
    listed = client.get("/api/v1/training-rules/", HTTP_AUTHORIZATION=f"Bearer {token}").json()["results"]
    assert {rule["title"] for rule in listed} == {"city情報セキュリティ研修", "DX基礎(全職員)"}
    dues = client.get(
        f"/api/v1/training-dues/?rule={issued['id']}", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()["results"]
    assert [(d["employee_number"], d["status"]) for d in dues] == [("city01", "completed")]
    assert PersonalDataAccess.objects.filter(view="api_training").exists()


def test_every_problem_of_a_request_is_named_and_nothing_is_written(client, world):
    token = token_for(client, world["city"], scopes=("read", "write"))
    rules_before, dues_before = TrainingRule.objects.count(), TrainingDue.objects.count()

    unknown = post(
        client,
        {
            "title": "研修",
            "course": "no-such-course",
            "department": "999999",
            "employee_numbers": ["town01", "nobody"],
            "due_on": in_a_month(),
        },
        token,
    )
    assert unknown.status_code == 400
    errors = unknown.json()["errors"]
    assert set(errors) == {"course", "department", "employee_numbers"}
    assert len(errors["employee_numbers"]) == 2  # the town's employee is nobody in the city

    rules = post(
        client,
        {
            "title": "研修",
            "course": "dx-basics",
            "due_on": "2020-04-01",
            "hire_year_from": 2024,
            "hire_year_to": 2020,
        },
        token,
    )
    assert rules.status_code == 400
    problems = " ".join(rules.json()["errors"]["non_field_errors"])
    assert "2020-04-01" in problems and "採用年度の範囲が逆です" in problems

    assert (TrainingRule.objects.count(), TrainingDue.objects.count()) == (rules_before, dues_before)


def test_unknown_fields_and_malformed_bodies_are_refused(client, world):
    """A misspelt condition ("departmnet") must not silently make the assignment the whole municipality's."""
    token = token_for(client, world["city"], scopes=("read", "write"))
    body = {"title": "研修", "course": "dx-basics", "due_on": in_a_month(), "departmnet": "010100"}

    misspelt = post(client, body, token)
    assert misspelt.status_code == 400
    assert set(misspelt.json()["errors"]) == {"departmnet"}

    for raw in ("{not json", "[1, 2]", '{"title": 5, "course": [], "due_on": "tomorrow"}'):
        response = client.post(
            "/api/v1/training-rules/",
            raw,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 400, raw
        assert response.json()["detail"]
    assert not TrainingRule.objects.filter(title="研修").exists()


def test_a_read_only_client_cannot_issue(client, world):
    token = token_for(client, world["city"], scopes=("read",))

    response = post(client, {"title": "研修", "course": "dx-basics", "due_on": in_a_month()}, token)

    assert response.status_code == 403
    assert not TrainingRule.objects.filter(title="研修").exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.HR, 201), (Role.MANAGER, 403), (Role.LEARNER, 403), (Role.ADVISOR, 403), (Role.REVIEWER, 403)],
    ids=lambda value: getattr(value, "value", value),
)
def test_people_issue_as_their_role_allows_and_only_in_their_municipality(client, world, role, status):
    user = UserFactory(username=f"town-{role.value}")
    StaffProfileFactory(user=user, municipality=world["town"], employee_number=f"town-{role.value}")
    user.groups.set([role_group(role)])
    client.force_login(user)

    response = post(client, {"title": "町の研修", "course": "dx-basics", "due_on": in_a_month()})

    assert response.status_code == status, response.content
    if status == 201:
        rule = TrainingRule.objects.get(pk=response.json()["id"])
        assert rule.municipality == world["town"]
        assert world["city_staff"].pk not in set(rule.dues.values_list("staff_id", flat=True))


def test_the_town_client_sees_no_rule_or_due_of_the_city(client, world):
    token = token_for(client, world["town"], scopes=("read", "write"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    assert client.get(f"/api/v1/training-rules/{world['city_rule'].pk}/", **auth).status_code == 404
    dues = client.get(f"/api/v1/training-dues/?rule={world['city_rule'].pk}", **auth).json()["results"]
    assert dues == []
    assert client.get("/api/v1/training-dues/?cycle=abc", **auth).status_code == 400

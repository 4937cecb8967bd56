"""The coverage summary through the API (issue 16): the /hr/ dashboard's table with the page's rules —
exact for HR and the municipality's own system, suppressed for DX推進課 or on request, refused otherwise."""

import datetime

import pytest

from lms_site.organisation.models import JobGrade, PersonalDataAccess
from lms_site.organisation.roles import Role, role_group
from lms_site.organisation.tenancy import platform_wide
from tests.factories import AssignmentFactory, StaffProfileFactory, UserFactory

from .conftest import token_for
from .test_api import get

pytestmark = pytest.mark.django_db


def person(world, role: Role, municipality="town"):
    user = UserFactory(username=f"{municipality}-{role.value}")
    StaffProfileFactory(user=user, municipality=world[municipality])
    user.groups.set([role_group(role)])
    return user


def test_the_municipality_s_system_reads_exact_coverage_of_its_own_departments(client, world):
    token = token_for(client, world["town"])
    coverage = get(client, "/api/v1/coverage/", token, level=2, on="2026-11-30").json()
    assert (coverage["level"], coverage["suppressed"], coverage["on"]) == (2, False, "2026-11-30")
    assert coverage["competencies"] == ["A1", "A2", "C1", "C2"]  # the test framework's
    total, bu = coverage["rows"]  # the whole town, then its one 部 (with its 課 under it)
    assert total == {"department": "組織全体", "dept": None, "headcount": 1, "shares": bu["shares"]}
    assert bu["department"] == "みどり町総務部" and bu["headcount"] == 1 and bu["dept"] is not None
    assert bu["shares"]["A1"] == 100.0 and bu["shares"]["C1"] == 0.0  # its one person holds A1 at Lv2
    drilled = get(client, "/api/v1/coverage/", token, dept=bu["dept"], on="2026-11-30").json()
    assert [(row["department"], row["headcount"]) for row in drilled["rows"]] == [
        ("みどり町総務部", 1),
        ("みどり町総務部(直属)", 0),
        ("みどり町人事課", 1),
    ]
    assert "若葉市" not in str(coverage) + str(drilled)
    with platform_wide():
        assert PersonalDataAccess.objects.filter(view="api_coverage").count() == 2


def test_hr_signed_in_reads_the_same_exact_table(client, world):
    client.force_login(person(world, Role.HR))
    coverage = client.get("/api/v1/coverage/", {"on": "2026-11-30"}).json()
    assert coverage["suppressed"] is False and coverage["rows"][0]["headcount"] == 1


def test_dx_promotion_sees_no_cell_under_five_people(client, world):
    client.force_login(person(world, Role.REVIEWER))
    coverage = client.get("/api/v1/coverage/", {"on": "2026-11-30"}).json()
    assert coverage["suppressed"] is True
    for row in coverage["rows"]:  # one person in the town: every cell is hidden, or there is none yet
        assert row["headcount"] is None and set(row["shares"].values()) <= {None}
    with platform_wide():
        assert not PersonalDataAccess.objects.filter(view="api_coverage").exists()


def test_publish_suppresses_for_hr_too(client, world):
    client.force_login(person(world, Role.HR))
    assert client.get("/api/v1/coverage/", {"publish": "true"}).json()["suppressed"] is True


@pytest.mark.parametrize("role", [Role.LEARNER, Role.ADVISOR, Role.PREFECTURE])
def test_roles_without_the_dashboard_are_refused(client, world, role):
    client.force_login(person(world, role))
    assert client.get("/api/v1/coverage/").status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": "9"}, "level"),
        ({"on": "昨日"}, "on"),
        ({"publish": "maybe"}, "publish"),
        ({"dept": "x"}, "dept"),
        ({"on": ""}, "on"),
    ],
)
def test_bad_parameters_are_named(client, world, params, field):
    token = token_for(client, world["town"])
    response = get(client, "/api/v1/coverage/", token, **params)
    assert response.status_code == 400 and field in response.json()["errors"], response.content


def test_a_manager_reads_the_subtree_they_head_and_nothing_above_it(client, world):
    manager = person(world, Role.MANAGER)
    manager.staff_profile.job_grade = JobGrade.KACHO
    manager.staff_profile.save()
    AssignmentFactory(
        staff=manager.staff_profile, department=world["town_department"], starts_on=datetime.date(2025, 4, 1)
    )
    client.force_login(manager)
    coverage = client.get("/api/v1/coverage/", {"on": "2026-11-30"}).json()
    assert coverage["suppressed"] is False
    assert [row["department"] for row in coverage["rows"]] == ["みどり町人事課"]
    assert coverage["rows"][0]["headcount"] == 2  # the 課長 and the one person of the fixture
    above = client.get("/api/v1/coverage/", {"on": "2026-11-30", "dept": 0}).json()
    assert [row["department"] for row in above["rows"]] == ["みどり町人事課"]  # the top is the subtree


@pytest.mark.parametrize("on", ["0003-01-16", "0001-01-01", "9999-12-31"])
def test_a_day_out_of_any_record_is_refused_with_its_name(client, world, on):
    """Found by schemathesis (GET /api/v1/coverage/?on=0003-01-16&dept=…&level=3 answered 500)."""
    token = token_for(client, world["town"])
    response = get(client, "/api/v1/coverage/", token, level=3, on=on)
    assert response.status_code == 400
    assert "1900-01-01" in response.json()["errors"]["on"][0]

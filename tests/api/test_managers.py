"""A 所属長 through the API (issue 16): the personal data of the department they head and below it, as
on the pages; nobody above or beside it, and nothing once they no longer head it."""

import datetime

import pytest

from lms_site.organisation.models import JobGrade
from lms_site.organisation.roles import Role, role_group
from tests.factories import AssignmentFactory, StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAL = ("staff", "completions", "levels", "certificates", "evidence", "attempts")


@pytest.fixture
def manager(world):
    """The 課長 of みどり町人事課; beside the 課, one person assigned to 総務部 itself."""
    user = UserFactory(username="town-kacho")
    profile = StaffProfileFactory(
        user=user, municipality=world["town"], job_grade=JobGrade.KACHO, employee_number="town-kacho"
    )
    user.groups.set([role_group(Role.MANAGER), role_group(Role.LEARNER)])
    AssignmentFactory(staff=profile, department=world["town_department"], starts_on=datetime.date(2025, 4, 1))
    beside = StaffProfileFactory(municipality=world["town"], employee_number="town-bu")
    AssignmentFactory(
        staff=beside, department=world["town_department"].get_parent(), starts_on=datetime.date(2025, 4, 1)
    )
    return user


def test_a_manager_reads_the_people_of_their_own_department_only(client, world, manager):
    client.force_login(manager)
    staff = client.get("/api/v1/staff/").json()["results"]
    assert sorted(s["employee_number"] for s in staff) == ["town-kacho", "town01"]
    for resource in PERSONAL[1:]:
        rows = client.get(f"/api/v1/{resource}/").json()["results"]
        assert {row["employee_number"] for row in rows} <= {"town-kacho", "town01"}, resource
        assert rows, resource  # the fixture's person has one of each
    assert client.get(f"/api/v1/staff/{world['city_staff'].pk}/").status_code == 404


def test_a_manager_moved_to_a_post_that_heads_nothing_reads_no_one(client, world, manager):
    """April's rotation: the 課長 becomes a 課長級 staff officer of 総務部 itself (the 部長 heads it)."""
    manager.staff_profile.assignments.update(ends_on=datetime.date(2026, 3, 31))
    AssignmentFactory(
        staff=manager.staff_profile,
        department=world["town_department"].get_parent(),
        starts_on=datetime.date(2026, 4, 1),
    )
    client.force_login(manager)
    for resource in PERSONAL:
        response = client.get(f"/api/v1/{resource}/")
        assert response.status_code == 403, (resource, response.content.decode())

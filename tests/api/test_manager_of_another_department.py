"""A 所属長 through the API reads the subtree their scope says they head (``Purpose.HEADED``, ADR 0016
"One scope"): the head of a department beside another reads nobody of it."""

import datetime

import pytest

from lms_site.organisation.models import JobGrade
from lms_site.organisation.roles import Role, role_group
from tests.factories import AssignmentFactory, DepartmentFactory, StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_head_of_the_department_beside_reads_nobody_of_it(client, world):
    town_bu = world["town_department"].get_parent()
    kikaku = DepartmentFactory(parent=town_bu, code="010200", name="みどり町企画課", kind="ka")
    user = UserFactory(username="kikaku-kacho")
    profile = StaffProfileFactory(
        user=user, municipality=world["town"], job_grade=JobGrade.KACHO, employee_number="kikaku-kacho"
    )
    user.groups.set([role_group(Role.MANAGER), role_group(Role.LEARNER)])
    AssignmentFactory(staff=profile, department=kikaku, starts_on=datetime.date(2025, 4, 1))
    client.force_login(user)

    staff = client.get("/api/v1/staff/").json()["results"]
    assert [s["employee_number"] for s in staff] == ["kikaku-kacho"]
    assert client.get(f"/api/v1/staff/{world['town_staff'].pk}/").status_code == 404
    assert client.get("/api/v1/certificates/").json()["results"] == []

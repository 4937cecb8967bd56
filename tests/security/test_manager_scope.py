"""A 所属長's rights follow the assignment in force on the day (issue 12 item 8, ADR 0013): moved or demoted,
they see nothing of the old department from that day, and head nothing they do not head."""

import datetime

import pytest
from django.utils import timezone

from analytics.access import viewer_for
from lms_site.organisation.models import Assignment, JobGrade, StaffProfile
from lms_site.organisation.roles import Role, role_group
from lms_site.organisation.selectors import department_heads, managed_departments
from tests.factories import AssignmentFactory, StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def kacho(departments):
    """課長 of 市民課 since 2025-04-01, holding the 所属長 role."""
    user = UserFactory(username="kacho")
    staff = StaffProfileFactory(
        user=user, municipality=departments["020100"].municipality, job_grade=JobGrade.KACHO
    )
    AssignmentFactory(staff=staff, department=departments["020100"])
    user.groups.add(role_group(Role.LEARNER), role_group(Role.MANAGER))
    return user


def move(user, department, *, on, grade=None):
    """The 1 April rotation as the import writes it: the old assignment ends the day before ``on``."""
    staff = user.staff_profile
    Assignment.objects.filter(staff=staff, ends_on__isnull=True).update(
        ends_on=on - datetime.timedelta(days=1)
    )
    AssignmentFactory(staff=staff, department=department, starts_on=on)
    if grade:
        StaffProfile.objects.filter(pk=staff.pk).update(job_grade=grade)


def test_the_head_of_a_department_sees_its_subtree(client, kacho, departments, today):
    client.force_login(kacho)

    assert client.get("/hr/talent/").status_code == 200
    assert viewer_for(kacho, today=today).top == departments["020100"].pk
    assert kacho in department_heads(department=departments["020100"], on=today)


def test_moved_to_a_post_that_heads_nothing_they_see_nothing_from_that_day(client, kacho, departments, today):
    move(kacho, departments["020200"], on=today, grade=JobGrade.SHUJI)
    client.force_login(kacho)

    assert client.get("/hr/talent/").status_code == 403
    assert client.get("/hr/").status_code == 403
    assert not managed_departments(user=kacho, on=today).exists()
    assert department_heads(department=departments["020100"], on=today) == []
    assert department_heads(department=departments["020200"], on=today) == []


def test_until_the_day_of_the_move_they_still_head_the_old_department(kacho, departments, today):
    move(kacho, departments["020200"], on=today + datetime.timedelta(days=1), grade=None)

    assert viewer_for(kacho, today=today).top == departments["020100"].pk
    assert not managed_departments(user=kacho, on=today + datetime.timedelta(days=1)).filter(
        pk=departments["020100"].pk
    )


def test_moved_as_kacho_they_head_the_new_department_only(client, kacho, departments, today):
    move(kacho, departments["020200"], on=today)
    client.force_login(kacho)

    assert client.get("/hr/talent/").status_code == 200
    assert set(managed_departments(user=kacho, on=today)) == {departments["020200"]}
    assert kacho not in department_heads(department=departments["020100"], on=today)


def test_demoted_in_place_they_head_nothing(client, kacho, departments, today):
    StaffProfile.objects.filter(user=kacho).update(job_grade=JobGrade.KACHO_HOSA)
    client.force_login(kacho)

    assert client.get("/hr/talent/").status_code == 403
    assert department_heads(department=departments["020100"], on=today) == []


def test_a_bucho_heads_the_whole_bu(departments, today):
    user = UserFactory(username="bucho")
    staff = StaffProfileFactory(
        user=user, municipality=departments["020000"].municipality, job_grade=JobGrade.BUCHO
    )
    AssignmentFactory(staff=staff, department=departments["020000"])
    user.groups.add(role_group(Role.MANAGER))

    assert set(managed_departments(user=user, on=today)) == {
        departments["020000"],
        departments["020100"],
        departments["020200"],
    }
    assert user in department_heads(department=departments["020200"], on=today)

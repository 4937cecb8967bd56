"""Effective-dated assignments: the two questions every report asks are single queries."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from lms_site.organisation.models import Assignment, JobGrade
from lms_site.organisation.selectors import department_of, managed_departments, staff_in_department
from tests.factories import AssignmentFactory, StaffProfileFactory

MARCH_31 = datetime.date(2026, 3, 31)
APRIL_1 = datetime.date(2026, 4, 1)


@pytest.fixture
def rotated(departments):
    """Someone in 人事課 last year, in 市民課 from 1 April 2026."""
    staff = StaffProfileFactory(municipality=departments["010100"].municipality)
    AssignmentFactory(
        staff=staff, department=departments["010100"], starts_on=datetime.date(2024, 4, 1), ends_on=MARCH_31
    )
    AssignmentFactory(staff=staff, department=departments["020100"], starts_on=APRIL_1)
    return staff


def test_department_of_on_a_date_is_one_query(rotated, django_assert_num_queries):
    with django_assert_num_queries(1):
        before = department_of(staff=rotated, on=MARCH_31)
    with django_assert_num_queries(1):
        after = department_of(staff=rotated, on=APRIL_1)
    assert (before.name, after.name) == ("人事課", "市民課")
    assert department_of(staff=rotated, on=datetime.date(2020, 1, 1)) is None


def test_staff_in_department_on_a_date_is_one_query(rotated, departments, django_assert_num_queries):
    with django_assert_num_queries(1):
        last_year = list(staff_in_department(department=departments["010100"], on=MARCH_31))
    with django_assert_num_queries(1):
        this_year = list(staff_in_department(department=departments["010100"], on=APRIL_1))
    assert last_year == [rotated]
    assert this_year == []


def test_subtree_includes_sections_below(departments):
    staff = StaffProfileFactory(municipality=departments["010101"].municipality)
    AssignmentFactory(staff=staff, department=departments["010101"], starts_on=APRIL_1)
    assert list(staff_in_department(department=departments["010000"], on=APRIL_1, subtree=True)) == [staff]
    assert list(staff_in_department(department=departments["010000"], on=APRIL_1)) == []


def test_manager_sees_their_own_subtree_only(departments):
    head = StaffProfileFactory(municipality=departments["010100"].municipality, job_grade=JobGrade.KACHO)
    AssignmentFactory(staff=head, department=departments["010100"], starts_on=APRIL_1)
    codes = set(managed_departments(user=head.user, on=APRIL_1).values_list("code", flat=True))
    assert codes == {"010100", "010101"}


def test_someone_not_in_the_head_post_manages_nothing(departments):
    """ADR 0013: a 課 is headed by its 課長; anyone else assigned there manages nothing."""
    staff = StaffProfileFactory(municipality=departments["010100"].municipality, job_grade=JobGrade.SHUJI)
    AssignmentFactory(staff=staff, department=departments["010100"], starts_on=APRIL_1)
    assert not managed_departments(user=staff.user, on=APRIL_1).exists()


def test_database_allows_one_open_assignment_per_person(rotated, departments):
    with pytest.raises(IntegrityError):
        Assignment.objects.create(
            staff=rotated, department=departments["020200"], starts_on=datetime.date(2026, 5, 1)
        )


def test_overlapping_periods_fail_validation(rotated, departments):
    overlapping = Assignment(
        staff=rotated,
        department=departments["020200"],
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 3, 15),
    )
    with pytest.raises(ValidationError):
        overlapping.full_clean()

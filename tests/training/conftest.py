"""若葉市 with a small department tree and curriculum, a few staff, HR, a 所属長 of 市民部, and みどり町
beside it with its own HR (the attacker from another municipality)."""

import datetime

import pytest

from lms_site.organisation.models import JobGrade
from lms_site.organisation.roles import Role, role_group
from tests.assessments.conftest import questions, quiz  # noqa: F401 - re-exported fixtures
from tests.courses.conftest import curriculum, framework  # noqa: F401 - re-exported fixtures
from tests.factories import (
    AssignmentFactory,
    DepartmentFactory,
    MunicipalityFactory,
    StaffProfileFactory,
    UserFactory,
)

APRIL = datetime.date(2026, 4, 1)
TODAY = datetime.date(2026, 5, 11)


def person(number, department, *, grade=JobGrade.SHUJI, roles=(Role.LEARNER,), hire_year=2020, since=APRIL):
    user = UserFactory(username=f"{department.municipality.code}-{number}")
    user.groups.set([role_group(role) for role in roles])
    profile = StaffProfileFactory(
        user=user,
        municipality=department.municipality,
        employee_number=number,
        job_grade=grade,
        hire_year=hire_year,
        family_name="若葉",
        given_name=f"職員{number}",
    )
    AssignmentFactory(staff=profile, department=department, starts_on=since)
    return profile


@pytest.fixture
def city(municipality, departments):
    """若葉市: 人事課 (HR), 市民課 (its 課長 is a 所属長, two staff), 保険年金課 (one), 研修係 (one)."""
    d = departments
    return {
        "municipality": municipality,
        "departments": d,
        "hr": person("h001", d["010100"], roles=(Role.LEARNER, Role.HR)),
        "kacho": person("k001", d["020100"], grade=JobGrade.KACHO, roles=(Role.LEARNER, Role.MANAGER)),
        "shimin1": person("s001", d["020100"]),
        "shimin2": person("s002", d["020100"], hire_year=2026),
        "hoken": person("p001", d["020200"]),
        "kenshu": person("t001", d["010101"]),
    }


@pytest.fixture
def town(db):
    """みどり町 with its own HR and one person."""
    town = MunicipalityFactory(code="999992", name="みどり町")
    department = DepartmentFactory(municipality=town, code="100000", name="総務課")
    return {
        "municipality": town,
        "department": department,
        "hr": person("th01", department, roles=(Role.LEARNER, Role.HR)),
        "staff": person("ts01", department),
    }

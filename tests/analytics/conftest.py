"""Fixtures of the analytics tests: the default framework, the certification programmes, role holders."""

import pytest
from django.contrib.auth.models import Group

from lms_site.organisation.roles import ROLES, Role
from tests.competencies.conftest import framework, framework_csv  # noqa: F401 - re-exported fixtures
from tests.factories import AssignmentFactory, StaffProfileFactory, UserFactory, head_post

from .factories import ProgramFactory


@pytest.fixture
def programs(db):
    return {code: ProgramFactory(code=code) for code in ("DX_BASIC", "DX_LEADER", "DX_EXPERT")}


@pytest.fixture
def competencies(framework):  # noqa: F811
    return {c.code: c for c in framework.competencies.all()}


def person(username: str, department, *roles: Role, on_from=None):
    """A user in ``department`` holding ``roles``."""
    import datetime

    user = UserFactory(username=username)
    staff = StaffProfileFactory(user=user, municipality=department.municipality, family_name="試験")
    AssignmentFactory(staff=staff, department=department, starts_on=on_from or datetime.date(2025, 4, 1))
    user.groups.add(*Group.objects.filter(name__in=[ROLES[role].group_name for role in roles]))
    if Role.MANAGER in roles:
        head_post(user, department)
    return user


@pytest.fixture
def hr(departments):
    return person("hr", departments["010100"], Role.LEARNER, Role.HR)


@pytest.fixture
def manager(departments):
    return person("manager", departments["020100"], Role.LEARNER, Role.MANAGER)


@pytest.fixture
def reviewer(departments):
    return person("reviewer", departments["010101"], Role.LEARNER, Role.REVIEWER)

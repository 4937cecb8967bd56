"""Fixtures of the certification tests: the default framework, the default programmes and qualifications,
people of two municipalities in each role, and a private proof directory per test."""

import pytest
from django.contrib.auth.models import Group

from assessments.certification import services
from assessments.models import Quiz
from lms_site.organisation.roles import ROLES, Role
from tests.competencies.conftest import framework, framework_csv  # noqa: F401 - re-exported fixtures
from tests.factories import MunicipalityFactory, StaffProfileFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def proof_root(settings, tmp_path):
    """Proofs go to this test's own directory (the storage reads the setting on each use)."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    return tmp_path / "private" / "evidence-proofs"


def person(username: str, municipality, *roles: Role):
    """A user with a staff profile in ``municipality`` holding ``roles``."""
    user = UserFactory(username=username)
    StaffProfileFactory(user=user, municipality=municipality, family_name="試験", given_name=username)
    user.groups.add(*Group.objects.filter(name__in=[ROLES[role].group_name for role in roles]))
    return user


@pytest.fixture
def other_city(db):
    return MunicipalityFactory(code="999992", name="青葉町")


@pytest.fixture
def learner(municipality):
    return person("learner", municipality, Role.LEARNER)


@pytest.fixture
def hr(municipality):
    return person("hr", municipality, Role.LEARNER, Role.HR)


@pytest.fixture
def programs(framework):  # noqa: F811
    """The default programmes and qualification map loaded against the default framework."""
    return services.certification_defaults_load()


@pytest.fixture
def leader_exam(db):
    return Quiz.objects.create(title="DX推進リーダー 知識試験", is_leader_exam=True, live=True)


def competency(framework, code: str):  # noqa: F811
    return framework.competencies.get(code=code)

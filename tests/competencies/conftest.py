"""Fixtures of the competency framework tests: the default framework file and frameworks built from it."""

from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from courses.competencies import services
from courses.competencies.models import CompetencyFramework
from lms_site.organisation.roles import ROLES, Role
from tests.factories import UserFactory

from .factories import (
    CompetencyAreaFactory,
    CompetencyFactory,
    CompetencyFrameworkFactory,
    ProficiencyLevelFactory,
)

FRAMEWORK_CSV = (
    Path(__file__).resolve().parents[2] / "fixtures" / "framework" / "dx_competency_framework_v1.csv"
)


def framework_row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count() for model in apps.get_app_config("competencies").get_models()
    }


@pytest.fixture
def framework_csv() -> bytes:
    return FRAMEWORK_CSV.read_bytes()


@pytest.fixture
def framework(db, framework_csv) -> CompetencyFramework:
    """The default framework (6 areas, 24 competencies, 5 levels), imported from its CSV and current."""
    outcome = services.framework_import_csv(content=framework_csv, make_current=True)
    assert outcome.ok, outcome.errors
    return outcome.framework


@pytest.fixture
def hand_made_framework(db) -> CompetencyFramework:
    """Edited in the admin rather than imported: default sort orders, blanks, awkward text."""
    framework = CompetencyFrameworkFactory(
        title="手作りフレームワーク",
        title_en="",
        version="2025-α",
        source="",
        description="改行\nあり、「引用」",
    )
    area = CompetencyAreaFactory(framework=framework, code="X", name="領域X", name_en="", sort_order=0)
    other = CompetencyAreaFactory(framework=framework, code="Y", name="領域Y(全角括弧)", sort_order=0)
    CompetencyFactory(
        area=area,
        code="X1",
        name="=先頭が等号",
        description="",
        is_core=True,
        sort_order=0,
        source_mapping="",
    )
    CompetencyFactory(
        area=other,
        code="Y1",
        name="能力Y1",
        name_en="Y one",
        description='"quoted", comma',
        description_en="line one\nline two",
        source_mapping="DSS-P; 計画",
        sort_order=3,
    )
    for level in range(1, 6):
        ProficiencyLevelFactory(framework=framework, level=level, name=f"段階{level}", descriptor_en="")
    return framework


def user_with_role(role: Role, username: str):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=ROLES[role].group_name))
    return user


@pytest.fixture
def hr_client(client, db):
    client.force_login(user_with_role(Role.HR, "hr-planner"))
    return client


@pytest.fixture
def steward_client(client, db):
    """The system administrator, who keeps the platform's one competency framework."""
    client.force_login(user_with_role(Role.ADMIN, "platform-admin"))
    return client


@pytest.fixture
def advisor_client(client, db):
    client.force_login(user_with_role(Role.ADVISOR, "advisor"))
    return client

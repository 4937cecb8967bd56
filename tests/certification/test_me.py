"""/me/ with the certification app: levels from the level table, and the path to DX推進リーダー with the
ways to close each gap, cheapest first."""

from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.certification import rules, services
from assessments.certification.models import CompetencyLevel
from assessments.certification.selectors.plan import CAPSTONE_HOURS, EXAM_HOURS, certification_plan
from assessments.models import EvidenceSource
from lms_site.organisation.roles import Role
from tests.courses.conftest import curriculum  # noqa: F401 - re-exported fixture

from .conftest import competency, person
from .factories import EvidenceFactory


@pytest.fixture
def learner_with_basics(municipality, framework, programs, curriculum):  # noqa: F811
    user = person("learner", municipality, Role.LEARNER)
    for code in ("A1", "A4", "C1", "D1", "E1"):
        EvidenceFactory(user=user, competency=competency(framework, code), level=2)
    services.levels_recompute(user=user)
    return user


def test_the_plan_orders_the_missing_requirements_by_effort(learner_with_basics, leader_exam):
    plan = certification_plan(user=learner_with_basics)
    kinds = [step.requirement.result.kind for step in plan.steps]
    hours = [step.hours for step in plan.steps if step.hours is not None]
    assert hours == sorted(hours)
    assert kinds.index(rules.EXAM) < kinds.index(rules.CAPSTONE)
    exam = next(s for s in plan.steps if s.requirement.result.kind == rules.EXAM)
    capstone = next(s for s in plan.steps if s.requirement.result.kind == rules.CAPSTONE)
    assert (exam.hours, capstone.hours) == (EXAM_HOURS, CAPSTONE_HOURS)
    breadth = next(s for s in plan.steps if s.requirement.result.kind == rules.BREADTH)
    courses = {w.label: w for w in breadth.ways if w.kind == "course"}
    # A2 and C2 are raised to Lv2 by e-learning courses (2 hours each, counted once per course)
    assert courses["DXリテラシー基礎"].competencies == ("A2",)
    assert courses["データ活用入門"].competencies == ("C2",)
    assert all(w.hours == Decimal(2) for w in courses.values())


def test_core_competencies_at_level_3_are_closed_by_practice_not_elearning(learner_with_basics):
    plan = certification_plan(user=learner_with_basics)
    core_a2 = next(
        s
        for s in plan.steps
        if s.requirement.result.kind == rules.COMPETENCY and s.requirement.result.subject == "A2"
    )
    kinds = {w.kind for w in core_a2.ways}
    assert "capstone" in kinds or "course" in kinds
    for way in core_a2.ways:
        if way.kind == "course":
            assert way.label == "DX推進リーダー実践"  # the OJT course reaches Lv3; e-learning stops at Lv2


def test_me_shows_level_table_levels_and_the_path(client, learner_with_basics, framework):
    # The level table, not the course estimate, is what /me/ shows
    CompetencyLevel.objects.filter(user=learner_with_basics, competency__code="A1").update(level=4)
    client.force_login(learner_with_basics)
    page = client.get(reverse("courses:my_learning")).content.decode()
    assert "DX推進リーダーへの道のり" in page and "修了課題の計画を作る" in page
    assert "A1" in page and "Lv4" in page
    assert page.index("知識試験") < page.index("修了課題の承認")


def test_a_holder_sees_their_certificate_on_me(client, learner_with_basics, framework):
    plan_before = certification_plan(user=learner_with_basics, program_code="DX_BASIC")
    assert plan_before.steps == [] and plan_before.certificate is None
    certificate = services.certificates_issue_due(user=learner_with_basics)[0]
    client.force_login(learner_with_basics)
    page = client.get(reverse("courses:my_learning")).content.decode()
    assert certificate.program.code == "DX_BASIC"
    assert (
        reverse("certification:certificate", args=[certificate.uuid]) not in page
    )  # the leader path is shown
    assert certification_plan(user=learner_with_basics, program_code="DX_BASIC").certificate == certificate
    assert EvidenceSource.QUIZ in {e.source for e in learner_with_basics.evidence.all()}

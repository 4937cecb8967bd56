"""/me/ with the certification app: levels from the level table, and the path to DX推進リーダー with the
ways to close each gap, cheapest first."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.certification import rules, services
from assessments.certification.models import CertificationProgram, CompetencyLevel, ProgramRequirement
from assessments.certification.selectors.plan import CAPSTONE_HOURS, EXAM_HOURS, certification_plan
from assessments.models import Evidence, EvidenceSource
from courses import hooks, selectors
from courses import services as course_services
from courses.models import CoursePage, CurriculumIndexPage, LessonPage
from lms_site.home.services import municipality_site_ensure
from lms_site.organisation.roles import Role
from tests.courses.conftest import course, curriculum  # noqa: F401 - re-exported fixture

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


def test_the_plan_suggests_no_course_of_another_municipality(
    learner_with_basics, other_city, framework, client
):
    """Another municipality's own course raising the same gap (and cheaper) is not offered to this
    learner: the plan, like the catalogue, names only the courses the learner may take."""
    site = municipality_site_ensure(municipality=other_city, hostname="aoba.example.jp")
    index = CurriculumIndexPage.objects.child_of(site.root_page).get()
    theirs = course(
        index,
        framework,
        slug="aoba-dx",
        title="青葉町のDX入門",
        audience="all_staff",
        delivery="elearning",
        targets=[("A2", 2), ("C2", 2)],
    )
    CoursePage.objects.filter(pk=theirs.pk).update(estimated_hours=Decimal(1))
    labels = {w.label for step in certification_plan(user=learner_with_basics).steps for w in step.ways}
    assert "DXリテラシー基礎" in labels
    assert theirs.title not in labels
    client.force_login(learner_with_basics)
    assert theirs.title not in client.get("/me/").content.decode()

    # the town's own learner is offered it, and it is the cheapest way to both gaps
    neighbour = person("aoba-learner", other_city, Role.LEARNER)
    for code in ("A1", "A4", "C1", "D1", "E1"):
        EvidenceFactory(user=neighbour, competency=competency(framework, code), level=2)
    services.levels_recompute(user=neighbour)
    breadth = next(
        s for s in certification_plan(user=neighbour).steps if s.requirement.result.kind == rules.BREADTH
    )
    assert [(w.label, w.competencies) for w in breadth.ways if w.kind == "course"] == [
        (theirs.title, ("A2", "C2"))
    ]


def test_core_competencies_at_level_3_are_closed_by_practice_not_elearning(learner_with_basics):
    plan = certification_plan(user=learner_with_basics)
    core_a2 = next(
        s
        for s in plan.steps
        if s.requirement.result.kind == rules.COMPETENCY and s.requirement.result.subject == "A2"
    )
    kinds = {w.kind for w in core_a2.ways}
    assert "capstone" in kinds
    # No course reaches Lv3: course evidence counts up to Lv2 whatever the delivery, the OJT course included,
    # as in the level table (practice in it counts once recorded as OJT evidence)
    assert "course" not in kinds


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


def required_cell(page: str, code: str) -> str:
    """The 要件 cell of ``code``'s row in /me/'s profile table."""
    row = re.search(rf'<th scope="row">{code} .*?</th>\s*<td>Lv\d</td><td>(.*?)</td>', page, re.S)
    assert row, code
    return row.group(1)


def test_me_shows_the_required_level_hr_set_in_the_programme(client, learner_with_basics, framework):
    client.force_login(learner_with_basics)
    response = client.get(reverse("courses:my_learning"))
    # The defaults: A2 is a core competency of DX推進リーダー (Lv3), A1 is covered by the breadth (Lv2)
    assert (response.context["required"]["A2"], response.context["required"]["A1"]) == (3, 2)
    met_before = response.context["met"]

    # HR raises A2 to Lv4 and drops the breadth requirement in the admin: /me/ follows
    leader = CertificationProgram.objects.get(code="DX_LEADER")
    ProgramRequirement.objects.filter(program=leader, competency__code="A2").update(min_level=4)
    CertificationProgram.objects.filter(pk=leader.pk).update(breadth_min_level=None)
    response = client.get(reverse("courses:my_learning"))
    page = response.content.decode()
    assert (response.context["required"]["A2"], response.context["required"]["A1"]) == (4, 0)
    assert required_cell(page, "A2") == "Lv4"
    assert required_cell(page, "A3") == "—"  # no requirement left on it
    assert response.context["met"] > met_before  # the competencies no longer required count as met
    assert f"DX推進リーダーの要件を満たしている能力: {response.context['met']} / 24" in page


def test_without_the_programme_me_falls_back_to_the_draft_defaults(client, learner_with_basics, framework):
    CertificationProgram.objects.filter(code="DX_LEADER").update(is_active=False)
    client.force_login(learner_with_basics)
    required = client.get(reverse("courses:my_learning")).context["required"]
    assert (required["A2"], required["A1"]) == (3, 2)  # courses.profile's LEADER_CORE/BREADTH_LEVEL


def test_an_ojt_course_shows_the_same_level_on_me_and_in_the_level_table(
    client,
    learner,
    curriculum,  # noqa: F811
    programs,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    practice = curriculum["practice"]  # OJT, develops A2 and C1 to Lv3
    with django_capture_on_commit_callbacks(execute=True):
        for lesson in LessonPage.objects.child_of(practice):
            course_services.lesson_complete(user=learner, lesson=lesson)

    # Recorded at the course's level; the level rule alone caps what course evidence supports
    recorded = Evidence.objects.get(user=learner, competency__code="A2", source=EvidenceSource.COURSE)
    assert recorded.level == 3
    table = CompetencyLevel.objects.get(user=learner, competency__code="A2").level
    assert table == 2

    client.force_login(learner)
    me = client.get(reverse("courses:my_learning")).context
    assert me["levels"]["A2"] == table
    monkeypatch.setattr(hooks, "levels_provided", lambda user, framework: None)  # the course estimate
    assert selectors.learner_overview(user=learner)["levels"]["A2"] == table

    evidence_page = client.get(reverse("certification:my_evidence")).content.decode()
    assert "(能力レベルには Lv2 まで)" in evidence_page  # the recorded Lv3, and what it counts for

"""Issue 13, ADR 0016: an unscoped query on a tenant-owned model raises; a scoped one sees its municipality.

These tests run with no scope at all (``scoped`` marker), as a management command or Celery task does.
"""

import pytest
from django.apps import apps
from django.db import models

from analytics.models import CoverageSnapshot, DepartmentSnapshot, DevelopmentTarget, SnapshotRun
from api.models import ApiClient, LrsEndpoint
from api.services import api_client_create, lrs_endpoint_add
from assessments.certification.models import (
    Capstone,
    Certificate,
    CertificationProgram,
    CompetencyLevel,
    Qualification,
    QualificationClaim,
)
from assessments.models import Evidence, EvidenceSource, Question, Quiz
from courses.scorm.models import ScormAttempt, ScormPackage
from lms_site.notifications.models import Notification
from lms_site.organisation.models import (
    AdvisorContract,
    Assignment,
    Department,
    DepartmentKind,
    Municipality,
    PersonalDataAccess,
    StaffImport,
    StaffProfile,
)
from lms_site.organisation.tenancy import ScopeError, municipality_scope, platform_wide
from tests.competencies.factories import CompetencyFactory
from tests.factories import AssignmentFactory, DepartmentFactory, MunicipalityFactory, StaffProfileFactory
from training.models import ClassSession, SessionRegistration, TrainingDue, TrainingRule

pytestmark = [pytest.mark.django_db, pytest.mark.scoped]

TENANT_MODELS = [
    Department,
    StaffProfile,
    Assignment,
    StaffImport,
    PersonalDataAccess,
    DevelopmentTarget,
    AdvisorContract,
    ApiClient,
    LrsEndpoint,
    TrainingRule,
    TrainingDue,
    ClassSession,
    SessionRegistration,
    Notification,
    ScormPackage,
    ScormAttempt,
    Evidence,
    CompetencyLevel,
    QualificationClaim,
    Capstone,
    Certificate,
    DepartmentSnapshot,
    CoverageSnapshot,
    SnapshotRun,
]

# Content with an owner (none: the shared library), offered to more than one municipality (ADR 0024); what
# each municipality is offered is tested in test_shared_content.py.
SHARED_CONTENT_MODELS = [Question, Quiz]

# Models that hold a municipality but are deliberately not scoped yet, each with the reason. A new model
# with a municipality fails ``test_every_model_holding_a_municipality_is_scoped_or_listed`` until it is
# scoped or listed here with its reason.
NOT_SCOPED = {
    "certification.IssuerKey": "public key material, published per municipality",
    "certification.CertificationProgram": "public criteria (every BadgeClass publishes them); which one "
    "holds is resolved per person, its admin lists and changes only what is offered or owned (ADR 0024)",
    "identity.IdentityProvider": "sign-in configuration the anonymous login page lists; no personal data",
    "lti.Registration": "LMS configuration looked up by issuer before anyone signs in; no personal data",
    "courses.CoursePage": "a page of Wagtail's one tree, read by Wagtail's routing, admin and search through "
    "Page's own managers; offered per reader by the catalogue, the serving hook and the learning views, "
    "changed per municipality by the page permission policy (ADR 0024; tests/courses/test_own_courses.py)",
    "courses.LessonPage": "as courses.CoursePage: its owner is its course's (where it is in the tree)",
}


def holds_a_municipality(model) -> bool:
    return any(
        isinstance(field, models.ForeignKey) and field.related_model is Municipality
        for field in model._meta.get_fields()
    )


def test_every_model_holding_a_municipality_is_scoped_or_listed():
    unscoped = [
        model._meta.label
        for model in apps.get_models()
        if holds_a_municipality(model)
        and model not in TENANT_MODELS + SHARED_CONTENT_MODELS
        and model._meta.label not in NOT_SCOPED
    ]
    assert unscoped == []


@pytest.fixture
def two_municipalities():
    with platform_wide():
        rows = {}
        for code in ("999991", "999992"):
            municipality = MunicipalityFactory(code=code)
            department = DepartmentFactory(municipality=municipality, kind=DepartmentKind.KA)
            staff = StaffProfileFactory(municipality=municipality)
            AssignmentFactory(staff=staff, department=department)
            StaffImport.objects.create(
                municipality=municipality, file_name="a.csv", content=b"", effective_date="2026-04-01"
            )
            PersonalDataAccess.objects.create(
                viewer=staff.user, subject=staff, municipality=municipality, view="x"
            )
            DevelopmentTarget.objects.create(department=department, fiscal_year=2026)
            AdvisorContract.objects.create(
                advisor=staff.user, municipality=municipality, starts_on="2026-04-01"
            )
            api_client_create(municipality=municipality, name="人事給与システム", scopes=["read"])
            lrs_endpoint_add(
                municipality=municipality,
                name="県LRS",
                statements_url="https://lrs.example.jp/xAPI/statements/",
                key="k",
                secret="s",
            )
            _training_rows(municipality, staff, code)
            _scorm_rows(municipality, staff, code)
            _learning_record_rows(municipality, staff, department, code)
            _snapshot_rows(municipality, department, code)
            rows[code] = municipality
        return rows


def _scorm_rows(municipality, staff, code: str) -> None:
    from courses.models import CoursePage, LessonPage
    from lms_site.home.models import HomePage

    course = HomePage.objects.first().add_child(
        instance=CoursePage(title="SCORM", slug=f"s{code}", summary="s", estimated_hours=1)
    )
    lesson = course.add_child(instance=LessonPage(title="教材", slug="scorm", body=[("heading", "教材")]))
    package = ScormPackage.objects.create(
        municipality=municipality,
        title="教材",
        version="1.2",
        launch="index.html",
        file_count=2,
        total_bytes=9,
    )
    ScormAttempt.objects.create(user=staff.user, package=package, lesson=lesson)


def _training_rows(municipality, staff, code: str) -> None:
    import datetime

    from django.utils import timezone

    from assessments.models import Quiz
    from courses.models import CoursePage
    from lms_site.home.models import HomePage

    rule = TrainingRule.objects.create(
        municipality=municipality, title="研修", quiz=Quiz.objects.create(title="テスト"), due_on="2027-03-31"
    )
    TrainingDue.objects.create(
        rule=rule, staff=staff, cycle=2026, matched_on="2026-04-01", due_on="2027-03-31"
    )
    course = HomePage.objects.first().add_child(
        instance=CoursePage(title="研修", slug=f"c{code}", summary="s", estimated_hours=1)
    )
    start = timezone.now() + datetime.timedelta(days=30)
    session = ClassSession.objects.create(
        municipality=municipality,
        course=course,
        title="集合研修",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        venue="会議室",
        capacity=5,
        registration_deadline=start - datetime.timedelta(days=1),
    )
    SessionRegistration.objects.create(session=session, staff=staff, status="registered")
    Notification.objects.create(
        recipient=staff.user,
        municipality=municipality,
        kind="overdue",
        key="k",
        subject="s",
        body="b",
        delivery="immediate",
    )


def _snapshot_rows(municipality, department, code: str) -> None:
    """A month's snapshot of the department (its counts as taken, before suppression) and its run."""
    DepartmentSnapshot.objects.create(
        municipality=municipality, department=department, taken_on="2026-04-30", headcount=2, leaders=1
    )
    CoverageSnapshot.objects.create(
        municipality=municipality,
        department=department,
        competency=CompetencyFactory(),
        taken_on="2026-04-30",
        level=3,
        people=1,
    )
    SnapshotRun.objects.create(municipality=municipality, taken_on="2026-04-30")


def _learning_record_rows(municipality, staff, department, code: str) -> None:
    """A staff member's learning record: evidence, a level, a qualification claim, a capstone and a
    certificate (held in the municipality of their staff record; a certificate in its issuer's)."""
    competency = CompetencyFactory()
    user = staff.user
    Evidence.objects.create(
        user=user, competency=competency, level=2, source=EvidenceSource.QUIZ, source_key=code
    )
    CompetencyLevel.objects.create(user=user, competency=competency, level=2)
    qualification = Qualification.objects.create(code=f"Q{code}", name=f"資格{code}", issuer="試験機関")
    QualificationClaim.objects.create(
        user=user,
        qualification=qualification,
        passed_on="2026-03-01",
        proof=f"{code}.pdf",
        proof_name="合格証.pdf",
        proof_content_type="application/pdf",
        proof_size=1024,
    )
    program = CertificationProgram.objects.create(code=f"P{code}", name="認定", municipality=municipality)
    Capstone.objects.create(
        user=user,
        program=program,
        department=department,
        title="窓口の改善",
        problem="p",
        plan="p",
        target="t",
    )
    Certificate.objects.create(
        user=user, program=program, municipality=municipality, recipient_name="氏名", issued_on="2026-04-01"
    )


@pytest.mark.parametrize("model", TENANT_MODELS + SHARED_CONTENT_MODELS, ids=lambda m: m.__name__)
def test_an_unscoped_query_raises(two_municipalities, model):
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model.objects.filter(pk__gt=0).count()
    with pytest.raises(ScopeError):
        model.objects.get(pk=1)


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_a_scoped_query_sees_its_municipality_only(two_municipalities, model):
    lookup = {
        "Assignment": "staff__municipality",
        "DevelopmentTarget": "department__municipality",
        "TrainingDue": "staff__municipality",
        "SessionRegistration": "staff__municipality",
        "ScormAttempt": "package__municipality",
        "Evidence": "user__staff_profile__municipality",
        "CompetencyLevel": "user__staff_profile__municipality",
        "QualificationClaim": "user__staff_profile__municipality",
        "Capstone": "user__staff_profile__municipality",
    }.get(model.__name__, "municipality")
    town = two_municipalities["999992"]
    with municipality_scope(town):
        seen = set(model.objects.values_list(lookup, flat=True))
    assert seen == {town.pk}
    with municipality_scope([]):
        assert not model.objects.exists()


def test_a_platform_snapshot_run_is_seen_platform_wide_only(two_municipalities):
    """The nightly run has no municipality: no municipality's scope shows it (nor its progress)."""
    with platform_wide():
        nightly = SnapshotRun.objects.create(municipality=None, taken_on="2026-04-30")
    with municipality_scope(list(two_municipalities.values())):
        assert not SnapshotRun.objects.filter(pk=nightly.pk).exists()
    with platform_wide():
        assert SnapshotRun.objects.filter(pk=nightly.pk).exists()


def test_a_platform_job_says_so_and_sees_every_municipality(two_municipalities):
    with platform_wide():
        assert StaffProfile.objects.values("municipality").distinct().count() == 2

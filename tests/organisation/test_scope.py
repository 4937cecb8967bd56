"""One "who may see whom" scope (ADR 0016, "One scope"): ``scope.q`` (the list) and ``scope.allows`` (one
person) never disagree, and the people an attacker asks for stay out of scope."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.access import viewer_for
from assessments.certification.selectors import in_reviewer_scope
from lms_site.organisation.models import DepartmentKind, JobGrade, StaffProfile
from lms_site.organisation.roles import Role, role_group
from lms_site.organisation.scope import Purpose, Scope, scope_for
from tests.factories import (
    AssignmentFactory,
    DepartmentFactory,
    MunicipalityFactory,
    StaffProfileFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

User = get_user_model()
ROLE_CHOICES = [None, Role.LEARNER, Role.MANAGER, Role.HR, Role.REVIEWER, "superuser"]
GRADES = [JobGrade.SHUJI, JobGrade.KACHO, JobGrade.BUCHO]
DEPARTMENTS = ["010000", "010100", "010101", "020000", "020100", "020200", "B-bu", "B-ka", None]


@pytest.fixture
def world(departments):
    """若葉市's tree and a second town with a 部 → 課 of its own."""
    town = MunicipalityFactory(code="999992", name="青葉町")
    bu = DepartmentFactory(municipality=town, code="B-bu", name="総務課", kind=DepartmentKind.BU)
    ka = DepartmentFactory(parent=bu, code="B-ka", name="企画係", kind=DepartmentKind.KA)
    return {**departments, "B-bu": bu, "B-ka": ka}


def person(world, *, name, department=None, grade=JobGrade.SHUJI, role=None, staff=True, ended=False):
    """A user with (optionally) a staff record in the municipality of ``department`` (若葉市 without one),
    assigned there since 2025-04-01 (until yesterday if ``ended``)."""
    user = UserFactory(username=name, is_superuser=role == "superuser")
    if role not in (None, "superuser"):
        user.groups.add(role_group(role))
    if staff:
        place = world[department] if department else world["010000"]
        profile = StaffProfileFactory(user=user, municipality=place.municipality, job_grade=grade)
        if department:
            ends_on = timezone.localdate() - datetime.timedelta(days=1) if ended else None
            AssignmentFactory(staff=profile, department=place, ends_on=ends_on)
    return User.objects.get(pk=user.pk)  # fresh: permissions and staff record as a request loads them


people = st.lists(
    st.fixed_dictionaries(
        {
            "department": st.sampled_from(DEPARTMENTS),
            "grade": st.sampled_from(GRADES),
            "role": st.sampled_from(ROLE_CHOICES),
            "staff": st.booleans(),
            "ended": st.booleans(),
        }
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=people)
def test_the_query_and_the_one_person_check_agree(world, specs):
    today = timezone.localdate()
    with transaction.atomic():
        users = [person(world, name=f"p{i}", **spec) for i, spec in enumerate(specs)]
        for viewer in users:
            for purpose in Purpose:
                scope = scope_for(viewer, on=today, purpose=purpose)
                if scope is None:
                    continue
                as_users = set(User.objects.filter(scope.q("staff_profile")).values_list("pk", flat=True))
                as_staff = set(StaffProfile.objects.filter(scope.q()).values_list("pk", flat=True))
                for owner in users:
                    assert scope.allows(owner) == (owner.pk in as_users), (purpose, scope, owner)
                    profile = getattr(owner, "staff_profile", None)
                    if profile is not None:
                        assert scope.allows(profile) == (profile.pk in as_staff)
                    if scope.allows(owner) and not scope.platform_wide:
                        assert owner.staff_profile.municipality_id == scope.municipality_id
        transaction.set_rollback(True)


def test_another_municipalitys_hr_sees_nobody_of_this_one(world):
    ours = person(world, name="ours", department="020100")
    their_hr = person(world, name="their-hr", department="B-ka", role=Role.HR)

    for purpose in (Purpose.REPORTS, Purpose.PROGRAMME):
        scope = scope_for(their_hr, purpose=purpose)
        assert scope.municipality_id == world["B-ka"].municipality_id
        assert not scope.allows(ours)
        assert not User.objects.filter(scope.q("staff_profile"), pk=ours.pk).exists()
    assert not in_reviewer_scope(reviewer=their_hr, owner=ours)
    assert viewer_for(their_hr).municipality_id != world["020100"].municipality_id


def test_a_head_outside_the_subtree_sees_nobody_there(world):
    kacho = person(world, name="kacho", department="020100", grade=JobGrade.KACHO, role=Role.MANAGER)
    inside = person(world, name="inside", department="020100")
    next_door = person(world, name="next-door", department="020200")
    upstairs = person(world, name="upstairs", department="020000")
    elsewhere = person(world, name="elsewhere", department="010101")
    no_post = person(world, name="no-post")

    scope = scope_for(kacho)
    assert scope.subtree_path == world["020100"].path and scope.department_id == world["020100"].pk
    assert scope.allows(inside) and scope.allows(kacho)
    for outsider in (next_door, upstairs, elsewhere, no_post):
        assert not scope.allows(outsider)
        assert not User.objects.filter(scope.q("staff_profile"), pk=outsider.pk).exists()


def test_a_head_whose_assignment_ended_heads_nothing(world):
    former = person(
        world, name="former", department="020100", grade=JobGrade.KACHO, role=Role.MANAGER, ended=True
    )

    assert scope_for(former) is None
    assert scope_for(former, purpose=Purpose.HEADED) is None
    assert scope_for(former, on=timezone.localdate() - datetime.timedelta(days=1)) is not None


def test_the_dx_office_gets_no_personal_data_and_no_people(client, world):
    dx = person(world, name="dx", department="010100", role=Role.REVIEWER)

    scope = scope_for(dx)
    assert scope == Scope(world["010100"].municipality_id, personal_data=False, on=scope.on)
    assert viewer_for(dx).suppressed()
    client.force_login(dx)
    assert client.get("/hr/talent/").status_code == 403


def test_a_learner_and_an_advisor_have_no_reports_scope(world):
    learner = person(world, name="learner", department="020100", role=Role.LEARNER)
    advisor = person(world, name="advisor", role=Role.ADVISOR, staff=False)

    assert scope_for(learner) is None
    assert scope_for(advisor) is None
    assert scope_for(advisor, purpose=Purpose.PROGRAMME) is None


def test_a_superuser_without_a_staff_record_sees_every_municipality(world):
    root = person(world, name="root", role="superuser", staff=False)
    ours = person(world, name="ours", department="020100")
    theirs = person(world, name="theirs", department="B-ka")

    scope = scope_for(root, purpose=Purpose.PROGRAMME)
    assert scope.platform_wide and scope.allows(ours) and scope.allows(theirs)
    assert scope.q("staff_profile") == scope.q("anything")  # no condition at all

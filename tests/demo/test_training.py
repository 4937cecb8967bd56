"""The training demo (受講指示): 若葉市's yearly information security training for every member of staff,
about two thirds done, the rest overdue or exempt; and a course for 課長 only."""

import pytest
from django.utils import timezone

from lms_site.organisation.demo import CITY_CODE
from lms_site.organisation.models import JobGrade, Municipality, StaffProfile
from tests.factories import MunicipalityFactory, StaffProfileFactory
from training.demo import MANAGER_TITLE, security_title
from training.models import TrainingDue, TrainingRule, fiscal_year
from training.selectors import Status, due_progress
from training.services import matching_staff

pytestmark = pytest.mark.django_db  # the test database is set up even when this module runs alone


@pytest.fixture
def city():
    """若葉市 of the demo."""
    return Municipality.objects.get(code=CITY_CODE)


def statuses(rule: TrainingRule) -> tuple[list[TrainingDue], dict[int, str]]:
    dues = list(TrainingDue.objects.filter(rule=rule).select_related("rule", "staff"))
    progress = due_progress(dues, today=timezone.localdate())
    return dues, {pk: p.status for pk, p in progress.items()}


def test_security_training_for_every_member_of_staff_two_thirds_done(city):
    today = timezone.localdate()
    rule = TrainingRule.objects.get(municipality=city, title=security_title(fiscal_year(today)))
    assert rule.every_year and rule.course.slug == "information-security-policy"
    assert rule.starts_on == rule.window(fiscal_year(today))[0]  # issued on 1 April
    dues, status = statuses(rule)
    active = set(StaffProfile.objects.filter(municipality=city, is_active=True).values_list("pk", flat=True))
    assert {due.staff_id for due in dues} == active
    counts = {s: sum(1 for v in status.values() if v == s) for s in set(status.values())}
    assert 0.55 <= counts.get(Status.COMPLETED, 0) / len(dues) <= 0.80, counts
    if rule.due_on < today:  # always, unless the demo is loaded on 1 April
        assert counts.get(Status.OVERDUE, 0) >= 1, counts
    assert counts.get(Status.EXEMPT, 0) >= 1, counts
    assert all(due.exempt_reason for due in dues if status[due.pk] == Status.EXEMPT)


def test_the_kacho_course_is_due_from_kacho_only_and_some_did_it(city):
    rule = TrainingRule.objects.get(municipality=city, title=MANAGER_TITLE)
    assert not rule.every_year and rule.due_within_days == 90 and rule.job_grades == [JobGrade.KACHO]
    dues, status = statuses(rule)
    assert dues and {due.staff.job_grade for due in dues} == {JobGrade.KACHO}
    assert 1 <= sum(1 for v in status.values() if v == Status.COMPLETED) < len(dues)


def test_a_rule_with_no_condition_and_nobody_named_matches_the_whole_municipality():
    municipality = MunicipalityFactory()
    people = StaffProfileFactory.create_batch(3, municipality=municipality)
    StaffProfileFactory(municipality=municipality, is_active=False)
    StaffProfileFactory()  # another municipality
    rule = TrainingRule(municipality=municipality, title="全職員")
    found = matching_staff(rule, on=timezone.localdate())
    assert sorted(found.values_list("pk", flat=True)) == sorted(p.pk for p in people)


def test_two_classroom_sessions_one_full_with_a_waiting_list(city):
    from collections import Counter

    from training.models import ClassSession, RegistrationStatus, SessionRegistration

    full, later = ClassSession.objects.filter(municipality=city).order_by("starts_at")
    status = Counter(SessionRegistration.objects.filter(session=full).values_list("status", flat=True))
    assert status == {RegistrationStatus.REGISTERED: 20, RegistrationStatus.WAITLISTED: 4}
    assert later.needs_manager_approval and later.starts_at > full.starts_at > timezone.now()
    status = Counter(SessionRegistration.objects.filter(session=later).values_list("status", flat=True))
    assert status[RegistrationStatus.REGISTERED] >= 1 and status[RegistrationStatus.PENDING_APPROVAL] >= 1


def test_last_years_completions_of_the_yearly_course_are_kept(city):
    from courses.models import CourseRetake

    today = timezone.localdate()
    rule = TrainingRule.objects.get(municipality=city, title=security_title(fiscal_year(today)))
    retakes = list(CourseRetake.objects.filter(course=rule.course))
    assert retakes and all(timezone.localdate(r.completed_at) < rule.starts_on for r in retakes)

"""ADR 0024, issue 13: the training services check themselves that the course or quiz is offered to the
municipality the rule or session is for, whatever their callers checked. Called directly with another
municipality's own course (or quiz), they refuse it, naming it, and write nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.models import Quiz
from tests.factories import MunicipalityFactory
from tests.own_courses import own_course
from training import services, sessions
from training.models import ClassSession, TrainingDue, TrainingRule

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_course(city, framework, curriculum):
    return own_course(
        city["municipality"], framework, hostname="city.example.jp", slug="city-rules", title="若葉市の規程"
    )


def nothing_written() -> bool:
    return not (
        TrainingRule._base_manager.exists()
        or TrainingDue._base_manager.exists()
        or ClassSession._base_manager.exists()
    )


def rule(course=None, quiz=None) -> services.RuleSpec:
    return services.RuleSpec(title="規程研修", course=course, quiz=quiz, due_on=datetime.date(2026, 12, 31))


def session(course) -> sessions.SessionSpec:
    start = timezone.now() + datetime.timedelta(days=7)
    return sessions.SessionSpec(
        title="規程研修(集合)",
        course=course,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        venue="町役場 会議室",
        capacity=10,
        registration_deadline=start - datetime.timedelta(days=1),
    )


def test_a_rule_for_another_municipality_s_own_course_is_refused_and_nothing_is_written(town, city_course):
    with pytest.raises(ValidationError) as refused:
        services.rule_create(spec=rule(course=city_course), municipality=town["municipality"], today=TODAY)
    assert refused.value.messages == ["コース「若葉市の規程」はこの自治体に提供されていません。"]
    assert nothing_written()


def test_a_rule_for_another_municipality_s_own_quiz_is_refused_and_nothing_is_written(city, town, quiz):
    Quiz._base_manager.filter(pk=quiz.pk).update(municipality=city["municipality"])
    quiz.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.rule_create(spec=rule(quiz=quiz), municipality=town["municipality"], today=TODAY)
    assert refused.value.messages == ["小テスト「全形式テスト」はこの自治体に提供されていません。"]
    assert nothing_written()


def test_a_session_of_another_municipality_s_own_course_is_refused_and_nothing_is_written(town, city_course):
    with pytest.raises(ValidationError) as refused:
        sessions.session_create(spec=session(city_course), municipality=town["municipality"])
    assert refused.value.messages == ["コース「若葉市の規程」はこの自治体に提供されていません。"]
    assert nothing_written()


def test_the_owner_and_the_shared_course_are_still_accepted(city, city_course, curriculum):
    own_rule, count = services.rule_create(
        spec=rule(course=city_course), municipality=city["municipality"], today=TODAY
    )
    assert own_rule.course_id == city_course.pk and count > 0
    shared = sessions.session_create(spec=session(curriculum["basics"]), municipality=city["municipality"])
    assert shared.course_id == curriculum["basics"].pk


def test_a_prefecture_s_course_is_offered_to_its_municipality_only(city, town, framework, curriculum):
    town["municipality"].prefecture = "別の県"
    town["municipality"].save()
    prefecture = MunicipalityFactory(code="990001", name="架空県", kind="prefecture", prefecture="架空県")
    course = own_course(prefecture, framework, hostname="pref.example.jp", slug="pref-rules")
    assert services.offered_to_municipality(course, municipality=city["municipality"])
    assert not services.offered_to_municipality(course, municipality=town["municipality"])

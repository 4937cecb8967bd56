"""Assigned training (issue 15): who a rule assigns, how it follows staff data, cycles and statuses, and
bad requests that change nothing."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from assessments.models import Attempt, AttemptStatus
from courses.models import Enrollment
from lms_site.organisation import services as organisation_services
from lms_site.organisation.models import JobGrade
from training import selectors, services
from training.models import TrainingDue, TrainingRule
from training.services import RuleSpec

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def numbers(rule, *, cycle=None, counting=True) -> list[str]:
    dues = TrainingDue.objects.filter(rule=rule)
    if cycle is not None:
        dues = dues.filter(cycle=cycle)
    if counting:
        dues = dues.filter(left_on__isnull=True)
    return sorted(dues.values_list("staff__employee_number", flat=True))


def statuses(rule, *, today, cycle=None) -> dict[str, str]:
    dues = TrainingDue.objects.filter(rule=rule, left_on__isnull=True).select_related("rule", "staff")
    if cycle is not None:
        dues = dues.filter(cycle=cycle)
    progress = selectors.due_progress(dues, today=today)
    return {d.staff.employee_number: progress[d.pk].status for d in dues}


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_a_rule_for_the_whole_municipality_assigns_every_person_in_service(city, curriculum, town):
    rule, count = services.rule_create(
        spec=RuleSpec(
            title="情報セキュリティ研修", course=curriculum["basics"], due_on=datetime.date(2026, 9, 30)
        ),
        municipality=city["municipality"],
        today=TODAY,
    )
    assert count == 6
    assert numbers(rule) == ["h001", "k001", "p001", "s001", "s002", "t001"]  # never みどり町's people
    assert set(TrainingDue.objects.filter(rule=rule).values_list("due_on", flat=True)) == {
        datetime.date(2026, 9, 30)
    }


def test_conditions_combine_and_named_people_are_added(city, curriculum):
    d = city["departments"]
    rule, count = services.rule_create(
        spec=RuleSpec(
            title="市民部の新規採用者",
            course=curriculum["data"],
            department=d["020000"],
            hire_year_from=2026,
            people=[city["kenshu"]],
            due_within_days=30,
        ),
        municipality=city["municipality"],
        today=TODAY,
    )
    assert (count, numbers(rule)) == (2, ["s002", "t001"])
    assert set(TrainingDue.objects.filter(rule=rule).values_list("due_on", flat=True)) == {
        TODAY + datetime.timedelta(days=30)
    }


def test_bad_requests_report_every_problem_and_write_nothing(city, curriculum, town):
    with pytest.raises(ValidationError) as raised:
        services.rule_create(
            spec=RuleSpec(
                title=" ",
                course=curriculum["basics"],
                due_on=TODAY - datetime.timedelta(days=1),
                department=town["department"],
                job_grades=["shogun"],
                hire_year_from=2026,
                hire_year_to=2020,
                people=[town["staff"]],
            ),
            municipality=city["municipality"],
            today=TODAY,
        )
    messages = raised.value.messages
    assert messages == [
        "名称を入力してください。",
        f"期限 {TODAY - datetime.timedelta(days=1)} は過ぎています。今日({TODAY})以降の日付にしてください。",
        "役職「shogun」はありません。",
        "採用年度の範囲が逆です(2026〜2020)。",
        "所属「総務課」はこの自治体の所属ではありません。",
        "職員番号 ts01 の在職中の職員はいません。",
    ]
    with pytest.raises(ValidationError, match="当てはまる在職中の職員がいません"):
        services.rule_create(
            spec=RuleSpec(
                title="部長研修", course=curriculum["basics"], job_grades=[JobGrade.BUCHO], due_within_days=90
            ),
            municipality=city["municipality"],
            today=TODAY,
        )
    assert not TrainingRule.objects.exists()
    assert not TrainingDue.objects.exists()


def staff_csv(*rows: str) -> bytes:
    header = "職員番号,姓,名,所属コード,役職,職種,採用年度"
    return ("\n".join([header, *rows]) + "\n").encode()


def test_an_hr_import_assigns_a_new_kacho_and_the_moved_person_leaves_the_old_department(
    city, curriculum, django_capture_on_commit_callbacks
):
    """The April rotation as an HR import: s001 becomes 課長 of 保険年金課; t001 moves from 研修係 to
    市民課. The 課長 rule picks up the new 課長 (due in 90 days); 総務部's rule stops counting t001."""
    d = city["departments"]
    managers, _count = services.rule_create(
        spec=RuleSpec(
            title="新任課長研修",
            course=curriculum["practice"],
            job_grades=[JobGrade.KACHO],
            due_within_days=90,
        ),
        municipality=city["municipality"],
        today=TODAY,
    )
    soumu, _count = services.rule_create(
        spec=RuleSpec(
            title="総務部研修",
            course=curriculum["basics"],
            department=d["010000"],
            due_on=datetime.date(2027, 3, 1),
        ),
        municipality=city["municipality"],
        today=TODAY,
    )
    assert numbers(managers) == ["k001"] and numbers(soumu) == ["h001", "t001"]
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):  # the import's commit sends staff_changed
        outcome = organisation_services.staff_import(
            municipality=city["municipality"],
            content=staff_csv(
                "s001,若葉,職員s001,020200,課長,一般行政,2020", "t001,若葉,職員t001,020100,主事,一般行政,2020"
            ),
            effective_date=today,
        )
    assert outcome.ok, outcome.errors
    assert numbers(managers) == ["k001", "s001"]
    assert TrainingDue.objects.get(rule=managers, staff=city["shimin1"]).due_on == today + datetime.timedelta(
        days=90
    )
    assert numbers(soumu) == ["h001"]
    assert numbers(soumu, counting=False) == ["h001", "t001"]  # kept as history
    # Evaluating again changes nothing.
    again = services.municipality_evaluate(municipality_id=city["municipality"].pk, on=today)
    assert (again.added, again.left, again.returned) == (0, 0, 0)


def test_a_yearly_rule_starts_a_new_cycle_in_april_where_last_years_pass_does_not_count(city, quiz):
    rule, _count = services.rule_create(
        spec=RuleSpec(
            title="毎年の情報セキュリティ確認テスト",
            quiz=quiz,
            people=[city["shimin1"]],
            due_on=datetime.date(2026, 9, 30),
            every_year=True,
        ),
        municipality=city["municipality"],
        today=TODAY,
    )
    user = city["shimin1"].user
    Attempt.objects.create(
        user=user,
        quiz=quiz,
        number=1,
        seed=1,
        status=AttemptStatus.SUBMITTED,
        passed=True,
        started_at=at(datetime.date(2026, 6, 1), 10),
        finished_at=at(datetime.date(2026, 6, 1)),
    )
    assert statuses(rule, today=datetime.date(2027, 3, 31)) == {"s001": "completed"}
    next_april = datetime.date(2027, 4, 1)
    services.rule_evaluate(rule, on=next_april)
    assert numbers(rule, cycle=2027) == ["s001"]
    assert TrainingDue.objects.get(rule=rule, cycle=2027).due_on == datetime.date(2027, 9, 30)
    assert statuses(rule, today=next_april, cycle=2027) == {"s001": "not_started"}
    assert statuses(rule, today=next_april, cycle=2026) == {"s001": "completed"}  # last year stays done
    # A failed attempt this year is progress, not completion; after the due date it is overdue.
    Attempt.objects.create(
        user=user,
        quiz=quiz,
        number=2,
        seed=2,
        status=AttemptStatus.SUBMITTED,
        passed=False,
        started_at=at(datetime.date(2027, 5, 1)),
        finished_at=at(datetime.date(2027, 5, 1)),
    )
    assert statuses(rule, today=datetime.date(2027, 5, 2), cycle=2027) == {"s001": "in_progress"}
    assert statuses(rule, today=datetime.date(2027, 10, 1), cycle=2027) == {"s001": "overdue"}


def test_course_statuses_and_exemption(city, curriculum):
    course = curriculum["basics"]
    rule, _count = services.rule_create(
        spec=RuleSpec(
            title="基礎",
            course=course,
            department=city["departments"]["020000"],
            due_on=datetime.date(2026, 6, 30),
        ),
        municipality=city["municipality"],
        today=TODAY,
    )
    Enrollment.objects.create(user=city["shimin1"].user, course=course, completed_at=at(TODAY))
    Enrollment.objects.create(user=city["shimin2"].user, course=course)
    due = TrainingDue.objects.get(rule=rule, staff=city["hoken"])
    with pytest.raises(ValidationError, match="理由を入力"):
        services.due_exempt(due=due, reason="  ", by=city["hr"].user)
    services.due_exempt(due=due, reason="育児休業中", by=city["hr"].user)
    assert statuses(rule, today=TODAY) == {
        "k001": "not_started",
        "s001": "completed",
        "s002": "in_progress",
        "p001": "exempt",
    }
    assert statuses(rule, today=datetime.date(2026, 7, 1)) == {
        "k001": "overdue",
        "s001": "completed",
        "s002": "overdue",
        "p001": "exempt",
    }


def test_learner_list_puts_overdue_first(city, curriculum, quiz):
    spec = {"people": [city["shimin1"]]}
    services.rule_create(
        spec=RuleSpec(title="後", course=curriculum["data"], due_on=datetime.date(2026, 8, 1), **spec),
        municipality=city["municipality"],
        today=TODAY,
    )
    services.rule_create(
        spec=RuleSpec(title="先", quiz=quiz, due_on=datetime.date(2026, 5, 20), **spec),
        municipality=city["municipality"],
        today=TODAY,
    )
    services.rule_create(
        spec=RuleSpec(title="次", course=curriculum["basics"], due_on=datetime.date(2026, 6, 1), **spec),
        municipality=city["municipality"],
        today=TODAY,
    )
    rows = selectors.learner_dues(staff=city["shimin1"], today=datetime.date(2026, 5, 25))
    assert [(d.rule.title, p.status) for d, p in rows] == [
        ("先", "overdue"),
        ("次", "not_started"),
        ("後", "not_started"),
    ]


def test_the_command_assigns_and_refuses_bad_options(city, curriculum):
    out = StringIO()
    call_command(
        "training_assign",
        "--municipality",
        "999991",
        "--course",
        "dx-basics",
        "--position",
        "課長",
        "--due",
        "2026-12-31",
        "--today",
        TODAY.isoformat(),
        stdout=out,
    )
    assert "to 1 people" in out.getvalue()
    rule = TrainingRule.objects.get()
    assert (rule.title, rule.job_grades, numbers(rule)) == ("DXリテラシー基礎", ["kacho"], ["k001"])
    with pytest.raises(CommandError, match="--position: '将軍'"):
        call_command(
            "training_assign",
            "--municipality",
            "999991",
            "--course",
            "dx-basics",
            "--position",
            "将軍",
            "--due",
            "2026-12-31",
        )
    with pytest.raises(CommandError, match="過ぎています"):
        call_command(
            "training_assign",
            "--municipality",
            "999991",
            "--course",
            "dx-basics",
            "--due",
            "2026-01-01",
            "--today",
            TODAY.isoformat(),
        )
    with pytest.raises(CommandError, match="no live course"):
        call_command("training_assign", "--municipality", "999991", "--course", "nope", "--due", "2026-12-31")
    assert TrainingRule.objects.count() == 1


def test_a_yearly_course_is_taken_again_and_last_years_completion_stays(client, city, curriculum):
    """FY2026 done; in April 2027 the person starts the course again from /me/ and completes it anew."""
    from courses.models import CourseRetake, LessonCompletion, LessonPage

    course, user = curriculum["basics"], city["shimin1"].user
    rule, _count = services.rule_create(
        spec=RuleSpec(
            title="毎年の基礎",
            course=course,
            people=[city["shimin1"]],
            due_on=datetime.date(2026, 9, 30),
            every_year=True,
        ),
        municipality=city["municipality"],
        today=TODAY,
    )
    client.force_login(user)
    for lesson in LessonPage.objects.child_of(course).live():
        client.post(f"/learning/lessons/{lesson.pk}/complete/")
    Enrollment.objects.filter(user=user).update(completed_at=at(datetime.date(2026, 6, 1)))
    services.rule_evaluate(rule, on=datetime.date(2027, 4, 1))
    april = datetime.date(2027, 4, 2)
    due = TrainingDue.objects.select_related("rule", "staff").get(rule=rule, cycle=2027)
    assert selectors.due_progress([due], today=april)[due.pk].restart
    response = client.post(f"/learning/courses/{course.pk}/restart/", {"next": course.url})
    assert response.status_code == 302
    assert CourseRetake.objects.filter(user=user, course=course).count() == 1
    assert not LessonCompletion.objects.filter(user=user).exists()
    assert statuses(rule, today=april, cycle=2026) == {"s001": "completed"}  # last year's stays done
    assert statuses(rule, today=april, cycle=2027) == {"s001": "in_progress"}
    for lesson in LessonPage.objects.child_of(course).live():
        client.post(f"/learning/lessons/{lesson.pk}/complete/")
    Enrollment.objects.filter(user=user).update(completed_at=at(datetime.date(2027, 5, 1)))
    assert statuses(rule, today=april, cycle=2027) == {"s001": "completed"}
    assert client.post(f"/learning/courses/{curriculum['data'].pk}/restart/").status_code == 302  # not done
    assert CourseRetake.objects.count() == 1

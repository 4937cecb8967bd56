"""Demo assigned training (受講指示) for 若葉市: this fiscal year's information security training for every
member of staff, and a course for 課長 to take within 90 days.

Loaded by ``manage.py load_demo`` after the analytics demo; a second run adds nothing (a rule already
there by its title is left alone). Both rules are issued through ``services.rule_create`` as demo-hr, on
the day they are meant to have been issued, so the dues are those the service assigns. What the demo
then adds is learning: whether a due is done is read from the course's enrolments (``selectors``), so the
demo completes, starts or leaves alone the enrolments of the people concerned, in bulk and from a fixed
seed. Enrolments other demos created are updated, never duplicated; one already completed before this
fiscal year and chosen as done again was taken again: its earlier completion is kept as a
``CourseRetake`` (as ``courses.services.enrollment_restart`` does) and the enrolment holds this year's.

* 「令和N年度 情報セキュリティ研修(全職員)」: every year, issued on 1 April, due 30 September (or, before
  then, a few weeks before today, so that some are overdue all the same). About two thirds have
  completed it this fiscal year, some have begun, the rest have not; as the due date has passed, those
  not done are overdue. Three people are exempt (育児休業中, 病気休暇中).
* 新任課長 DXマネジメント研修: for 課長, one-off, due within 90 days, issued some months ago; a few 課長
  completed it.

* Two classroom sessions (集合研修) of 業務改革(BPR)と書かない窓口 for this year's DX推進リーダー candidates,
  taught by the DX推進課's 係長 (demo-reviewer): one in two weeks, full, with a waiting list; one in six
  weeks that needs each person's 所属長 to approve, with some registrations still waiting for them.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments.api import Evidence, EvidenceSource, EvidenceStatus
from assessments.certification.api import levels_recompute_many
from courses.api import CourseCompetency, CoursePage, CourseRetake, Enrollment, LessonCompletion, LessonPage
from lms_site.organisation.api import JobGrade, Municipality, municipality_scope
from lms_site.organisation.demo import CITY_CODE, TOWN_CODE

from . import services
from .models import TrainingDue, TrainingRule, fiscal_year, fiscal_year_start

SEED = 20260401
# The course of each rule: the first of these that is live (the most basic DX literacy course last).
SECURITY_COURSES = ["information-security-policy", "dx-literacy-basics"]
MANAGER_COURSES = ["project-management-and-procurement", "bpr-and-front-yard", "dx-literacy-basics"]
SECURITY_COMPLETED = 0.68  # share of the rule's people who completed it this fiscal year
SECURITY_STARTED = 0.4  # share of those who had not begun the course who began it this year
SECURITY_ON_TIME = 0.85  # share of completions on or before the due date
EXEMPTIONS = ["育児休業中", "育児休業中", "病気休暇中(長期療養)"]
MANAGER_TITLE = "新任課長 DXマネジメント研修"
MANAGER_DAYS = 90
MANAGER_ISSUED_DAYS_AGO = 150
MANAGER_COMPLETED = 5  # 課長 who completed the course since the rule was issued (besides any before)


class DemoTrainingError(Exception):
    pass


def security_title(year: int) -> str:
    """令和 of a fiscal year: FY2026 is 令和8年度."""
    return f"令和{year - 2018}年度 情報セキュリティ研修(全職員)"


def security_due(*, issued: datetime.date, today: datetime.date) -> datetime.date:
    """30 September of the fiscal year once it has passed; before then, a few weeks before today (never
    before the issue day), so that the demo has overdue people whatever day it is loaded."""
    september = datetime.date(issued.year, 9, 30)
    if september < today:
        return september
    return max(issued, today - datetime.timedelta(days=21))


def load(*, stdout) -> None:
    city = Municipality.objects.filter(code=CITY_CODE).first()
    if city is None:
        raise DemoTrainingError("The demo city is missing: load the organisation demo first.")
    hr = get_user_model().objects.filter(username="demo-hr").first()
    today = timezone.localdate()
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    with municipality_scope(city):
        stdout.write(f"  {_security_load(city, hr, today, rng)}")
        stdout.write(f"  {_manager_load(city, hr, today, rng)}")
        stdout.write(f"  {_sessions_load(city, hr, rng)}")
    town = Municipality.objects.filter(code=TOWN_CODE).first()
    if town is not None:
        with municipality_scope(town):
            stdout.write(f"  {_town_quiz_load(town, today)}")


def _town_quiz_load(town: Municipality, today: datetime.date) -> str:
    """みどり町's HR assigns the town's own quiz to every member of its staff, due at the fiscal year's end
    (the quiz is the town's: no other municipality could assign it, ADR 0024)."""
    from assessments.api import Quiz
    from assessments.demo import TOWN_QUIZ

    title = f"{TOWN_QUIZ}(全職員)"
    if TrainingRule.objects.filter(municipality=town, title=title).exists():
        return f"「{title}」: already there"
    quiz = Quiz.objects.filter(municipality=town, title=TOWN_QUIZ, live=True).first()
    if quiz is None:
        return f"「{title}」: the town's quiz is missing"
    year = fiscal_year(today)
    rule, count = services.rule_create(
        spec=services.RuleSpec(
            title=title, quiz=quiz, due_on=fiscal_year_start(year + 1) - datetime.timedelta(days=1)
        ),
        municipality=town,
        created_by=get_user_model().objects.filter(username="demo-hr-town").first(),
        today=today,
    )
    return f"「{rule.title}」: {count} people"


def _course(slugs: list[str]) -> CoursePage:
    live = {c.slug: c for c in CoursePage.objects.live().filter(slug__in=slugs)}
    for slug in slugs:
        if slug in live:
            return live[slug]
    raise DemoTrainingError(f"None of the courses {slugs} is live: load the curriculum demo first.")


def _security_load(city: Municipality, hr, today: datetime.date, rng: random.Random) -> str:
    year = fiscal_year(today)
    title = security_title(year)
    if TrainingRule.objects.filter(municipality=city, title=title).exists():
        return f"「{title}」: already there"
    course = _course(SECURITY_COURSES)
    issued = fiscal_year_start(year)
    due_on = security_due(issued=issued, today=today)
    rule, count = services.rule_create(
        spec=services.RuleSpec(title=title, course=course, due_on=due_on, every_year=True),
        municipality=city,
        created_by=hr,
        today=issued,
    )
    dues = list(
        TrainingDue.objects.filter(rule=rule).select_related("staff").order_by("staff__employee_number")
    )
    progress = _Progress(course, rng)
    on_time_until = min(due_on, today - datetime.timedelta(days=1))
    yesterday = today - datetime.timedelta(days=1)

    # Done already this fiscal year (another demo's enrolment in the window) stays as it is.
    users = [due.staff.user_id for due in dues]
    done = {
        user_id
        for user_id in users
        if progress.existing.get(user_id) is not None
        and progress.existing[user_id].completed_at is not None
        and timezone.localdate(progress.existing[user_id].completed_at) >= issued
    }
    # The others: those who began the course are likelier to have finished it this year (a weighted draw).
    weight = {user_id: _weight(progress.existing.get(user_id)) for user_id in users if user_id not in done}
    keys = {user_id: rng.random() ** (1 / w) for user_id, w in weight.items()}
    wanted = max(0, round(SECURITY_COMPLETED * len(dues)) - len(done))
    finishing = sorted(weight, key=lambda user_id: (-keys[user_id], user_id))[:wanted]
    for user_id in sorted(finishing):
        until = on_time_until if rng.random() < SECURITY_ON_TIME else yesterday
        progress.complete(user_id, first=issued, last=until)

    # Of those who never began it, some are on leave (exempt), some began this year, the rest have not.
    untouched = sorted(
        user_id for user_id in weight if user_id not in finishing and user_id not in progress.existing
    )
    others = sorted(user_id for user_id in weight if user_id not in finishing)
    exempt = set(
        rng.sample(
            untouched if len(untouched) >= len(EXEMPTIONS) else others, min(len(EXEMPTIONS), len(others))
        )
    )
    for user_id in untouched:
        if user_id not in exempt and rng.random() < SECURITY_STARTED:
            progress.begin(user_id, first=issued, last=yesterday)
    progress.save()
    by_user = {due.staff.user_id: due for due in dues}
    for user_id, reason in zip(sorted(exempt), EXEMPTIONS, strict=False):
        services.due_exempt(due=by_user[user_id], reason=reason, by=hr)
    return (
        f"「{title}」: {count} people, due {due_on}; completed this year {len(done) + len(finishing)}, "
        f"begun this year {progress.begun}, exempt {len(exempt)}"
    )


def _weight(enrolment: Enrollment | None) -> float:
    """How likely someone is to have completed the course this year, by where they stood."""
    if enrolment is None:
        return 0.5  # never opened it
    if enrolment.completed_at is None:
        return 1.0  # part-way through
    return 0.8  # completed it in an earlier year: the yearly re-take


def _manager_load(city: Municipality, hr, today: datetime.date, rng: random.Random) -> str:
    if TrainingRule.objects.filter(municipality=city, title=MANAGER_TITLE).exists():
        return f"「{MANAGER_TITLE}」: already there"
    course = _course(MANAGER_COURSES)
    issued = today - datetime.timedelta(days=MANAGER_ISSUED_DAYS_AGO)
    rule, count = services.rule_create(
        spec=services.RuleSpec(
            title=MANAGER_TITLE, course=course, job_grades=[JobGrade.KACHO], due_within_days=MANAGER_DAYS
        ),
        municipality=city,
        created_by=hr,
        today=issued,
    )
    users = sorted(TrainingDue.objects.filter(rule=rule).values_list("staff__user_id", flat=True))
    progress = _Progress(course, rng)
    pending = [
        user_id for user_id in users if getattr(progress.existing.get(user_id), "completed_at", None) is None
    ]
    finishing = rng.sample(pending, min(MANAGER_COMPLETED, len(pending)))
    last = min(issued + datetime.timedelta(days=MANAGER_DAYS), today - datetime.timedelta(days=1))
    for user_id in sorted(finishing):
        progress.complete(user_id, first=issued, last=last)
    progress.save()
    completed = Enrollment.objects.filter(
        course=course, user_id__in=users, completed_at__isnull=False
    ).count()
    return f"「{MANAGER_TITLE}」: {count} 課長, due {MANAGER_DAYS} days from {issued}; completed {completed}"


class _Progress:
    """Enrolments of one course to complete or begin, written in bulk: existing ones are updated (one per
    person and course), missing ones created, with their lessons and the completion's evidence."""

    def __init__(self, course: CoursePage, rng: random.Random):
        self.course, self.rng = course, rng
        self.lessons = list(LessonPage.objects.live().child_of(course).order_by("path"))
        if not self.lessons:
            raise DemoTrainingError(f"{course.slug} has no lessons.")
        self.existing = {e.user_id: e for e in Enrollment.objects.filter(course=course)}
        self.changed: list[Enrollment] = []
        self.created: list[Enrollment] = []
        self.lesson_rows: list[LessonCompletion] = []
        self.retakes: list[CourseRetake] = []
        self.completed: list[tuple[int, datetime.datetime]] = []  # newly completed, for their evidence
        self.begun = 0
        self.now = timezone.now()

    def _moment(self, first: datetime.date, last: datetime.date) -> datetime.datetime:
        """A working hour of a day from ``first`` to ``last`` (``first`` if ``last`` is earlier); not after
        now."""
        day = first + datetime.timedelta(days=self.rng.randint(0, max((last - first).days, 0)))
        moment = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(self.rng.randint(9, 17), self.rng.randrange(60)))
        )
        return min(moment, self.now - datetime.timedelta(minutes=1))

    @staticmethod
    def _start(day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 30)))

    def complete(self, user_id: int, *, first: datetime.date, last: datetime.date) -> None:
        enrolment = self.existing.get(user_id)
        if enrolment is not None and enrolment.completed_at is None:
            first = max(first, timezone.localdate(enrolment.enrolled_at))  # finished after they began
        when = self._moment(first, last)
        if enrolment is None:
            began = when - datetime.timedelta(days=self.rng.randint(1, 20))
            enrolment = Enrollment(
                user_id=user_id, course=self.course, enrolled_at=max(began, self._start(first))
            )
            self.created.append(enrolment)
        else:
            self.changed.append(enrolment)
        if enrolment.completed_at is not None:  # last year's: set aside as it is when one starts again
            restarted = self._start(max(first, timezone.localdate(enrolment.completed_at)))
            self.retakes.append(
                CourseRetake(
                    user_id=user_id,
                    course=self.course,
                    completed_at=enrolment.completed_at,
                    restarted_at=min(restarted, when),
                )
            )
        if enrolment.completed_at is None:
            self.completed.append((user_id, when))
            self.lesson_rows += [
                LessonCompletion(user_id=user_id, lesson=lesson, completed_at=when) for lesson in self.lessons
            ]
        enrolment.enrolled_at = min(enrolment.enrolled_at, when)
        enrolment.completed_at = when
        enrolment.last_activity_at = max(filter(None, [enrolment.last_activity_at, when]))
        enrolment.last_lesson = self.lessons[-1]

    def begin(self, user_id: int, *, first: datetime.date, last: datetime.date) -> None:
        """Enrol someone who had not begun and have them do some of the lessons (not all)."""
        when = self._moment(first, last)
        done = self.rng.randrange(0, len(self.lessons))
        self.created.append(
            Enrollment(
                user_id=user_id,
                course=self.course,
                enrolled_at=when,
                last_activity_at=when,
                last_lesson=self.lessons[done - 1] if done else None,
            )
        )
        self.lesson_rows += [
            LessonCompletion(user_id=user_id, lesson=lesson, completed_at=when)
            for lesson in self.lessons[:done]
        ]
        self.begun += 1

    def save(self) -> None:
        Enrollment.objects.bulk_create(self.created, batch_size=500)
        Enrollment.objects.bulk_update(
            self.changed, ["enrolled_at", "completed_at", "last_activity_at", "last_lesson"], batch_size=500
        )
        LessonCompletion.objects.bulk_create(self.lesson_rows, batch_size=500, ignore_conflicts=True)
        CourseRetake.objects.bulk_create(self.retakes, batch_size=500, ignore_conflicts=True)
        # What the completion hook records (assessments.evidence.evidence_from_course_completion), dated
        # when the course was completed; then the level table of the people concerned.
        targets = list(
            CourseCompetency.objects.filter(course=self.course).values_list("competency_id", "level")
        )
        Evidence.objects.bulk_create(
            [
                Evidence(
                    user_id=user_id,
                    competency_id=competency_id,
                    level=level,
                    source=EvidenceSource.COURSE,
                    source_key=f"course:{self.course.pk}",
                    status=EvidenceStatus.VERIFIED,
                    recorded_at=when,
                )
                for user_id, when in self.completed
                for competency_id, level in targets
            ],
            batch_size=500,
            ignore_conflicts=True,
        )
        levels_recompute_many(user_ids=[user_id for user_id, _ in self.completed])


SESSION_COURSES = ["bpr-and-front-yard", "project-management-and-procurement"]
SESSION_VENUE = "若葉市役所 本庁舎4階 第1会議室"


def _session_moment(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _sessions_load(city: Municipality, hr, rng: random.Random) -> str:
    """Sessions are in the future (they are made through ``sessions.session_create``, which refuses a past
    start), so their dates follow the day the demo is loaded."""
    from lms_site.organisation.api import StaffProfile

    from . import sessions
    from .models import ClassSession

    course = _course(SESSION_COURSES)
    if ClassSession.objects.filter(municipality=city, course=course).exists():
        return "classroom sessions: already there"
    trainer = get_user_model().objects.filter(username="demo-reviewer").first()
    now = timezone.now()
    today = timezone.localdate()
    first_day = _thursday_from(today + datetime.timedelta(days=14))
    made = []
    for number, (day, capacity, approval) in enumerate(
        [(first_day, 20, False), (_thursday_from(first_day + datetime.timedelta(days=28)), 24, True)], start=1
    ):
        made.append(
            sessions.session_create(
                spec=sessions.SessionSpec(
                    title=f"{course.title} 集合研修(第{number}回)",
                    course=course,
                    starts_at=_session_moment(day, 13, 30),
                    ends_at=_session_moment(day, 17, 0),
                    venue=SESSION_VENUE,
                    capacity=capacity,
                    registration_deadline=_session_moment(day - datetime.timedelta(days=7), 17, 0),
                    needs_manager_approval=approval,
                    trainer=trainer,
                ),
                municipality=city,
                created_by=hr,
                now=now,
            )
        )
    # This year's candidates: staff in service from 主任 to 課長補佐, drawn from a fixed seed.
    candidates = list(
        StaffProfile.objects.filter(
            municipality=city,
            is_active=True,
            job_grade__in=[JobGrade.SHUNIN, JobGrade.SHUSA, JobGrade.KAKARICHO, JobGrade.KACHO_HOSA],
        )
        .exclude(user__username__startswith="demo-")  # the demo logins see the sessions as others would
        .order_by("employee_number")
    )
    chosen = rng.sample(candidates, min(len(candidates), 24 + 12))
    full, approved = made
    for offset, person in enumerate(chosen[:24]):  # 20 seats and four waiting
        sessions.session_register(session=full, staff=person, now=now + datetime.timedelta(minutes=offset))
    decided = 0
    for offset, person in enumerate(chosen[24:]):
        registration = sessions.session_register(
            session=approved, staff=person, now=now + datetime.timedelta(minutes=offset)
        )
        heads = _heads(person, today)
        if heads and offset < 9:  # the rest still wait for their 所属長
            sessions.registration_decide(registration=registration, by=heads[0], approve=True, now=now)
            decided += 1
    # The applicants keep their notices in the app; the demo mails nobody (it runs before its commit).
    from lms_site.notifications.models import EmailStatus, Kind, Notification

    Notification.objects.filter(
        municipality=city, kind=Kind.SESSION, email_status=EmailStatus.PENDING
    ).update(email_status=EmailStatus.NOT_SENT)
    return (
        f"classroom sessions: 「{full.title}」 {full.capacity} seats, 24 applied; "
        f"「{approved.title}」 {len(chosen[24:])} applied, {decided} approved by their 所属長"
    )


def _thursday_from(day: datetime.date) -> datetime.date:
    """The first Thursday on or after ``day`` that is a working day."""
    from lms_site.notifications.services import is_working_day

    while day.weekday() != 3 or not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def _heads(person, today: datetime.date) -> list:
    from lms_site.organisation.api import department_heads, department_of

    department = department_of(staff=person, on=today)
    if department is None:
        return []
    return [h for h in department_heads(department=department, on=today) if h.pk != person.user_id]

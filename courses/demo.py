"""Demo curriculum: the course index, 8 courses of real content (some aligned to items of the demo's
reference framework, loaded here first), the authoring workflow, and learners' varied progress. Idempotent:
pages are found by slug, progress is only generated once."""

import datetime
import random
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from courses.competencies.demo import reference_load
from courses.competencies.models import Competency
from courses.competencies.selectors import framework_current
from courses.curriculum_setup import curriculum_permissions_setup
from courses.demo_content import CourseData, read_curriculum
from courses.models import (
    CourseCompetency,
    CoursePage,
    CourseReferenceAlignment,
    CurriculumIndexPage,
    Enrollment,
    LessonCompletion,
    LessonPage,
)
from lms_site.home.services import site_root_ensure
from lms_site.organisation.demo import CITY_CODE, demo_municipalities

CURRICULUM_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo" / "curriculum"
INDEX_INTRO = (
    "<p>若葉市職員のためのDX研修コースです。全職員向けの基礎から、DX推進リーダー候補向けの実践まで、"
    "自分のペースで学べます。能力領域・対象者・形式で絞り込めます。</p>"
)
# Share of active staff enrolled in / completing each course, in the order of the files.
# Year two of the plan: the basics widely begun but not all finished; the area courses part-way.
UPTAKE = [
    (0.92, 0.62),
    (0.85, 0.45),
    (0.55, 0.25),
    (0.35, 0.15),
    (0.5, 0.3),
    (0.2, 0.12),
    (0.25, 0.12),
    (0.08, 0.03),
]


class DemoCurriculumError(Exception):
    pass


def load(*, stdout) -> None:
    framework = framework_current()
    if framework is None:
        raise DemoCurriculumError("No current competency framework: load it first (courses.competencies).")
    reference = reference_load(framework=framework, stdout=stdout)
    index = _index_ensure()
    curriculum_permissions_setup(index=index)
    created = _courses_ensure(
        index=index, courses=read_curriculum(CURRICULUM_DIR), framework=framework, reference=reference
    )
    stdout.write(f"  courses created: {created}")
    for municipality in demo_municipalities():
        if not Enrollment.objects.filter(user__staff_profile__municipality=municipality).exists():
            count = _progress_generate(municipality)
            stdout.write(f"  learner progress in {municipality}: {count} enrolments")


def _index_ensure() -> CurriculumIndexPage:
    """The shared curriculum's index, under the platform's home: みどり町's own site (lms_site.home.demo)
    has a home and an index of its own."""
    home = site_root_ensure()
    index = CurriculumIndexPage.objects.child_of(home).first()
    if index is None:
        index = home.add_child(
            instance=CurriculumIndexPage(title="研修コース", slug="courses", intro=INDEX_INTRO)
        )
        index.save_revision().publish()
    return index


def _courses_ensure(*, index: CurriculumIndexPage, courses: list[CourseData], framework, reference) -> int:
    competencies = {c.code: c for c in Competency.objects.filter(framework=framework)}
    items = {c.code: c for c in Competency.objects.filter(framework=reference)}
    pages: dict[str, CoursePage] = {p.slug: p for p in CoursePage.objects.child_of(index)}
    created = 0
    for data in courses:
        if data.slug in pages:
            continue
        unknown = [code for code, _ in data.competencies if code not in competencies]
        if unknown:
            raise DemoCurriculumError(f"{data.slug}: unknown competencies {unknown}")
        unknown = [code for code in data.aligned_to if code not in items]
        if unknown:
            raise DemoCurriculumError(f"{data.slug}: unknown reference items {unknown} (aligned_to)")
        course = CoursePage(
            title=data.title,
            slug=data.slug,
            summary=data.summary,
            description=data.description,
            audience=data.audience,
            delivery=data.delivery,
            estimated_hours=data.estimated_hours,
        )
        course.competency_targets = [
            CourseCompetency(competency=competencies[code], level=level) for code, level in data.competencies
        ]
        course.reference_alignments = [
            CourseReferenceAlignment(reference=items[code]) for code in data.aligned_to
        ]
        index.add_child(instance=course)
        course.prerequisites.set([pages[slug] for slug in data.prerequisites if slug in pages])
        course.save_revision().publish()
        for lesson_data in data.lessons:
            lesson = LessonPage(
                title=lesson_data.title,
                slug=lesson_data.slug,
                summary=lesson_data.summary,
                estimated_minutes=lesson_data.estimated_minutes,
                body=lesson_data.body,
            )
            course.add_child(instance=lesson)
            lesson.save_revision().publish()
        pages[data.slug] = course
        created += 1
    return created


# The seed of each demo municipality's progress (若葉市's is the one it always had).
SEEDS = {CITY_CODE: 20260401}


@transaction.atomic
def _progress_generate(municipality) -> int:
    """Deterministic, varied progress of one municipality's staff: most did the basics, fewer went further,
    few are near leader."""
    seed = SEEDS.get(municipality.code, 20260401 + int(municipality.code))
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    courses = list(CoursePage.objects.live().order_by("path"))
    lessons = {c.pk: list(LessonPage.objects.live().child_of(c).order_by("path")) for c in courses}
    users = list(
        get_user_model()
        .objects.filter(staff_profile__is_active=True, staff_profile__municipality=municipality)
        .order_by("pk")
    )
    start = datetime.datetime(2025, 5, 1, 9, tzinfo=datetime.UTC)
    span = (timezone.now() - start).total_seconds()
    enrollments, completions = [], []
    for user in users:
        if user.username == "demo-learner":
            continue
        for course, (enrol_share, complete_share) in zip(courses, UPTAKE, strict=False):
            roll = rng.random()
            if roll >= enrol_share:
                continue
            course_lessons = lessons[course.pk]
            done = len(course_lessons) if roll < complete_share else rng.randrange(0, len(course_lessons))
            when = start + datetime.timedelta(seconds=rng.random() * span * 0.9)
            finished = when + datetime.timedelta(days=rng.randrange(1, 40))
            finished = min(finished, timezone.now())
            enrollments.append(
                Enrollment(
                    user=user,
                    course=course,
                    enrolled_at=when,
                    last_activity_at=finished,
                    completed_at=finished if done == len(course_lessons) else None,
                    last_lesson=course_lessons[max(done - 1, 0)] if done else None,
                )
            )
            completions += [
                LessonCompletion(user=user, lesson=lesson, completed_at=finished)
                for lesson in course_lessons[:done]
            ]
    if municipality.code == CITY_CODE:
        enrollments += _demo_learner_progress(courses, lessons, completions)
    Enrollment.objects.bulk_create(enrollments)
    LessonCompletion.objects.bulk_create(completions)
    return len(enrollments)


def _demo_learner_progress(courses, lessons, completions) -> list[Enrollment]:
    """demo-learner: finished the first two courses, halfway through data, just started generative AI."""
    user = get_user_model().objects.filter(username="demo-learner").first()
    if user is None:
        return []
    plan = {0: None, 1: None, 2: 2, 4: 1}  # course position -> lessons done (None: all)
    when = timezone.now() - datetime.timedelta(days=60)
    result = []
    for position, done in plan.items():
        course = courses[position]
        course_lessons = lessons[course.pk]
        count = len(course_lessons) if done is None else done
        when += datetime.timedelta(days=9)
        completions += [
            LessonCompletion(user=user, lesson=lesson, completed_at=when) for lesson in course_lessons[:count]
        ]
        result.append(
            Enrollment(
                user=user,
                course=course,
                enrolled_at=when - datetime.timedelta(days=5),
                last_activity_at=when,
                completed_at=when if count == len(course_lessons) else None,
                last_lesson=course_lessons[count - 1] if count else None,
            )
        )
    return result

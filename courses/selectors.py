"""Reads for the curriculum and the learner's path. Each function runs a fixed number of queries."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from wagtail.models import Page, Site

from courses import hooks, navigation, profile
from courses.competencies.models import CompetencyArea, CompetencyFramework
from courses.competencies.selectors import competencies_of, framework_current, mappings_to
from courses.models import (
    Audience,
    CourseCompetency,
    CoursePage,
    CurriculumIndexPage,
    Delivery,
    Enrollment,
    LessonCompletion,
    LessonPage,
)
from lms_site.organisation.api import municipalities_of, offered_in
from lms_site.shared_memo import memoized_shared


@dataclass
class CourseProgress:
    course: CoursePage
    enrollment: Enrollment | None
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def completed(self) -> bool:
        return bool(self.enrollment and self.enrollment.completed_at)


def _with_targets(courses):
    return courses.prefetch_related(
        Prefetch(
            "competency_targets",
            queryset=CourseCompetency.objects.select_related("competency__area").order_by("competency__code"),
        )
    )


def _parent_path(page_path: str) -> str:
    return page_path[: -CoursePage.steplen]


def _lesson_counts(course_paths: list[str]) -> dict[str, int]:
    """Live lessons per course path: from the curriculum cache, else in one query."""
    if not course_paths:
        return {}
    cached = navigation.live_lesson_counts()
    if cached is not None:
        return {path: cached[path] for path in course_paths if path in cached}
    query = Q()
    for path in course_paths:
        query |= Q(path__startswith=path)
    return navigation.lessons_per_course(
        LessonPage.objects.live().filter(query).values_list("path", flat=True)
    )


def _done_counts(*, user, course_paths: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    if not user.is_authenticated or not course_paths:
        return counts
    for path in LessonCompletion.objects.filter(user=user, lesson__live=True).values_list(
        "lesson__path", flat=True
    ):
        parent = _parent_path(path)
        counts[parent] = counts.get(parent, 0) + 1
    return counts


def course_progress(
    *, user, courses: list[CoursePage], enrollments: list[Enrollment] | None = None
) -> dict[int, CourseProgress]:
    """Lessons done of lessons live per course; ``enrollments``: the user's, when the caller has them."""
    paths = [c.path for c in courses]
    totals = _lesson_counts(paths)
    done = _done_counts(user=user, course_paths=paths)
    if enrollments is None and user.is_authenticated:
        enrollments = Enrollment.objects.filter(user=user, course__in=courses).select_related("last_lesson")
    by_course = {e.course_id: e for e in enrollments or ()}
    return {
        c.pk: CourseProgress(
            course=c, enrollment=by_course.get(c.pk), done=done.get(c.path, 0), total=totals.get(c.path, 0)
        )
        for c in courses
    }


@dataclass(frozen=True)
class OfferedTarget:
    """A live course offered to the reader, and one competency it raises (to ``level``)."""

    course_id: int
    title: str
    hours: Decimal
    url_path: str
    path: str
    code: str
    level: int

    def url(self, request=None) -> str:
        """The course's address, as ``{% pageurl %}`` gives it, without reading the page."""
        return _page_url(self.course_id, self.path, self.url_path, request) or ""


def offered_targets(*, user, framework: CompetencyFramework) -> list[OfferedTarget]:
    """The competency targets in ``framework`` of every live course offered to ``user``, in catalogue
    order (the course's place in the tree). The same for everyone acting in the same municipalities: read
    once per page view, and kept in the shared cache while no page, competency or framework changes
    (``navigation.VERSION``, ADR 0009)."""
    ids = municipalities_of(user)
    scope = "all" if ids is None else ",".join(str(i) for i in sorted(ids))
    key = f"curriculum:offered-targets:{framework.pk}:{scope}"

    def read() -> list[OfferedTarget]:
        rows = (
            CourseCompetency.objects.filter(
                offered_in(ids, prefix="course__") if ids is not None else Q(),
                course__live=True,
                competency__framework=framework,
            )
            .order_by("course__path", "competency__code")
            .values_list(
                "course_id",
                "course__title",
                "course__estimated_hours",
                "course__url_path",
                "course__path",
                "competency__code",
                "level",
            )
        )
        return [OfferedTarget(*row) for row in rows]

    return memoized_shared(key, lambda: navigation.cached(key, read))


def offered(user, *, prefix: str = "") -> Q:
    """The courses (and lessons) offered to ``user`` (ADR 0024): the shared ones, their municipality's own
    and their prefecture's; every one platform-wide; only the shared ones to anyone acting nowhere (an
    anonymous visitor). ``prefix`` reaches the page through a relation (``"course__"``)."""
    ids = municipalities_of(user)
    return Q() if ids is None else offered_in(ids, prefix=prefix)


def catalogue_index(request) -> CurriculumIndexPage | None:
    """The course catalogue to send a visitor to: the one of the site they are on (a municipality's own
    site has its own), else the first published one."""
    site = Site.find_for_request(request)
    indexes = CurriculumIndexPage.objects.live().order_by("path")
    if site is not None:
        index = indexes.descendant_of(site.root_page).first()
        if index is not None:
            return index
    return indexes.first()


FILTER_PARAMS = ("q", "area", "audience", "delivery")


def _courses_matching(*, text: str) -> list[int]:
    """Courses whose own text or any of whose lessons' text matches (Wagtail search; the caller keeps
    only the courses offered to the reader)."""
    course_ids = [page.pk for page in CoursePage.objects.live().search(text)]
    lesson_paths = [page.path for page in LessonPage.objects.live().search(text)]
    parents = {_parent_path(path) for path in lesson_paths}
    if parents:
        course_ids += CoursePage.objects.filter(path__in=parents).values_list("pk", flat=True)
    return course_ids


def course_catalogue(*, index: CurriculumIndexPage, params: Mapping[str, str], user) -> dict:
    """The filtered course list for /courses/ (filters come from the URL, so views can be bookmarked):
    every published course offered to ``user``, whichever site's catalogue ``index`` is (the shared
    courses and those of the reader's municipality and prefecture, never another municipality's)."""
    filters = {key: (params.get(key) or "").strip()[:100] for key in FILTER_PARAMS}
    courses = CoursePage.objects.live().filter(offered(user))
    if filters["audience"] in Audience.values:
        courses = courses.filter(audience=filters["audience"])
    else:
        filters["audience"] = ""
    if filters["delivery"] in Delivery.values:
        courses = courses.filter(delivery=filters["delivery"])
    else:
        filters["delivery"] = ""
    if filters["area"]:
        courses = courses.filter(competency_targets__competency__area__code=filters["area"]).distinct()
    if filters["q"]:
        courses = courses.filter(pk__in=_courses_matching(text=filters["q"]))
    courses = list(_with_targets(courses.order_by("path")))
    framework = framework_current()
    areas = list(CompetencyArea.objects.filter(framework=framework)) if framework else []
    return {
        "courses": courses,
        "progress": course_progress(user=user, courses=courses),
        "filters": filters,
        "is_filtered": any(filters.values()),
        "areas": areas,
        "audiences": Audience.choices,
        "deliveries": Delivery.choices,
    }


def course_detail(*, course: CoursePage, user) -> dict:
    lessons = list(LessonPage.objects.live().child_of(course).order_by("path"))
    completed_ids = set()
    enrollment = None
    if user.is_authenticated:
        completed_ids = set(
            LessonCompletion.objects.filter(user=user, lesson__in=lessons).values_list("lesson_id", flat=True)
        )
        enrollment = Enrollment.objects.filter(user=user, course=course).select_related("last_lesson").first()
    targets = list(course.competency_targets.select_related("competency__area").order_by("competency__code"))
    alignments = course.reference_alignments.select_related("reference__framework").order_by("sort_order")
    references = [alignment.reference for alignment in alignments]
    mapped = mappings_to(references=[reference.pk for reference in references])
    resume = None
    if enrollment:
        resume = enrollment.last_lesson if enrollment.last_lesson_id else None
        if resume is None or resume.pk in completed_ids:
            resume = next((lesson for lesson in lessons if lesson.pk not in completed_ids), resume)
    return {
        "lessons": lessons,
        "completed_ids": completed_ids,
        "enrollment": enrollment,
        "progress": CourseProgress(
            course=course, enrollment=enrollment, done=len(completed_ids), total=len(lessons)
        ),
        "targets": targets,
        "alignments": [(reference, mapped[reference.pk]) for reference in references],
        "prerequisites": list(course.prerequisites.live().filter(offered(user)).order_by("path")),
        "resume_lesson": resume,
    }


def _enrollment_visit(*, user_id: int, course_id: int, lesson_id: int) -> tuple | None:
    """(last lesson id, last activity, whether this lesson is done) of the learner's enrolment, or None.

    Every lesson view asks this, so it is written out: the ORM spends three times the query's own round
    trip building it (measured: 1.2 ms against 0.3 ms)."""
    enrollment, completion = Enrollment._meta.db_table, LessonCompletion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.last_lesson_id, e.last_activity_at, EXISTS("  # noqa: S608 - table names from _meta
            f"SELECT 1 FROM {completion} c WHERE c.user_id = %s AND c.lesson_id = %s) "
            f"FROM {enrollment} e WHERE e.user_id = %s AND e.course_id = %s",
            [user_id, lesson_id, user_id, course_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    last_lesson_id, last_activity, done = row
    if last_activity is not None and timezone.is_naive(last_activity):  # SQLite stores UTC, naive
        last_activity = timezone.make_aware(last_activity, datetime.UTC)
    return last_lesson_id, last_activity, bool(done)


def lesson_detail(*, lesson: LessonPage, request) -> dict:
    """The lesson's surroundings (cached, the same for every reader) and the reader's own progress."""
    chrome = navigation.lesson_chrome(lesson=lesson, request=request)
    siblings = chrome.lessons
    position = chrome.position_of(lesson.pk) or 0  # 0 also for a draft in preview, not yet among them
    user = request.user
    completed = enrolled = False
    last_visit = None
    if user.is_authenticated:
        row = _enrollment_visit(user_id=user.pk, course_id=chrome.course.id, lesson_id=lesson.pk)
        enrolled = row is not None
        if enrolled:
            last_visit, completed = (row[0], row[1]), row[2]
        else:
            completed = LessonCompletion.objects.filter(user=user, lesson=lesson).exists()
    return {
        "index_link": chrome.index,
        "course_link": chrome.course,
        "lessons": siblings,
        "position": position + 1,
        "previous_lesson": siblings[position - 1] if position > 0 else None,
        "next_lesson": siblings[position + 1] if position + 1 < len(siblings) else None,
        "is_completed": completed,
        "is_enrolled": enrolled,
        "last_visit": last_visit,  # (last lesson id, when) of the enrolment, or None
    }


def _competency_infos(framework: CompetencyFramework) -> list[profile.CompetencyInfo]:
    return [
        profile.CompetencyInfo(code=c.code, name=c.name, area_code=c.area.code, is_core=c.is_core)
        for c in competencies_of(framework=framework)
    ]


@dataclass(frozen=True)
class CourseLink:
    """A course as /me/ lists it: its title and address."""

    id: int
    title: str
    url: str


@dataclass(frozen=True)
class EnrolledCourse:
    """A course the learner is enrolled in, with their progress (``CourseProgress``'s read-out for /me/,
    made from the enrolment's row rather than from the course's and the last lesson's page objects)."""

    course: CourseLink
    done: int
    total: int
    completed_at: datetime.datetime | None
    last_lesson_id: int | None
    resume_url: str | None  # the last lesson's address

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def completed(self) -> bool:
        return bool(self.completed_at)


def _page_url(page_id: int, path: str, url_path: str, request=None) -> str | None:
    """A page's address, as ``{% pageurl %}`` gives it, from its tree path and URL path alone (the same for
    every reader on the request's site: kept across /me/'s views while no page or site changes)."""
    site = Site.find_for_request(request) if request is not None else None
    return memoized_shared(
        ("page_url", url_path, site.pk if site else None),
        lambda: Page(id=page_id, path=path, url_path=url_path).get_url(request),
    )


def enrolled_courses(*, user, request=None) -> list[EnrolledCourse]:
    """The learner's enrolments in live courses, most recently active first (two queries: the enrolments
    with their courses' and last lessons' titles and addresses, the lessons done; the live lessons per
    course from the curriculum cache, else a third)."""
    rows = list(
        Enrollment.objects.filter(user=user, course__live=True).values_list(
            "course_id",
            "course__title",
            "course__path",
            "course__url_path",
            "completed_at",
            "last_lesson_id",
            "last_lesson__path",
            "last_lesson__url_path",
        )
    )
    paths = [row[2] for row in rows]
    totals = _lesson_counts(paths)
    done = _done_counts(user=user, course_paths=paths)
    return [
        EnrolledCourse(
            course=CourseLink(course_id, title, _page_url(course_id, path, url_path, request)),
            done=done.get(path, 0),
            total=totals.get(path, 0),
            completed_at=completed_at,
            last_lesson_id=lesson_id,
            resume_url=_page_url(lesson_id, lesson_path, lesson_url_path, request) if lesson_id else None,
        )
        for course_id, title, path, url_path, completed_at, lesson_id, lesson_path, lesson_url_path in rows
    ]


def learner_overview(*, user, request=None) -> dict:
    """Everything /me/ shows: progress per enrolled course, the competency profile and the gaps."""
    enrolled = enrolled_courses(user=user, request=request)
    framework = framework_current()
    if framework is None:
        return {"course_progress": enrolled, "framework": None}
    competencies = _competency_infos(framework)
    targets = [
        profile.CourseTarget(t.course_id, t.code, t.level)
        for t in offered_targets(user=user, framework=framework)
    ]
    completed_ids = {e.course.id for e in enrolled if e.completed_at}
    levels = hooks.levels_provided(user, framework)
    if levels is None:  # no level table above us: estimate from completed courses
        levels = profile.current_levels(completed=[t for t in targets if t.course_id in completed_ids])
    required = hooks.requirements_provided(framework, user)
    if required is None:  # no programme above us: the draft defaults
        required = profile.leader_requirements(competencies=competencies)
    gaps = profile.gaps(
        competencies=competencies,
        levels=levels,
        required=required,
        targets=targets,
        completed_course_ids=completed_ids,
    )

    def gap_courses() -> list:
        courses_by_id = CoursePage.objects.live().in_bulk({cid for g in gaps for cid in g.course_ids})
        return [(gap, [courses_by_id[cid] for cid in gap.course_ids if cid in courses_by_id]) for gap in gaps]

    return {
        "course_progress": sorted(enrolled, key=lambda p: (p.completed, -p.percent)),
        "framework": framework,
        "competencies": competencies,
        "levels": levels,
        "required": required,
        # read only if shown: /me/ shows an app's path to certification instead, when one is installed
        "gaps": SimpleLazyObject(gap_courses),
        "met": sum(1 for c in competencies if levels.get(c.code, 0) >= required.get(c.code, 0)),
    }


def course_offered_by_slug(*, slug: str, municipality) -> CoursePage | None:
    """The live course with this slug offered to the municipality (a ``Municipality`` or its id; ADR
    0024: shared, its prefecture's or its own; never another municipality's own). Slugs are unique only
    beside each other, so a copy may share one with the course it was copied from: the most specific is
    taken, own before prefecture's before shared, as for certification programmes. One query."""
    from lms_site.organisation.api import offered_to

    own = getattr(municipality, "pk", municipality)
    found = CoursePage.objects.live().filter(offered_to(own), slug=slug)
    return min(
        found,
        key=lambda c: (c.municipality_id is None, c.municipality_id != own, c.path),
        default=None,
    )

"""Where a lesson sits: found from its address in one query, and its surroundings cached per curriculum.

Every lesson page shows the same things around its body to every reader: the breadcrumb (course index,
course), "lesson 3 of 7" and the previous and next lessons. ``lesson_chrome`` reads them in one query and
keeps them in the shared cache per course and site until any page changes: every save, deletion, move,
publication or unpublication of a page replaces a curriculum-wide version token (at once and again on
commit), so a cached entry under an older token is never used. Only with a shared cache
(``CURRICULUM_CACHE_SECONDS`` is 0 without Redis): a per-process cache would miss other processes' edits.

``lesson_route`` serves ``<index>/<course>/<lesson>/`` under the home page with one query (the lesson by
its URL path) instead of Wagtail's two per level; the home page asks it first (``route_from_home`` hook).
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from courses.models import LessonPage
from lms_site.cache import VersionToken
from lms_site.shared_memo import memoized_shared

VERSION = VersionToken("curriculum:version")
T = TypeVar("T")


@dataclass(frozen=True)
class PageLink:
    id: int
    title: str
    url: str


@dataclass(frozen=True)
class LessonChrome:
    index: PageLink
    course: PageLink
    lessons: tuple[PageLink, ...]  # the course's live lessons, in order

    def position_of(self, lesson_id: int) -> int | None:
        """The lesson's index in ``lessons``, or None if it is not one of them."""
        return next((i for i, link in enumerate(self.lessons) if link.id == lesson_id), None)


def lesson_route(*, home: Page, request, path_components: list[str]):
    """The lesson at ``home/<index>/<course>/<lesson>/`` (Wagtail's ``RouteResult``), or None for any other
    address (then Wagtail routes it). The page Wagtail's routing finds, with the same 404 if unpublished."""
    if len(path_components) != 3:
        return None
    url_path = f"{home.url_path}{'/'.join(path_components)}/"
    try:
        lesson = LessonPage.objects.get(slug=path_components[-1], url_path=url_path)  # unique: one tree
    except LessonPage.DoesNotExist:
        return None
    return lesson.route(request, [])


def _build(*, lesson: LessonPage, request) -> LessonChrome:
    course_path = lesson.course_path
    index_path = course_path[: -Page.steplen]
    rows = list(
        Page.objects.filter(
            Q(path__in=[index_path, course_path])
            | Q(path__startswith=course_path, depth=lesson.depth, live=True)
        )
        .order_by("path")
        .only("id", "title", "url_path", "path", "depth")
    )

    def link(page: Page) -> PageLink:
        return PageLink(id=page.pk, title=page.title, url=page.get_url(request))

    index, course, *lessons = rows
    return LessonChrome(index=link(index), course=link(course), lessons=tuple(link(page) for page in lessons))


def lesson_chrome(*, lesson: LessonPage, request) -> LessonChrome:
    """The lesson's breadcrumb and siblings: from the cache when current, else one query (and cached)."""
    seconds = getattr(settings, "CURRICULUM_CACHE_SECONDS", 0)
    if not seconds:
        return _build(lesson=lesson, request=request)
    site = Site.find_for_request(request)
    key = f"curriculum:lesson-chrome:{site.pk if site else 0}:{lesson.course_path}"
    token, chrome = VERSION.read(key)
    if chrome is not None and chrome.position_of(lesson.pk) is not None:
        return chrome
    chrome = _build(lesson=lesson, request=request)
    VERSION.write(key, token, chrome, timeout=seconds)
    return chrome


def cached(key: str, read: Callable[[], T]) -> T:
    """``read()`` (the same for every reader), kept in the shared cache at ``key`` until any page,
    competency or framework changes; read every time without a shared cache."""
    seconds = getattr(settings, "CURRICULUM_CACHE_SECONDS", 0)
    if not seconds:
        return read()
    token, value = VERSION.read(key)
    if value is None:
        value = read()
        VERSION.write(key, token, value, timeout=seconds)
    return value


def live_lesson_counts() -> dict[str, int] | None:
    """Live lessons per course path, for every course (the same for every reader): from the shared cache
    while no page has changed. None without a shared cache: the caller then counts only the courses it
    shows (one query)."""
    if not getattr(settings, "CURRICULUM_CACHE_SECONDS", 0):
        return None
    key = "curriculum:lesson-counts"
    return memoized_shared(key, lambda: cached(key, _lesson_counts_read))


def _lesson_counts_read() -> dict[str, int]:
    return lessons_per_course(LessonPage.objects.live().values_list("path", flat=True))


def lessons_per_course(lesson_paths) -> dict[str, int]:
    """How many of these lessons (their tree paths) each course (its path) has."""
    return dict(Counter(path[: -Page.steplen] for path in lesson_paths))


def curriculum_changed() -> None:
    """Make every cached lesson chrome stale (also a shell helper after raw SQL on pages)."""
    VERSION.replace()


def _on_change(sender=None, instance=None, **kwargs) -> None:
    if instance is not None and not isinstance(instance, Page):
        return
    VERSION.replace_now_and_on_commit()


def _on_reference_change(sender=None, **kwargs) -> None:
    VERSION.replace_now_and_on_commit()


def connect_signals() -> None:
    """Called from the app's ready(): any change to any page's row or place in the tree, and to what the
    cached course targets are read through (a course's competencies outside a page save, the framework and
    its competencies, a municipality's prefecture)."""
    from courses.competencies.models import Competency, CompetencyFramework
    from courses.models import CourseCompetency
    from lms_site.organisation.api import Municipality

    for model in (CourseCompetency, Competency, CompetencyFramework, Municipality):
        for name, signal in (("saved", post_save), ("deleted", post_delete)):
            uid = f"curriculum-cache-{model._meta.label_lower}-{name}"
            signal.connect(_on_reference_change, sender=model, dispatch_uid=uid)
    signals = {
        "saved": post_save,
        "deleted": post_delete,
        "published": page_published,
        "unpublished": page_unpublished,
        "moved": post_page_move,
    }
    for name, signal in signals.items():
        signal.connect(_on_change, dispatch_uid=f"curriculum-cache-{name}")

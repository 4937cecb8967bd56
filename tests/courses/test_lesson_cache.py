"""Serving a lesson cheaply: the home page routes ``<index>/<course>/<lesson>/`` in one query, to the same
page Wagtail's own routing finds, with the same 404s; the breadcrumb and pager come from one query, or from
the cache until any page changes."""

import pytest
from django.test import RequestFactory
from wagtail.models import Page

from courses.models import CoursePage, LessonPage
from lms_site.home.models import HomePage
from tests.assessments.conftest import questions, quiz  # noqa: F401 - fixtures
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def wagtail_route(page, components):
    return Page.route(page, RequestFactory().get("/"), components)


def test_every_lesson_is_routed_to_the_page_wagtails_routing_finds(curriculum):
    home = HomePage.objects.get()
    lessons = LessonPage.objects.live().descendant_of(curriculum["index"])
    assert lessons.count() == 7
    for lesson in lessons:
        components = ["courses", lesson.get_parent().slug, lesson.slug]
        ours = home.route(RequestFactory().get(lesson.url), components)
        assert ours.page.pk == lesson.pk == wagtail_route(home, components).page.pk
        assert type(ours.page) is LessonPage


def test_a_lesson_is_routed_from_the_home_page_in_one_query(curriculum, django_assert_num_queries):
    home = HomePage.objects.get()
    request = RequestFactory().get("/")
    with django_assert_num_queries(6):  # Wagtail: each level's child, then its specific page
        wagtail_route(home, ["courses", "dx-basics", "lesson-1"])
    with django_assert_num_queries(1):
        lesson = home.route(request, ["courses", "dx-basics", "lesson-1"]).page
    assert type(lesson) is LessonPage and lesson.url_path.endswith("/courses/dx-basics/lesson-1/")


def test_serving_a_lesson_to_an_enrolled_learner_stays_within_its_query_budget(
    client, curriculum, django_assert_max_num_queries
):
    from courses.services import enrollment_create

    learner = UserFactory()
    enrollment_create(user=learner, course=curriculum["basics"])
    client.force_login(learner)
    client.get("/courses/dx-basics/lesson-1/")  # warm the site-root cache, and record the visit
    # site and home page, the lesson (route: 3), view restrictions (2), session, user, breadcrumb and
    # pager (1), enrolment with its last visit and completion, permissions (2): 11, down from 20 (Wagtail's
    # routing took 6, the course, its parent and the siblings one each, enrolment, completion and the
    # visit three). With Redis, the session, the permissions and the breadcrumb come from the cache: 7.
    with django_assert_max_num_queries(11):
        response = client.get("/courses/dx-basics/lesson-1/")
    assert response.status_code == 200
    assert response.context["is_enrolled"] and not response.context["is_completed"]


@pytest.fixture
def chrome_cached(settings):
    """The lesson chrome cache switched on, in a cache of this test's own."""
    from django.core.cache import cache

    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    settings.CURRICULUM_CACHE_SECONDS = 600
    cache.clear()


def pager(client, url):
    response = client.get(url)
    assert response.status_code == 200
    context = response.context
    prev, following = context["previous_lesson"], context["next_lesson"]
    return {
        "breadcrumb": (context["index_link"].title, context["course_link"].title),
        "position": (context["position"], len(context["lessons"])),
        "previous": prev.title if prev else None,
        "next": (following.title, following.url) if following else None,
    }


def test_the_breadcrumb_and_pager_show_the_course_and_its_neighbours(client, curriculum, chrome_cached):
    client.force_login(UserFactory())
    page = client.get("/courses/data-intro/lesson-2/").content.decode()
    assert 'href="/courses/"' in page and 'href="/courses/data-intro/"' in page
    assert 'rel="prev" href="/courses/data-intro/lesson-1/"' in page
    assert 'rel="next" href="/courses/data-intro/lesson-3/"' in page
    assert pager(client, "/courses/data-intro/lesson-2/") == {
        "breadcrumb": ("研修コース", "データ活用入門"),
        "position": (2, 3),
        "previous": "データ活用入門 第1回",
        "next": ("データ活用入門 第3回", "/courses/data-intro/lesson-3/"),
    }


def test_the_cached_pager_is_read_without_a_query_and_follows_every_change_of_the_course(
    client, curriculum, chrome_cached, django_assert_num_queries
):
    from courses import navigation

    client.force_login(UserFactory())
    url = "/courses/data-intro/lesson-1/"
    assert pager(client, url)["position"] == (1, 3)
    lesson = LessonPage.objects.get(url_path="/home/courses/data-intro/lesson-1/")
    request = RequestFactory().get(url)
    with django_assert_num_queries(1):  # the site (once per request); the chrome itself comes from the cache
        navigation.lesson_chrome(lesson=lesson, request=request)

    second = LessonPage.objects.get(url_path="/home/courses/data-intro/lesson-2/")
    second.title = "データ活用入門 第2回(改訂)"
    second.save_revision().publish()
    assert pager(client, url)["next"] == ("データ活用入門 第2回(改訂)", "/courses/data-intro/lesson-2/")

    second.unpublish()
    assert pager(client, url)["next"] == ("データ活用入門 第3回", "/courses/data-intro/lesson-3/")
    assert pager(client, url)["position"] == (1, 2)

    course = CoursePage.objects.get(pk=curriculum["data"].pk)
    course.add_child(
        instance=LessonPage(title="データ活用入門 第4回", slug="lesson-4", body=[("text", "<p>追加</p>")])
    )
    assert pager(client, url)["position"] == (1, 3)

    course.title = "データ活用入門(新版)"
    course.save_revision().publish()
    assert pager(client, url)["breadcrumb"] == ("研修コース", "データ活用入門(新版)")

    third = LessonPage.objects.get(url_path="/home/courses/data-intro/lesson-3/")
    third.move(curriculum["basics"], pos="last-child")
    assert pager(client, url)["next"] == ("データ活用入門 第4回", "/courses/data-intro/lesson-4/")

    LessonPage.objects.get(slug="lesson-4", url_path__contains="/data-intro/").delete()
    assert pager(client, url) == {
        "breadcrumb": ("研修コース", "データ活用入門(新版)"),
        "position": (1, 1),
        "previous": None,
        "next": None,
    }


def test_a_stale_cache_entry_that_lacks_the_lesson_is_rebuilt(client, curriculum, chrome_cached):
    """A lesson published in a way that sends no signal (raw SQL) still finds itself in its pager."""
    from courses import navigation

    client.force_login(UserFactory())
    assert pager(client, "/courses/data-intro/lesson-1/")["position"] == (1, 3)
    hidden = LessonPage.objects.get(url_path="/home/courses/data-intro/lesson-3/")
    Page.objects.filter(pk=hidden.pk).update(live=False)
    navigation.curriculum_changed()
    assert pager(client, "/courses/data-intro/lesson-1/")["position"] == (1, 2)
    Page.objects.filter(pk=hidden.pk).update(live=True)  # no signal: the cached pager lacks lesson 3
    assert pager(client, "/courses/data-intro/lesson-3/")["position"] == (3, 3)


def test_unpublished_missing_and_misplaced_lessons_are_404(client, curriculum):
    client.force_login(UserFactory())
    lesson = LessonPage.objects.get(url_path__endswith="/dx-basics/lesson-2/")
    assert client.get(lesson.url).status_code == 200
    lesson.unpublish()
    assert client.get(lesson.url).status_code == 404
    assert client.get("/courses/dx-basics/no-such-lesson/").status_code == 404
    assert client.get("/courses/data-intro/lesson-2/").status_code == 200
    assert client.get("/courses/no-such-course/lesson-1/").status_code == 404


def test_a_moved_lesson_is_served_at_its_new_address_only(client, curriculum):
    client.force_login(UserFactory())
    lesson = LessonPage.objects.get(url_path__endswith="/dx-basics/lesson-1/")
    old = lesson.url
    lesson.slug = "renamed"
    lesson.save_revision().publish()
    assert client.get(old).status_code == 404
    assert client.get("/courses/dx-basics/renamed/").status_code == 200


def test_the_course_page_and_the_index_are_still_routed_by_wagtail(client, curriculum):
    assert client.get("/courses/").status_code == 200
    assert client.get("/courses/dx-basics/").status_code == 200
    other = HomePage.objects.get().add_child(instance=Page(title="お知らせ", slug="news"))
    deep = other.add_child(instance=Page(title="年度", slug="2026")).add_child(
        instance=Page(title="研修日程", slug="schedule")
    )
    assert client.get("/news/2026/schedule/").context["page"].pk == deep.pk  # three levels, not a lesson


def test_re_reading_a_lesson_writes_the_visit_at_most_every_five_minutes(client, curriculum):
    import datetime

    from courses.models import Enrollment
    from courses.services import VISIT_RESOLUTION, enrollment_create

    learner = UserFactory()
    enrollment = enrollment_create(user=learner, course=curriculum["basics"])
    client.force_login(learner)

    def visit(slug):
        assert client.get(f"/courses/dx-basics/{slug}/").status_code == 200
        return Enrollment.objects.values_list("last_lesson__slug", "last_activity_at").get(pk=enrollment.pk)

    slug, first = visit("lesson-1")
    assert slug == "lesson-1" and first is not None
    assert visit("lesson-1") == ("lesson-1", first)  # the same lesson again, at once: nothing written
    slug, moved = visit("lesson-2")
    assert slug == "lesson-2" and moved >= first  # another lesson: written at once
    earlier = moved - VISIT_RESOLUTION - datetime.timedelta(seconds=1)
    Enrollment.objects.filter(pk=enrollment.pk).update(last_activity_at=earlier)
    assert visit("lesson-2")[1] > earlier  # the same lesson, later: written again


def test_the_lesson_body_is_cached_per_published_version_and_never_in_previews(client, curriculum, settings):
    """The body fragment is shared by every reader until the page is published again."""
    from django.core.cache import cache

    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    cache.clear()
    lesson = LessonPage.objects.get(slug="lesson-1", url_path__contains="/dx-basics/")
    client.force_login(UserFactory())
    url = "/courses/dx-basics/lesson-1/"
    assert "第1回の本文です" in client.get(url).content.decode()

    # Changed in the database without publishing: readers still get the published (cached) body.
    LessonPage.objects.filter(pk=lesson.pk).update(body=[("text", "<p>公開されていない書きかけ</p>")])
    assert "第1回の本文です" in client.get(url).content.decode()

    lesson = LessonPage.objects.get(pk=lesson.pk)
    lesson.body = [("text", "<p>改訂した本文です。</p>")]
    lesson.save_revision().publish()
    page = client.get(url).content.decode()
    assert "改訂した本文です。" in page and "第1回の本文です" not in page


def test_a_quiz_block_in_the_body_is_rendered_per_reader(client, curriculum, quiz, settings):  # noqa: F811
    """An anonymous reader gets the quiz as a link; the next reader, signed in, gets the quiz itself, even
    though the text around it comes from the cache."""
    from django.core.cache import cache

    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    cache.clear()
    lesson = LessonPage.objects.get(slug="lesson-1", url_path__contains="/dx-basics/")
    lesson.body = [
        ("text", "<p>前置きの本文です。</p>"),
        ("quiz", {"quiz": quiz, "intro": "", "inline": True}),
        ("text", "<p>まとめの本文です。</p>"),
    ]
    lesson.save_revision().publish()
    url = "/courses/dx-basics/lesson-1/"

    anonymous = client.get(url).content.decode()
    assert "前置きの本文です。" in anonymous and "dx-quiz-block" not in anonymous
    client.force_login(UserFactory())
    signed_in = client.get(url).content.decode()
    assert "dx-quiz-block" in signed_in  # not the anonymous reader's cached link
    assert "前置きの本文です。" in signed_in and "まとめの本文です。" in signed_in
    segments = LessonPage.objects.get(pk=lesson.pk).body_segments()
    assert [(len(s.blocks), s.cacheable) for s in segments] == [(1, True), (1, False), (1, True)]

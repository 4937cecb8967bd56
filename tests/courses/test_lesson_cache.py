"""Serving a lesson cheaply: the course index routes ``<course>/<lesson>/`` in one query, to the same page
Wagtail's own routing finds, with the same 404s."""

import pytest
from django.test import RequestFactory
from wagtail.models import Page

from courses.models import LessonPage
from tests.assessments.conftest import questions, quiz  # noqa: F401 - fixtures
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def wagtail_route(index, components):
    return Page.route(index, RequestFactory().get("/"), components)


def test_every_lesson_is_routed_to_the_page_wagtails_routing_finds(curriculum):
    index = curriculum["index"]
    lessons = LessonPage.objects.live().descendant_of(index)
    assert lessons.count() == 7
    for lesson in lessons:
        course_slug = lesson.get_parent().slug
        ours = index.route(RequestFactory().get(lesson.url), [course_slug, lesson.slug])
        assert ours.page.pk == lesson.pk == wagtail_route(index, [course_slug, lesson.slug]).page.pk
        assert type(ours.page) is LessonPage


def test_a_lesson_is_routed_in_two_queries_and_keeps_its_course_and_breadcrumb(
    curriculum, django_assert_num_queries
):
    index = curriculum["index"]
    request = RequestFactory().get("/")
    with django_assert_num_queries(4):
        wagtail_route(index, ["dx-basics", "lesson-1"])
    with django_assert_num_queries(2):
        lesson = index.route(request, ["dx-basics", "lesson-1"]).page
    with django_assert_num_queries(0):
        assert lesson.course().slug == "dx-basics"
        assert lesson.course().get_parent().pk == index.pk


def test_serving_a_lesson_to_an_enrolled_learner_stays_within_its_query_budget(
    client, curriculum, django_assert_max_num_queries
):
    from courses.services import enrollment_create

    learner = UserFactory()
    enrollment_create(user=learner, course=curriculum["basics"])
    client.force_login(learner)
    client.get("/courses/dx-basics/lesson-1/")  # warm the site-root cache, and record the visit
    # site, home page and index (route: 3), lesson and course (2), view restrictions (2), session, user,
    # siblings, enrolment with its last visit and completion, permissions (2): 14, down from 20 (Wagtail's
    # routing took 4, lesson.course() and the breadcrumb's get_parent() one each, enrolment, completion and
    # the visit three). With Redis, the session and the permissions come from the cache: 11.
    with django_assert_max_num_queries(14):
        response = client.get("/courses/dx-basics/lesson-1/")
    assert response.status_code == 200
    assert response.context["is_enrolled"] and not response.context["is_completed"]


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

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
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

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
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
    assert [(len(s["blocks"]), s["cacheable"]) for s in segments] == [(1, True), (1, False), (1, True)]

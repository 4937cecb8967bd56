"""/me/ costs the same queries whatever the learner's history: one course or three, a lesson done or every
lesson, other learners' records (issue 18: query counts constant in the data size, pinned here; the
time is measured in ``bench/web``, never in tests)."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses import learner_cache, services
from courses.models import LessonPage
from tests.factories import StaffProfileFactory

pytestmark = pytest.mark.django_db


def lessons_of(course) -> list[LessonPage]:
    return list(LessonPage.objects.child_of(course).order_by("path"))


def me_queries(client) -> int:
    client.get("/me/")  # warm: sessions, permission sets, the shared caches (and /me/'s own content)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/me/").status_code == 200
    return len(captured.captured_queries)


@pytest.fixture(params=["content cached", "content rendered"])
def learner_cache_on(request, settings) -> bool:
    """/me/ with its content from the learner cache (where there is one: PostgreSQL and a shared cache),
    and rendered on every view (the first view after a change, and every view without that cache)."""
    if request.param == "content rendered":
        settings.LEARNER_CACHE_SECONDS = 0
    elif not learner_cache.enabled():
        pytest.skip("no learner cache without PostgreSQL and a shared cache")
    return learner_cache.enabled()


def test_me_costs_the_same_queries_for_a_short_or_a_long_history(
    client, curriculum, django_capture_on_commit_callbacks, learner_cache_on
):
    learner = StaffProfileFactory(user__username="learner").user
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=True):
        services.lesson_complete(user=learner, lesson=lessons_of(curriculum["basics"])[0])
    small = me_queries(client)
    # pinned: with a shared cache, the session, the permission sets and the curriculum read the same for
    # everyone (live lessons per course, the offered courses' competencies) come from it; with the
    # learner cache, the content is one query of its rows' versions (the user, the site and the unread
    # count are the page's around it)
    if learner_cache_on:
        assert small == 4
    else:
        # (the dues section takes the learner's staff record loaded with the user: no query of its own)
        assert small == (11 if settings.CURRICULUM_CACHE_SECONDS else 16)

    # Other learners' records, however many, cost nothing.
    others = [StaffProfileFactory(user__username=f"other{n}").user for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        for course in ("basics", "data", "practice"):
            for lesson in lessons_of(curriculum[course]):
                for other in others:
                    services.lesson_complete(user=other, lesson=lesson)
    assert me_queries(client) == small

    # Three courses and every lesson of the learner's own: no more (a requirement met skips the
    # suggestions of courses for its gaps, so it may be fewer).
    with django_capture_on_commit_callbacks(execute=True):
        for course in ("basics", "data", "practice"):
            for lesson in lessons_of(curriculum[course]):
                services.lesson_complete(user=learner, lesson=lesson)
    assert me_queries(client) <= small

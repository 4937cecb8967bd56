"""Issue 17, ADR 0023: what the ``lesson_completed`` hook owes, and what it reads (query counts pinned).
The launches come from the independent platform into the Django test client (no score is sent here; the
way to the platform is tests/lti/test_lesson_grades.py)."""

from courses.models import LessonPage
from courses.services import lesson_complete
from lti.models import GradeLink, LtiIdentity, Score
from lti.signals import score_on_lesson_completion
from tests.identity.conftest import hanako  # noqa: F401 - a staff member completing the same lesson
from tests.lti.conftest import launch


def test_the_hook_owes_the_lesson_and_the_course_progress_of_the_learner_and_reads_little(
    client,
    platform,
    city_lms,
    curriculum,
    django_assert_max_num_queries,
    django_assert_num_queries,
    hanako,  # noqa: F811
):
    course = curriculum["data"]
    lessons = list(LessonPage.objects.live().child_of(course).order_by("path"))
    launch(client, platform, "city-tool", sub="hook-c", target=f"course:{course.pk}")
    client.logout()
    launch(client, platform, "city-tool", sub="hook-c", target=f"lesson:{lessons[0].pk}")
    user = LtiIdentity.objects.get().user
    assert GradeLink.objects.filter(user=user).count() == 2

    # another person's completion of the same lesson: one read, nothing owed to anyone
    lesson_complete(user=hanako.user, lesson=lessons[0])
    with django_assert_num_queries(1):
        score_on_lesson_completion(hanako.user.pk, lessons[0].pk, course.pk)
    assert not Score.objects.exists()

    lesson_complete(user=user, lesson=lessons[0])
    # reads: the links, the completion, the enrolment, the course, the counts; two rows owed (get_or_create)
    with django_assert_max_num_queries(13):
        score_on_lesson_completion(user.pk, lessons[0].pk, course.pk)
    owed = {("lesson" if s.link.lesson_id else "course"): s for s in Score.objects.select_related("link")}
    assert (owed["lesson"].score_given, owed["lesson"].score_maximum) == (1, 1)
    assert (owed["course"].score_given, owed["course"].score_maximum) == (1, 3)
    assert owed["course"].activity_progress == "InProgress"
    with django_assert_max_num_queries(7):  # run twice (a retried hook): nothing more owed
        score_on_lesson_completion(user.pk, lessons[0].pk, course.pk)
    assert Score.objects.count() == 2

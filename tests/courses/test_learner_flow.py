"""Enrol, work through lessons, resume, complete; forged posts change nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from courses import services
from courses.models import Enrollment, LessonCompletion, LessonPage
from tests.factories import StaffProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner():
    return StaffProfileFactory(user__username="learner").user  # evidence is a staff member's


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


def lessons_of(course) -> list[LessonPage]:
    return list(LessonPage.objects.child_of(course).order_by("path"))


def test_enrol_is_a_post_and_counts_once(learner_client, learner, curriculum):
    url = reverse("courses:enrol", args=[curriculum["basics"].pk])
    assert learner_client.get(url).status_code == 405
    learner_client.post(url)
    learner_client.post(url)
    assert Enrollment.objects.filter(user=learner).count() == 1


def test_anonymous_cannot_enrol(client, curriculum):
    response = client.post(reverse("courses:enrol", args=[curriculum["basics"].pk]))
    assert response.status_code == 302 and "/login/" in response.url
    assert not Enrollment.objects.exists()


def test_forged_posts_change_nothing(learner, curriculum):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(learner)
    lesson = lessons_of(curriculum["basics"])[0]
    assert csrf_client.post(reverse("courses:complete_lesson", args=[lesson.pk])).status_code == 403

    client = Client()
    client.force_login(learner)
    assert client.post(reverse("courses:complete_lesson", args=[999999])).status_code == 404
    lesson.unpublish()
    assert client.post(reverse("courses:complete_lesson", args=[lesson.pk])).status_code == 404
    assert client.post(reverse("courses:enrol", args=[curriculum["index"].pk])).status_code == 404
    response = client.post(
        reverse("courses:enrol", args=[curriculum["data"].pk]), {"next": "https://evil.example/"}
    )
    assert response.url == curriculum["data"].url
    assert not LessonCompletion.objects.exists()


def test_completing_every_lesson_completes_the_course_and_calls_hooks(
    learner_client, learner, curriculum, django_capture_on_commit_callbacks
):
    calls = []
    services.course_completed_hooks.append(lambda user_id, course_id: calls.append((user_id, course_id)))
    try:
        first, second = lessons_of(curriculum["basics"])
        with django_capture_on_commit_callbacks(execute=True):
            learner_client.post(reverse("courses:complete_lesson", args=[first.pk]))
        enrollment = Enrollment.objects.get(user=learner)
        assert enrollment.completed_at is None and calls == []

        with django_capture_on_commit_callbacks(execute=True):
            learner_client.post(reverse("courses:complete_lesson", args=[second.pk]))
            learner_client.post(reverse("courses:complete_lesson", args=[second.pk]))  # double click
        enrollment.refresh_from_db()
        assert enrollment.completed_at is not None
        assert calls == [(learner.pk, curriculum["basics"].pk)]
        assert LessonCompletion.objects.filter(user=learner).count() == 2
    finally:
        services.course_completed_hooks.pop()


def test_course_page_resumes_where_the_learner_left_off(learner_client, learner, curriculum):
    course = curriculum["data"]
    first, second, _third = lessons_of(course)
    learner_client.post(reverse("courses:enrol", args=[course.pk]))
    learner_client.post(reverse("courses:complete_lesson", args=[first.pk]))
    learner_client.get(second.url)  # opened, not finished

    response = learner_client.get(course.url)
    assert response.context["resume_lesson"].pk == second.pk
    assert "続きから学習する: データ活用入門 第2回" in response.content.decode()
    assert response.context["progress"].done == 1 and response.context["progress"].total == 3


def test_my_learning_shows_progress_profile_and_gaps(
    learner_client, learner, curriculum, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    # Completing a course records evidence and recomputes the level table on commit, as in production.
    with django_capture_on_commit_callbacks(execute=True):
        for lesson in lessons_of(curriculum["basics"]):
            services.lesson_complete(user=learner, lesson=lesson)
        services.lesson_complete(user=learner, lesson=lessons_of(curriculum["data"])[0])

    with django_assert_max_num_queries(16 + 12) as queries:  # + the certification path section
        response = learner_client.get("/me/")
    # The profile and the certification path share one read of the framework, its competencies, the
    # programme and the enrolments.
    # (the learner cache's one query of the rows' versions aside: it names every table /me/ reads)
    sql = [query["sql"] for query in queries.captured_queries if "hashtextextended" not in query["sql"]]
    for table in (
        "competencies_competencyframework",
        "competencies_competency",
        "certification_certificationprogram",
    ):
        assert sum(f'FROM "{table}"' in q for q in sql) == 1, table
    assert sum(q.startswith('SELECT "courses_enrollment"."course_id"') for q in sql) == 1  # as rows

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["levels"] == {"A1": 2, "A2": 2}
    assert "1 / 3 レッスン完了" in html and "修了" in html
    gaps = {gap.competency.code: [c.title for c in courses] for gap, courses in response.context["gaps"]}
    # No course raises A2 from Lv2 to Lv3: course evidence counts up to Lv2 whatever the delivery (OJT
    # included), as in the level table; Lv3 needs practice evidence. C1 is raised to Lv2 by both.
    assert gaps == {
        "A2": [],
        "C1": ["データ活用入門", "DX推進リーダー実践"],
        "C2": ["データ活用入門"],
    }
    assert "レベル3以上には、業務での実践(修了課題・OJT)の実績が必要です。" in html
    assert "profile-chart-data" in html and "plotly/plotly.min.js" in html
    assert "<caption>" in html  # the table alternative to the chart


def test_my_learning_needs_login(client):
    assert client.get("/me/").status_code == 302

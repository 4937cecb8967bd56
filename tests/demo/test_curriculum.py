"""The demo curriculum: 8+ courses covering all 6 areas, each lesson a real Japanese page."""

import re

import pytest
from django.test import RequestFactory

from courses.models import CoursePage, Enrollment, LessonPage

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_demo_has_eight_courses_covering_every_area(demo, client):
    response = client.get("/courses/")
    courses = response.context["courses"]
    assert len(courses) >= 8
    areas = {t.competency.area.code for course in courses for t in course.competency_targets.all()}
    assert areas == {"A", "B", "C", "D", "E", "F"}
    for course in courses:
        assert LessonPage.objects.live().child_of(course).count() >= 3, course.title


def test_every_demo_lesson_serves_japanese_text(demo, client):
    lessons = LessonPage.objects.live()
    assert lessons.count() >= 24
    for lesson in lessons:
        response = client.get(lesson.url)
        assert response.status_code == 200, lesson.url
        text = re.sub(r"<[^>]+>", "", response.content.decode())
        assert len(JAPANESE.findall(text)) > 600, lesson.url


def test_demo_learners_have_varied_progress(demo):
    finished = Enrollment.objects.filter(completed_at__isnull=False).count()
    unfinished = Enrollment.objects.filter(completed_at__isnull=True).count()
    assert finished > 100 and unfinished > 50
    assert Enrollment.objects.values("course").distinct().count() == CoursePage.objects.count()


def test_demo_learner_sees_progress_and_gap_on_my_learning(demo, client):
    # the sign-in limit (django-axes) needs the request that signs in
    assert client.login(request=RequestFactory().post("/login/"), username="demo-learner", password="demo")
    response = client.get("/me/")
    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["course_progress"]) >= 3
    assert any(p.completed for p in response.context["course_progress"])
    assert any(0 < p.percent < 100 for p in response.context["course_progress"])
    assert response.context["gaps"], "a demo learner is not yet a DX推進リーダー"
    assert "DX推進リーダーへの道のり" in html  # the certification path replaces the course-only gaps

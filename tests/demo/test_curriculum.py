"""The demo curriculum: 8+ courses covering all 6 areas, each lesson a real Japanese page; a reference
framework (after DXリテラシー標準) our competencies are mapped to, and courses aligned to its items."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from courses.competencies.demo import reference_framework
from courses.competencies.models import CompetencyFramework, CompetencyMapping
from courses.models import CoursePage, CourseReferenceAlignment, Enrollment, LessonPage

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


def test_demo_has_the_reference_framework_never_current(demo):
    reference = reference_framework()
    assert reference is not None
    assert reference.title == "DXリテラシー標準(デモ用の抜粋)"
    assert reference.is_reference and not reference.is_current
    assert CompetencyFramework.objects.filter(is_current=True).get().is_reference is False
    assert set(reference.areas.values_list("code", flat=True)) == {"DSL.M", "DSL.W", "DSL.WT", "DSL.H"}
    assert reference.competencies.count() >= 12
    assert reference.competencies.filter(code="DSL.WT1.2", name="データを読む・説明する").exists()


def test_our_current_framework_is_mapped_to_the_reference_items(demo):
    mappings = CompetencyMapping.objects.filter(reference__framework=reference_framework())
    assert mappings.count() >= 12
    assert not mappings.exclude(competency__framework__is_current=True).exists()
    assert mappings.filter(competency__code="C1", reference__code="DSL.WT1.2").exists()
    assert len(set(mappings.values_list("relation", flat=True))) == 3


def test_aligned_demo_course_page_shows_the_item_and_our_mapped_competency(demo, client):
    alignments = CourseReferenceAlignment.objects.filter(reference__framework=reference_framework())
    assert alignments.values("course").distinct().count() >= 3
    course = CoursePage.objects.get(slug="data-utilization-basics")
    assert course.reference_alignments.filter(reference__code="DSL.WT1.2").exists()
    client.force_login(get_user_model().objects.get(username="demo-learner"))
    response = client.get(course.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "外部の能力基準との対応" in html
    assert "DSL.WT1.2" in html and "データを読む・説明する" in html
    c1 = CompetencyMapping.objects.get(competency__code="C1", reference__code="DSL.WT1.2").competency
    assert f"C1 {c1.name}(同じ能力(exactMatchOf))" in html  # our competency mapped to DSL.WT1.2

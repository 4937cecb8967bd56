"""A small framework and curriculum for the course tests (the demo loads the real ones)."""

import pytest
from wagtail.models import Page

from courses.competencies.models import Competency, CompetencyArea, CompetencyFramework, ProficiencyLevel
from courses.curriculum_setup import curriculum_permissions_setup
from courses.models import CourseCompetency, CoursePage, CurriculumIndexPage, LessonPage
from lms_site.home.services import site_root_ensure


@pytest.fixture
def framework(db):
    framework = CompetencyFramework.objects.create(title="テスト枠組み", version="1.0", is_current=True)
    for level, name in enumerate(["知る", "使う", "実践する", "牽引する", "変革する"], start=1):
        ProficiencyLevel.objects.create(framework=framework, level=level, name=name, descriptor=name)
    mind = CompetencyArea.objects.create(framework=framework, code="A", name="変革マインド", sort_order=1)
    data = CompetencyArea.objects.create(framework=framework, code="C", name="データ活用", sort_order=2)
    for area, code, name, core in [
        (mind, "A1", "行政DXの理解", False),
        (mind, "A2", "住民中心", True),
        (data, "C1", "データリテラシー", True),
        (data, "C2", "データ分析", False),
    ]:
        Competency.objects.create(framework=framework, area=area, code=code, name=name, is_core=core)
    return framework


def lesson(course: CoursePage, slug: str, title: str, text: str) -> LessonPage:
    page = LessonPage(
        title=title,
        slug=slug,
        estimated_minutes=10,
        body=[
            ("heading", "はじめに"),
            ("text", f"<p>{text}</p>"),
            (
                "callout",
                {"kind": "caution", "title": "個人情報", "body": "<p>住民の個人情報は持ち出さない。</p>"},
            ),
            (
                "glossary",
                {"term": "EBPM", "reading": "いーびーぴーえむ", "definition": "証拠に基づく政策立案。"},
            ),
            (
                "self_check",
                {"question": "オープンデータとは?", "answer": "誰でも二次利用できる形で公開されたデータ。"},
            ),
        ],
    )
    course.add_child(instance=page)
    page.save_revision().publish()
    return page


def course(index, framework, *, slug, title, audience, delivery, targets, lessons=2) -> CoursePage:
    page = CoursePage(
        title=title,
        slug=slug,
        summary=f"{title}の概要",
        audience=audience,
        delivery=delivery,
        estimated_hours=2,
    )
    page.competency_targets = [
        CourseCompetency(competency=framework.competencies.get(code=code), level=level)
        for code, level in targets
    ]
    index.add_child(instance=page)
    page.save_revision().publish()
    for n in range(1, lessons + 1):
        lesson(page, f"lesson-{n}", f"{title} 第{n}回", f"{title}の第{n}回の本文です。")
    return page


@pytest.fixture
def curriculum(framework):
    # A test with transaction=True that ran before flushed the tables the migrations had filled: the
    # home page and the site are created again if they are missing.
    home = site_root_ensure()
    index = home.add_child(instance=CurriculumIndexPage(title="研修コース", slug="courses"))
    index.save_revision().publish()
    curriculum_permissions_setup(index=index)
    basics = course(
        index,
        framework,
        slug="dx-basics",
        title="DXリテラシー基礎",
        audience="all_staff",
        delivery="elearning",
        targets=[("A1", 2), ("A2", 2)],
    )
    data = course(
        index,
        framework,
        slug="data-intro",
        title="データ活用入門",
        audience="all_staff",
        delivery="elearning",
        targets=[("C1", 2), ("C2", 2)],
        lessons=3,
    )
    practice = course(
        index,
        framework,
        slug="leader-practice",
        title="DX推進リーダー実践",
        audience="leader_candidates",
        delivery="ojt",
        targets=[("A2", 3), ("C1", 3)],
    )
    return {
        "index": index,
        "basics": basics,
        "data": data,
        "practice": practice,
        "root": Page.objects.get(depth=1),
    }

"""The curriculum pages: index with search and filters, course pages and lesson pages."""

import pytest

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [course.title for course in response.context["courses"]]


def test_index_lists_every_live_course(client, curriculum):
    response = client.get("/courses/")
    assert response.status_code == 200
    assert titles(response) == ["DXリテラシー基礎", "データ活用入門", "DX推進リーダー実践"]
    assert "3 件のコース" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?audience=leader_candidates", ["DX推進リーダー実践"]),
        ("?delivery=ojt", ["DX推進リーダー実践"]),
        ("?area=C", ["データ活用入門", "DX推進リーダー実践"]),
        ("?area=C&audience=all_staff", ["データ活用入門"]),
        ("?q=データ活用入門", ["データ活用入門"]),
        ("?audience=<script>", ["DXリテラシー基礎", "データ活用入門", "DX推進リーダー実践"]),
    ],
)
def test_filters_come_from_the_url(client, curriculum, query, expected):
    assert titles(client.get(f"/courses/{query}")) == expected


def test_search_finds_courses_through_their_lessons_text(client, curriculum):
    response = client.get("/courses/?q=第3回")
    assert titles(response) == ["データ活用入門"]


def test_unpublished_course_is_hidden(client, curriculum):
    curriculum["data"].unpublish()
    assert "データ活用入門" not in titles(client.get("/courses/"))
    assert client.get("/courses/data-intro/").status_code == 404


def test_course_page_shows_lessons_competencies_and_enrol_button(admin_client, curriculum):
    response = admin_client.get("/courses/data-intro/")
    html = response.content.decode()
    assert response.status_code == 200
    assert [lesson.title for lesson in response.context["lessons"]] == [
        "データ活用入門 第1回",
        "データ活用入門 第2回",
        "データ活用入門 第3回",
    ]
    assert "C1 データリテラシー" in html
    assert "このコースを受講する" in html


def test_lesson_page_renders_every_block(client, curriculum):
    response = client.get("/courses/dx-basics/lesson-1/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h2>はじめに</h2>" in html
    assert 'class="callout callout--caution"' in html and "住民の個人情報は持ち出さない" in html
    assert "<dfn>EBPM</dfn>" in html and "いーびーぴーえむ" in html
    assert "<details>" in html and "誰でも二次利用できる" in html
    assert "レッスン 1 / 2" in html


def test_listing_queries_do_not_grow_with_courses(client, curriculum, django_assert_max_num_queries):
    client.get("/courses/")  # warm up site / locale caches
    with django_assert_max_num_queries(14):
        client.get("/courses/")

"""Curriculum in the browser: every course and lesson page passes axe; the learner's path works;
an advisor's edit goes live only after the DX推進課 reviewer approves it."""

import re

import pytest
from wagtail.models import Site, WorkflowState

from courses.models import CoursePage, LessonPage
from tests.browser.conftest import log_in, path_of, serious_violations

pytestmark = pytest.mark.browser


def test_course_and_lesson_pages_are_accessible(page, demo_site):
    page.goto(f"{demo_site.url}/courses/")
    assert serious_violations(page) == []
    platform = Site.objects.get(is_default_site=True)  # paths on it (みどり町 has a site of its own)
    for course in CoursePage.objects.live().order_by("path"):
        page.goto(demo_site.url + course.relative_url(platform))
        assert serious_violations(page) == [], course.url
        for lesson in LessonPage.objects.live().child_of(course).order_by("path"):
            page.goto(demo_site.url + lesson.relative_url(platform))
            assert page.locator("h1").inner_text() == lesson.title
            assert serious_violations(page) == [], lesson.url


def test_learner_filters_enrols_completes_and_sees_my_learning(page, demo_site):
    log_in(page, demo_site.url, "demo-learner")
    page.goto(f"{demo_site.url}/courses/")
    page.get_by_label("形式").select_option("ojt")
    page.get_by_role("button", name="絞り込む").click()
    assert "delivery=ojt" in page.url
    titles = page.locator(".course-card__title").all_inner_texts()
    assert titles and all("実践" in t for t in titles)

    page.get_by_role("link", name=titles[0]).click()
    page.get_by_role("button", name="このコースを受講する").click()
    page.get_by_role("link", name=re.compile("^続きから学習する")).click()
    page.get_by_role("button", name="完了にして次のレッスンへ").click()
    assert "レッスン 2 /" in page.locator(".lesson__position").inner_text()

    page.goto(f"{demo_site.url}/me/")
    page.wait_for_selector("#profile-chart .main-svg")  # plotly drew the chart
    assert page.get_by_role("heading", name="DX推進リーダーへの道のり").is_visible()
    assert serious_violations(page) == []


def test_advisor_edit_is_not_live_until_the_reviewer_approves(browser, demo_site):
    lesson = LessonPage.objects.live().order_by("path").first()
    edit_url = f"{demo_site.url}/admin/pages/{lesson.pk}/edit/"
    new_title = lesson.title + "(改訂版)"

    advisor = browser.new_context(locale="ja-JP").new_page()
    log_in(advisor, demo_site.url, "demo-advisor")
    advisor.goto(edit_url)
    advisor.locator("#id_title").fill(new_title)
    advisor.evaluate("document.querySelector('button[name=\"action-submit\"]').click()")
    advisor.wait_for_load_state("networkidle")
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(lesson.pk))
    assert state.status == "in_progress" and state.workflow.name == "共通教材の承認者による承認"

    visitor = browser.new_context(locale="ja-JP").new_page()
    visitor.goto(demo_site.url + path_of(lesson))
    assert visitor.locator("h1").inner_text() == lesson.title

    reviewer = browser.new_context(locale="ja-JP").new_page()
    log_in(reviewer, demo_site.url, "demo-reviewer")
    reviewer.goto(f"{demo_site.url}/admin/")
    # The dashboard's "awaiting your review" panel: approve without a comment (the action menu's plain item).
    approve = reviewer.locator('button[data-workflow-action-url*="/approve/"]:not([data-launch-modal])')
    with reviewer.expect_navigation():
        approve.evaluate("button => button.click()")
    state.refresh_from_db()
    assert state.status == "approved"

    visitor.goto(demo_site.url + path_of(lesson))
    assert visitor.locator("h1").inner_text() == new_title

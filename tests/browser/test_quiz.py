"""A learner takes a quiz in the browser: from the lesson's quiz block to the result, accessibly."""

import pytest
from playwright.sync_api import expect

from assessments.models import Attempt, Evidence, Quiz
from tests.browser.conftest import log_in, serious_violations

pytestmark = pytest.mark.browser


def test_learner_takes_the_lesson_quiz_and_gets_a_result(page, demo_site):
    log_in(page, demo_site.url, "demo-learner")
    page.goto(f"{demo_site.url}/courses/dx-literacy-basics/")
    page.locator(".lesson-list a").last.click()
    page.get_by_role("link", name="小テストへ進む").click()
    assert serious_violations(page) == []
    page.get_by_role("button", name="受験を始める").click()

    assert page.locator("fieldset.question").count() == 8
    assert serious_violations(page) == []
    # Answer the first question with the keyboard only, then check the autosave told us so.
    first = page.locator("fieldset.question").first
    first.locator("input, select").first.focus()
    page.keyboard.press("Space") if first.locator("input[type=checkbox], input[type=radio]").count() else None
    first.locator("input, select").first.dispatch_event("change")
    expect(page.locator(".save-status").first).not_to_have_text("")  # no eval: the CSP forbids it

    page.get_by_role("button", name="提出して採点する").click()
    assert "の結果" in page.locator("h1").inner_text()
    assert page.get_by_role("status").filter(has_text="得点率").is_visible()
    assert serious_violations(page) == []

    quiz = Quiz.objects.get(title__startswith="確認テスト A")
    attempt = Attempt.objects.get(user__username="demo-learner", quiz=quiz)
    assert attempt.status == "submitted" and attempt.percent is not None
    # Evidence from this attempt only: other browser tests share the demo and pass quizzes of their own.
    assert Evidence.objects.filter(source_key=f"attempt:{attempt.pk}").exists() == attempt.passed


def test_leader_exam_shows_its_time_limit(page, demo_site):
    log_in(page, demo_site.url, "demo-learner")
    quiz = Quiz.objects.get(is_leader_exam=True)
    page.goto(f"{demo_site.url}/quizzes/{quiz.pk}/")
    page.get_by_role("button", name="受験を始める").click()
    assert page.locator("#timer").is_visible()
    assert page.locator("fieldset.question").count() == 24
    assert serious_violations(page) == []


def test_the_xblock_quiz_inside_a_lesson_grades_and_records_an_attempt(page, demo_site):
    log_in(page, demo_site.url, "demo-learner")
    page.goto(f"{demo_site.url}/courses/information-security-policy/security-basics-and-policy/")
    block = page.locator(".site-xblock .dx-quiz-block")
    block.wait_for()
    assert serious_violations(page) == []
    # Answer the first option of every single-choice / true-false question, with the keyboard.
    for group in block.locator("fieldset").all():
        first = group.locator("input[type=radio], input[type=checkbox]").first
        if first.count():
            first.focus()
            page.keyboard.press("Space")
    block.locator("button[type=submit]").click()
    page.locator(".site-xblock .dx-summary").wait_for()
    assert serious_violations(page) == []

    quiz = Quiz.objects.get(title="レッスン確認: 情報セキュリティの基本")
    attempt = Attempt.objects.get(user__username="demo-learner", quiz=quiz)
    assert attempt.status == "submitted" and attempt.percent is not None

"""Each persona's main journey at 200% zoom, and a quiz done with the keyboard alone.

200% zoom is emulated as a viewport half as wide and high (1280×900 at 200% is 640×450 CSS pixels) with
device scale factor 2: every page must reflow without a page-wide horizontal scrollbar (wide tables
scroll inside their own keyboard-reachable container) and pass axe.
"""

import pytest

from assessments.models import Attempt, Quiz
from tests.browser.conftest import log_in, serious_violations

pytestmark = pytest.mark.browser

JOURNEYS = {
    "demo-learner": ["/courses/", "/courses/dx-literacy-basics/", "/me/", "/me/capstone/", "/me/evidence/"],
    "demo-manager": ["/capstones/", "/hr/", "/me/"],
    "demo-hr": ["/hr/", "/hr/targets/", "/hr/talent/", "/hr/certificates/", "/hr/evidence/", "/capstones/"],
    "demo-advisor": ["/capstones/", "/admin/"],
}


@pytest.fixture
def zoomed(browser):
    viewport = {"width": 640, "height": 450}
    context = browser.new_context(locale="ja-JP", viewport=viewport, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0: it reflows)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("username", sorted(JOURNEYS))
def test_each_persona_journey_reflows_at_200_percent_and_passes_axe(zoomed, demo_site, username):
    log_in(zoomed, demo_site.url, username)
    for path in JOURNEYS[username]:
        response = zoomed.goto(f"{demo_site.url}{path}")
        assert response.status == 200, path
        zoomed.wait_for_load_state("networkidle")
        if not path.startswith("/admin/"):  # Wagtail's own admin is Wagtail's to fix
            assert overflow(zoomed) <= 1, f"{path} scrolls sideways at 200% zoom"
            assert serious_violations(zoomed) == [], path
        assert zoomed.locator("main, [role=main]").first.is_visible(), path


def _focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
        const q = e.closest('fieldset.question');
        const fields = q ? [...q.querySelectorAll('input:not([type=hidden]), select, textarea')] : [];
        return {tag: e.tagName, type: e.type || '', name: e.name || '',
                text: (e.innerText || e.value || '').trim(), inQuestion: !!q,
                index: fields.indexOf(e)}; }"""
    )


def test_a_quiz_is_completed_with_the_keyboard_alone(page, demo_site):
    log_in(page, demo_site.url, "demo-learner")
    # not 確認テスト A, which test_quiz takes through the lesson; one demo-learner has not tried yet
    untried = Quiz.objects.filter(live=True, is_leader_exam=False).exclude(title__startswith="確認テスト A")
    quiz = untried.exclude(attempts__user__username="demo-learner").order_by("pk").first()
    page.goto(f"{demo_site.url}/quizzes/{quiz.pk}/")

    def tab_to(predicate, limit=400) -> dict:
        for _ in range(limit):
            page.keyboard.press("Tab")
            focused = _focused(page)
            if predicate(focused):
                return focused
        raise AssertionError("the keyboard never reached the control")

    tab_to(lambda f: f["tag"] == "BUTTON" and "受験を始める" in f["text"])
    with page.expect_navigation():  # wait for the new page, not just a quiet network (a race otherwise)
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    questions = page.locator("fieldset.question").count()
    assert questions > 0

    answered: set[str] = set()
    for _ in range(600):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if focused["tag"] == "BUTTON" and "提出して採点する" in focused["text"]:
            break
        if not focused["inQuestion"] or focused["name"] in answered:
            continue
        answered.add(focused["name"])
        # choices and typed answers; ordering and matching selects are left unanswered (a blank is valid)
        if focused["type"] in ("radio", "checkbox"):
            page.keyboard.press("Space")
        elif focused["type"] in ("text", "number"):
            page.keyboard.type("1")
    else:
        raise AssertionError("the keyboard never reached the submit button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    problems = page.locator(".message--error").all_inner_texts()

    assert "の結果" in page.locator("h1").inner_text(), problems
    assert serious_violations(page) == []
    attempt = Attempt.objects.get(user__username="demo-learner", quiz=quiz)
    assert attempt.status == "submitted" and attempt.items.exclude(response=None).count() >= 1

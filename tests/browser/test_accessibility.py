"""Every demo role logs in and gets pages with no serious or critical axe-core violations."""

import pytest

from tests.browser.conftest import log_in, serious_violations

pytestmark = pytest.mark.browser
DEMO_ROLES = ["demo-learner", "demo-manager", "demo-hr", "demo-advisor", "demo-reviewer", "demo-admin"]


@pytest.mark.parametrize("username", DEMO_ROLES)
def test_each_role_logs_in_to_an_accessible_page(page, demo_site, username):
    log_in(page, demo_site.url, username)

    assert page.url.rstrip("/") == demo_site.url.rstrip("/")
    assert page.get_by_role("button", name="ログアウト").is_visible()
    assert page.locator("html").get_attribute("lang") == "ja"
    assert serious_violations(page) == []


def test_login_page_and_english_home_are_accessible(page, demo_site):
    page.goto(f"{demo_site.url}/login/")
    assert serious_violations(page) == []

    page.goto(f"{demo_site.url}/")
    page.get_by_label("言語").select_option("en")
    page.get_by_role("button", name="切替").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert serious_violations(page) == []


def test_skip_link_is_the_first_focusable_element_and_visible_on_focus(page, demo_site):
    page.goto(f"{demo_site.url}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "本文へ移動"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0


def test_wrong_password_shows_an_announced_error(page, demo_site):
    log_in(page, demo_site.url, "demo-learner", password="wrong")
    alert = page.get_by_role("alert")
    assert "正しくありません" in alert.inner_text()
    assert serious_violations(page) == []


def test_the_axe_harness_reports_real_violations(page):
    page.set_content('<html><body><main><img src="chart.png"><button></button></main></body></html>')
    found = serious_violations(page)
    assert any(line.startswith("image-alt") for line in found)
    assert any(line.startswith("button-name") for line in found)

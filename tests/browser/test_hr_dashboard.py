"""/hr/ in a real browser: accessible (axe), charts drawn with their table alternatives, drill-down and
filters kept in the URL, exports downloadable, each role seeing its own scope."""

from pathlib import Path

import pytest

from tests.browser.conftest import log_in, serious_violations

pytestmark = pytest.mark.browser


def test_hr_dashboard_is_accessible_with_charts_and_their_tables(page, demo_site):
    log_in(page, demo_site.url, "demo-hr")
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="人材育成の分析").click()
    page.wait_for_load_state("networkidle")

    assert page.get_by_role("heading", name="人材育成の分析", level=1).is_visible()
    assert page.locator("#table-coverage caption").inner_text().startswith("能力項目ごとのレベル")
    assert page.locator("#table-coverage tbody tr").count() > 5
    assert page.locator("#chart-coverage .main-svg").count() > 0  # plotly drew the heatmap
    assert page.locator("#chart-trend .main-svg").count() > 0
    assert page.locator("#table-leaders").count() == 1
    assert serious_violations(page) == []


def test_drill_down_and_filters_live_in_the_url(page, demo_site):
    log_in(page, demo_site.url, "demo-hr")
    page.goto(f"{demo_site.url}/hr/?level=1")
    first = page.locator("#table-coverage tbody th a").first
    name = first.inner_text()
    first.click()
    page.wait_for_load_state("networkidle")

    assert "dept=" in page.url and "level=1" in page.url
    assert page.locator(".breadcrumbs [aria-current]").inner_text() == name
    assert serious_violations(page) == []


def test_csv_download_starts_with_a_bom(page, demo_site):
    log_in(page, demo_site.url, "demo-hr")
    page.goto(f"{demo_site.url}/hr/")
    with page.expect_download() as download:
        page.locator("a[href^='/hr/export/coverage.csv']").click()
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf") and "所属".encode() in content


def test_manager_sees_only_their_department_and_reviewer_sees_suppressed_cells(page, demo_site):
    log_in(page, demo_site.url, "demo-manager")
    page.goto(f"{demo_site.url}/hr/")
    assert page.locator(".breadcrumbs [aria-current]").inner_text() == "市民課"
    assert "総務部" not in page.locator("#table-coverage").inner_text()
    assert serious_violations(page) == []

    page.get_by_role("button", name="ログアウト").click()
    log_in(page, demo_site.url, "demo-reviewer")
    page.goto(f"{demo_site.url}/hr/")
    assert "<5" in page.locator("#table-coverage").inner_text()
    assert page.get_by_role("link", name="人材の検索(人材の見える化)").count() == 0
    assert serious_violations(page) == []


def test_targets_and_talent_search_pages_are_accessible(page, demo_site):
    log_in(page, demo_site.url, "demo-hr")
    page.goto(f"{demo_site.url}/hr/targets/")
    assert page.locator("table.target-table tbody tr").count() > 10
    assert serious_violations(page) == []

    page.goto(f"{demo_site.url}/hr/talent/")
    page.get_by_label("能力項目").select_option("A1")
    page.get_by_label("レベル").select_option("1")
    page.get_by_role("button", name="検索").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#table-talent tbody tr").count() > 0
    assert serious_violations(page) == []

"""みどり町's own look in a real browser (issue 13, ADR 0024): on its host name (midori.localhost, which
browsers send to this machine) the header is the town's green, with its logo, at AA contrast (axe-core),
and nothing is fetched from another host; on the platform's host the default blue is unchanged."""

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import serious_violations

pytestmark = pytest.mark.browser

GREEN = "rgb(27, 110, 58)"  # #1b6e3a, lms_site.home.demo.TOWN_ACCENT
BLUE = "rgb(11, 79, 138)"  # #0b4f8a, the stylesheet's


def header_background(page) -> str:
    return page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor")


def test_the_town_s_host_shows_its_look_and_the_platform_s_the_default(page, demo_site):
    port = urlsplit(demo_site.url).port
    town = f"http://midori.localhost:{port}"
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{town}/", wait_until="networkidle")
    assert header_background(page) == GREEN
    logo = page.get_by_role("img", name="みどり町")
    assert logo.count() == 1
    assert page.eval_on_selector(".site-logo", "e => e.getBoundingClientRect().height") <= 48
    assert serious_violations(page) == []
    assert {urlsplit(url).netloc for url in requests} == {f"midori.localhost:{port}"}

    page.goto(f"{demo_site.url}/", wait_until="networkidle")
    assert header_background(page) == BLUE
    assert page.locator(".site-logo").count() == 0

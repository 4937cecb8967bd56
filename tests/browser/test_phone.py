"""Every persona's pages on a 390 px phone, with the Japanese fonts users have (issue 19, item 2).

A phone is 390×844 CSS pixels at device scale 3 (an iPhone 14's screen). No page may be wider than the
screen: wide tables scroll inside their own labelled region, forms and cards stack. Wagtail's own admin is
Wagtail's to fix and is not measured.
"""

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_journeys import JOURNEYS, overflow

pytestmark = pytest.mark.browser

PHONE_PAGES = {
    **{username: ["/", *paths] for username, paths in JOURNEYS.items()},
    "demo-reviewer": ["/", "/hr/"],
    "demo-hr-town": ["/", "/hr/", "/hr/talent/", "/me/"],
    "demo-learner-town": ["/", "/me/", "/me/evidence/", "/courses/"],
    "demo-pref": ["/", "/pref/"],
}
PHONE_PAGES["demo-hr"] += ["/hr/audit/"]


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def widest(page) -> str:
    """The element that sticks out furthest to the right, to name in the failure."""
    return page.evaluate(
        """() => {
          let worst = null, right = window.innerWidth;
          for (const el of document.querySelectorAll('main *')) {
            const r = el.getBoundingClientRect().right;
            if (r > right + 1 && !el.closest('[data-scroll-region]')) { right = r; worst = el; }
          }
          return worst ? `${worst.tagName.toLowerCase()}.${worst.className} right=${Math.round(right)}` : '';
        }"""
    )


@pytest.mark.parametrize("username", sorted(PHONE_PAGES))
def test_every_persona_page_fits_a_390_px_phone(phone, demo_site, username):
    log_in(phone, demo_site.url, username)
    wide = []
    for path in PHONE_PAGES[username]:
        response = phone.goto(f"{demo_site.url}{path}")
        assert response.status == 200, path
        phone.wait_for_load_state("networkidle")
        if overflow(phone) > 1:
            wide.append(f"{path}: {overflow(phone)} px too wide ({widest(phone)})")
    assert wide == []

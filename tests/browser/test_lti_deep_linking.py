"""Issue 17 part 1, ADR 0023: the deep linking picker, opened by the independent platform
(tools/lti-platform) in Chromium, passes axe and reflows on a 390 px phone and at 200% zoom.

The tool is reached as http://127.0.0.1:<port>, like the platform, so that the platform's form post is
same-site and carries PyLTI1p3's state cookie over plain HTTP (in production both are HTTPS and the cookie
is SameSite=None; Secure).
"""

import json
from urllib.parse import urlencode, urlsplit

import pytest

from lms_site.organisation.models import Municipality
from tests.browser.conftest import serious_violations
from tests.browser.test_journeys import overflow
from tests.lti.conftest import register, running_platform, tool_urls


@pytest.fixture(scope="module")
def picker_platform(demo_site, tmp_path_factory, django_db_blocker):
    tool = f"http://127.0.0.1:{urlsplit(demo_site.url).port}"
    registrations = [{"client_id": "picker-tool", "deployment_id": "dep-picker", "tool": tool_urls(tool)}]
    with running_platform(registrations, tmp_path_factory.mktemp("lti-picker")) as base:
        with django_db_blocker.unblock():
            city = Municipality.objects.order_by("pk").first()
            registration = register(city, base, "picker-tool", "dep-picker")
        yield base
        with django_db_blocker.unblock():
            registration.delete()


def open_picker(page, platform: str) -> None:
    """The LMS author asks for content: login initiation, the platform's form, its post to our launch."""
    spec = {"sub": "author-axe", "deep_link": True, "roles": ["Instructor"]}
    page.goto(f"{platform}/initiate?{urlencode({'client_id': 'picker-tool', 'spec': json.dumps(spec)})}")
    with page.expect_navigation():
        page.evaluate("document.forms[0].submit()")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="LMS に追加する教材を選ぶ").is_visible(), page.content()[:500]


def test_the_deep_linking_picker_passes_axe(page, demo_site, picker_platform):
    open_picker(page, picker_platform)
    assert page.get_by_role("radio").count() > 0
    assert serious_violations(page) == []


@pytest.mark.parametrize(
    "viewport, scale",
    [({"width": 390, "height": 844}, 3), ({"width": 640, "height": 450}, 2)],
    ids=["phone-390px", "zoom-200pc"],
)
def test_the_deep_linking_picker_reflows_on_a_phone_and_at_200_percent(
    browser, demo_site, picker_platform, viewport, scale
):
    context = browser.new_context(locale="ja-JP", viewport=viewport, device_scale_factor=scale)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        open_picker(page, picker_platform)
        assert overflow(page) <= 1
        button = page.get_by_role("button", name="選んだ教材を LMS に追加する")
        button.scroll_into_view_if_needed()
        assert button.is_visible()
        assert serious_violations(page) == []
    finally:
        context.close()

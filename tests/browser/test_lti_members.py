"""Issue 17 part 1, ADR 0023: the LMS course's members, as the LMS's instructor sees them after a launch
(/lti/members/) and as the city's HR opens them from the Wagtail admin (設定 › LMS 連携), in Chromium on a
390 px phone: axe-core finds no serious or critical violation and neither page scrolls sideways.

The launch is the independent platform's (tools/lti-platform): its login initiation and form post, then
the members fetched from it with the tool's service token. The tool is reached as http://127.0.0.1:<port>,
like the platform, so that the form post is same-site and carries PyLTI1p3's cookie over plain HTTP.
"""

import json
from urllib.parse import urlencode, urlsplit

import pytest
import requests

from tests.browser.conftest import log_in, serious_violations
from tests.browser.test_journeys import overflow
from tests.lti.conftest import register, running_platform, tool_urls

pytestmark = pytest.mark.browser

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
CONTEXT = "course-axe"
TITLE = "情報セキュリティ研修(LMS の講座)"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "locale": "ja-JP"}


@pytest.fixture(scope="module")
def members_platform(demo_site, tmp_path_factory, django_db_blocker):
    """若葉市's LMS, trusted to match staff, whose course lists a few members, some of them our staff."""
    from lms_site.organisation.models import Municipality, StaffProfile
    from lms_site.organisation.tenancy import platform_wide

    tool = f"http://127.0.0.1:{urlsplit(demo_site.url).port}"
    entries = [{"client_id": "members-tool", "deployment_id": "dep-members", "tool": tool_urls(tool)}]
    with running_platform(entries, tmp_path_factory.mktemp("lti-members")) as base:
        with django_db_blocker.unblock():
            city = Municipality.objects.get(code="999991")
            registration = register(city, base, "members-tool", "dep-members", match_staff=True)
            with platform_wide():
                manager = StaffProfile.objects.get(user__username="demo-manager")
        people = [
            {"user_id": "teacher-axe", "name": "講師 太郎", "status": "Active", "roles": [INSTRUCTOR]},
            *(
                {"user_id": f"lms-{i}", "name": f"受講者 {i} 号", "status": "Active", "roles": [LEARNER]}
                for i in range(1, 6)
            ),
        ]
        answer = requests.post(
            f"{base}/contexts/{CONTEXT}/members", data=json.dumps({"members": people}), timeout=10
        )
        assert answer.status_code == 200
        yield {"base": base, "tool": tool, "manager": manager}
        with django_db_blocker.unblock():
            registration.delete()


def instructor_launch(page, platform: dict) -> None:
    """The course's instructor (the city's demo-manager, matched by employee number) opens our course
    from the LMS: the launch carries the NRPS claim, so the members page opens first."""
    from courses.models import CoursePage

    course = CoursePage.objects.live().order_by("path").first()
    spec = {
        "sub": "teacher-axe",
        "roles": [INSTRUCTOR],
        "nrps": True,
        "context": CONTEXT,
        "target": f"course:{course.pk}",
        "employee_number": platform["manager"].employee_number,
        "claims": {"https://purl.imsglobal.org/spec/lti/claim/context": {"id": CONTEXT, "title": TITLE}},
    }
    query = urlencode({"client_id": "members-tool", "spec": json.dumps(spec)})
    page.goto(f"{platform['base']}/initiate?{query}")
    with page.expect_navigation():
        page.evaluate("document.forms[0].submit()")
    page.wait_for_load_state("networkidle")


def test_the_members_pages_of_the_lms_instructor_and_of_hr_pass_axe_and_reflow_at_390px(
    browser, demo_site, members_platform
):
    checked = {}
    launched = browser.new_context(**PHONE)
    try:
        page = launched.new_page()
        page.set_default_timeout(15_000)
        instructor_launch(page, members_platform)
        assert page.url.endswith("/lti/members/"), page.url
        assert page.get_by_role("heading", name="LMS のコース参加者").is_visible()
        assert page.get_by_text("受講者 5 号").is_visible()
        checked["/lti/members/"] = (overflow(page), serious_violations(page))
    finally:
        launched.close()

    hr = browser.new_context(**PHONE)
    try:
        page = hr.new_page()
        page.set_default_timeout(15_000)
        log_in(page, members_platform["tool"], "demo-hr")
        page.goto(f"{members_platform['tool']}/admin/lti/")
        page.wait_for_load_state("networkidle")
        checked["/admin/lti/"] = (overflow(page), serious_violations(page))
        page.get_by_role("link", name=f"{TITLE} の参加者").click()
        page.wait_for_load_state("networkidle")
        assert page.get_by_text("受講者 5 号").is_visible()
        manager = members_platform["manager"]
        assert page.get_by_text(f"{manager.full_name}({manager.employee_number})").is_visible()
        checked["/admin/lti/…/members/"] = (overflow(page), serious_violations(page))
    finally:
        hr.close()

    results = {path: (width <= 1, violations) for path, (width, violations) in checked.items()}
    assert results == dict.fromkeys(checked, (True, [])), checked

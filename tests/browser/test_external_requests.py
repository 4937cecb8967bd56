"""Issue 12 item 10 in a real browser: each demo persona visits the pages they use, and not one request
(page, script, style, font, image, frame, fetch, worker) leaves the site. Closed municipal networks such as
LGWAN reach nothing else, and no staff e-mail hash may go to gravatar.com (ADR 0014)."""

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import log_in, serious_violations

pytestmark = pytest.mark.browser

LEARNING = ["/", "/courses/", "{course}", "{lesson}", "{quiz}", "/me/", "/me/evidence/", "/me/capstone/"]
ADMIN_HOME = ["/admin/", "/admin/account/"]
EDITOR = ["/admin/pages/{lesson_id}/edit/", "/admin/pages/{index_id}/", "/admin/snippets/"]
STAFF = ["/admin/staffprofile/", "/admin/staffprofile/inspect/{staff_id}/", "/admin/department/"]
HR = ["/hr/", "/hr/talent/?competency=A1&level=1", "/hr/audit/"]
PERSONAS = {
    "demo-learner": [*LEARNING, "{certificate}"],
    "demo-manager": [*LEARNING, "/hr/", "/hr/talent/?competency=A1&level=1", "/capstones/"],
    "demo-hr": [*LEARNING, *HR, "/hr/targets/", "/hr/evidence/", "/hr/certificates/", *ADMIN_HOME, *STAFF],
    "demo-advisor": [*LEARNING, "/capstones/", *ADMIN_HOME, *EDITOR],
    "demo-reviewer": [*LEARNING, "/hr/", *ADMIN_HOME, *EDITOR],
    "demo-admin": [*LEARNING, *HR, *ADMIN_HOME, *EDITOR, *STAFF, "/admin/users/", "{certificate}"],
}


def demo_urls() -> dict[str, str]:
    from wagtail.models import Site

    from assessments.certification.models import Certificate
    from assessments.models import Quiz
    from courses.models import CoursePage, CurriculumIndexPage, LessonPage
    from lms_site.organisation.models import StaffProfile

    platform = Site.objects.get(is_default_site=True)
    lesson = LessonPage.objects.live().order_by("path").first()
    certificate = Certificate.objects.filter(revoked_at__isnull=True).order_by("pk").first()
    return {
        # paths on the platform's site: with みどり町's site in the demo, ``url`` is a full URL
        "course": CoursePage.objects.live().order_by("path").first().relative_url(platform),
        "lesson": lesson.relative_url(platform),
        "lesson_id": str(lesson.pk),
        "index_id": str(CurriculumIndexPage.objects.order_by("path").first().pk),  # the shared one
        "quiz": f"/quizzes/{Quiz.objects.filter(live=True).order_by('pk').first().pk}/",
        "staff_id": str(StaffProfile.objects.exclude(user__username__startswith="demo-").first().pk),
        "certificate": f"/certificates/{certificate.uuid}/",
    }


@pytest.mark.parametrize("username", list(PERSONAS))
def test_no_request_leaves_the_site(browser, demo_site, username):
    urls = demo_urls()
    own = urlsplit(demo_site.url).netloc
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    requests: list[tuple[str, str]] = []
    context.on("request", lambda request: requests.append((page.url, request.url)))
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        log_in(page, demo_site.url, username)
        visited = []
        for path in PERSONAS[username]:
            url = demo_site.url + path.format(**urls)
            response = page.goto(url, wait_until="networkidle")
            visited.append((url, response.status if response else None))
    finally:
        context.close()
    assert all(status == 200 for _path, status in visited), visited
    foreign = [
        (on, url)
        for on, url in requests
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != own
    ]
    assert foreign == []
    assert {url for url, _status in visited} <= {url for _on, url in requests}  # the recorder saw them


def test_hr_searches_the_access_log_with_an_accessible_form(page, demo_site):
    log_in(page, demo_site.url, "demo-hr")
    page.goto(f"{demo_site.url}/hr/")
    page.get_by_role("link", name="個人データの閲覧記録").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="個人データの閲覧記録", level=1).is_visible()
    assert page.locator("#table-access-log tbody tr").count() >= 1  # at least the /hr/ visit just now
    assert serious_violations(page) == []
    page.get_by_label("終了日").fill("2026-01-01")
    page.get_by_label("開始日").fill("2026-02-01")
    page.get_by_role("button", name="検索").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("終了日は開始日と同じか、それより後の日付にしてください。").is_visible()
    assert page.get_by_label("終了日").get_attribute("aria-invalid") == "true"
    assert serious_violations(page) == []

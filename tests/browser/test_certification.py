"""The certification programme of the demo city in the browser: the learner's capstone and evidence, the
所属長's and the advisor's decisions, public certificate pages and HR's list; every page accessible."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments.certification.models import Capstone, CapstoneAction, CapstoneStatus, Certificate
from assessments.certification.selectors import capstone_tasks
from tests.browser.conftest import log_in, serious_violations

pytestmark = pytest.mark.browser


def leader_certificate(status: str) -> Certificate:
    certificates = Certificate.objects.filter(program__code="DX_LEADER").order_by("issued_on", "pk")
    if status == "revoked":
        return certificates.get(revoked_at__isnull=False)
    return next(c for c in certificates if c.status_on(timezone.localdate()) == status)


def test_learner_follows_their_capstone_and_evidence(page, demo_site):
    log_in(page, demo_site.url, "demo-learner")
    page.goto(f"{demo_site.url}/me/capstone/")
    capstone = Capstone.objects.get(user__username="demo-learner")
    assert capstone.status == CapstoneStatus.IN_PROGRESS
    assert capstone.title in page.locator("main").inner_text()
    current = page.locator(".steps [aria-current=step]")
    assert current.inner_text() == "実施して成果報告を提出"
    assert serious_violations(page) == []

    page.goto(f"{demo_site.url}/me/evidence/")
    assert "ITパスポート試験" in page.locator("main").inner_text()
    assert serious_violations(page) == []


def test_manager_accepts_a_plan_with_the_keyboard(page, demo_site):
    manager = get_user_model().objects.get(username="demo-manager")
    tasks = capstone_tasks(user=manager).to_decide
    waiting = next(c for c in tasks if c.status == CapstoneStatus.PLAN_REVIEW)
    log_in(page, demo_site.url, "demo-manager")
    page.goto(f"{demo_site.url}/capstones/")
    listed = page.get_by_role("table").first.inner_text()
    assert waiting.title in listed
    assert "推薦待ち" in listed  # the report waiting for the endorsement is listed too
    assert serious_violations(page) == []

    page.get_by_role("link", name=waiting.title).click()
    assert page.get_by_role("heading", name="計画の確認").is_visible()
    assert serious_violations(page) == []
    # Keyboard only: choose "了承" with Space, Tab into the comment, type, Tab to the button, Enter.
    page.get_by_label("了承・推薦する").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("了承します。休日交付の試行は来月から始めてください。")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "判断を記録する"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.get_by_role("alert").count() == 0, page.get_by_role("alert").all_inner_texts()
    assert page.url.rstrip("/").endswith("/capstones")
    assert "判断を記録し" in page.locator("main, body").first.inner_text()
    waiting.refresh_from_db()
    assert waiting.status == CapstoneStatus.IN_PROGRESS
    decision = waiting.decisions.order_by("-created_at", "-pk").first()
    assert (decision.action, decision.actor.username) == (CapstoneAction.ACCEPT_PLAN, "demo-manager")
    assert serious_violations(page) == []


def test_advisor_opens_an_assessment_and_sees_the_rubric(page, demo_site):
    waiting = Capstone.objects.filter(status=CapstoneStatus.ASSESSMENT, advisor__username="demo-advisor")
    title = waiting.order_by("updated_at").first().title
    log_in(page, demo_site.url, "demo-advisor")
    page.goto(f"{demo_site.url}/capstones/")
    assert serious_violations(page) == []
    page.get_by_role("link", name=title).click()

    assert page.get_by_role("heading", name="審査").is_visible()
    rubric = page.locator("form fieldset legend")
    names = [text.replace("(必須)", "").strip() for text in rubric.all_inner_texts()]
    assert names[:5] == [
        "課題の設定",
        "業務の見直しとデジタル活用",
        "効果の測定",
        "誰一人取り残さない配慮",
        "定着と展開",
    ]
    assert page.get_by_role("radio", name="4 十分").count() == 5
    assert "測定した効果" in page.locator("main").inner_text()
    assert serious_violations(page) == []


@pytest.mark.parametrize(
    ("status", "says"),
    [("valid", "この認定証は有効です。"), ("revoked", "取り消されました"), ("expired", "有効期限")],
)
def test_public_certificate_pages_say_whether_they_are_valid(page, demo_site, status, says):
    certificate = leader_certificate(status)
    page.goto(f"{demo_site.url}/certificates/{certificate.uuid}/")
    assert page.get_by_role("button", name="ログアウト").count() == 0
    assert says in page.get_by_role("status").inner_text()
    assert certificate.recipient_name in page.locator(".certificate").inner_text()
    if status == "revoked":
        assert certificate.revocation_reason not in page.locator("main").inner_text()  # HR's record only
    assert serious_violations(page) == []


# Runs before the page's own scripts and outside its Content-Security-Policy: record print() calls instead of
# opening the print dialog, and every violation of the policy.
RECORD_PRINTS_AND_VIOLATIONS = """
window.printed = 0;
window.print = function () { window.printed += 1; };
window.violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def test_the_certificate_print_button_prints_within_the_content_security_policy(page, demo_site, browser):
    certificate = leader_certificate("valid")
    url = f"{demo_site.url}/certificates/{certificate.uuid}/"
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Refused" in message.text else None)
    page.add_init_script(RECORD_PRINTS_AND_VIOLATIONS)
    page.goto(url)

    page.get_by_role("button", name="印刷する").click()

    assert page.evaluate("window.printed") == 1
    assert page.evaluate("window.violations") == [] and refused == []
    assert serious_violations(page) == []
    # Without scripts the button could do nothing, so it is not shown.
    context = browser.new_context(locale="ja-JP", java_script_enabled=False)
    try:
        scriptless = context.new_page()
        scriptless.goto(url)
        assert scriptless.get_by_role("button", name="印刷する").count() == 0
        assert scriptless.get_by_role("link", name="Open Badges 2.0").is_visible()
    finally:
        context.close()


def test_hr_lists_the_certificates_with_their_status(page, demo_site):
    log_in(page, demo_site.url, "demo-hr")
    page.goto(f"{demo_site.url}/hr/certificates/")
    table = page.get_by_role("table").inner_text()
    assert "取消済み" in table and "期限切れ" in table and "DX推進リーダー" in table
    assert serious_violations(page) == []

    page.get_by_label("認定制度").select_option("DX_LEADER")
    page.get_by_role("button", name="絞り込む").click()
    page.wait_for_load_state("networkidle")
    assert "DXベーシック" not in page.get_by_role("table").inner_text()
    assert serious_violations(page) == []

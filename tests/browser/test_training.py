"""Assigned training and classroom sessions in a real browser (issue 15): HR assigns through the form and
reads the report at 200% zoom; the trainer takes the roll call on a phone; the learner registers."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import log_in, serious_violations
from tests.browser.test_journeys import overflow, zoomed  # noqa: F401 - fixture
from tests.browser.test_phone import phone, widest  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def test_hr_assigns_training_and_reads_the_report(zoomed, demo_site):  # noqa: F811
    from training.models import TrainingDue, TrainingRule

    log_in(zoomed, demo_site.url, "demo-hr")
    zoomed.goto(f"{demo_site.url}/hr/training/new/")
    zoomed.get_by_label("名称").fill("データ活用入門(市民部)")
    zoomed.get_by_label("受講するもの").select_option(label="データ活用入門")
    zoomed.get_by_label("対象の所属(配下を含む)").select_option(label="市民部")
    due = timezone.localdate() + datetime.timedelta(days=45)
    zoomed.locator("#id_due_on").fill(due.isoformat())
    zoomed.get_by_role("button", name="指示する").click()
    zoomed.wait_for_load_state("networkidle")
    assert (
        "人に指示しました" in zoomed.get_by_role("status").or_(zoomed.locator(".messages")).first.inner_text()
    )
    rule = TrainingRule.objects.get(title="データ活用入門(市民部)")
    assert TrainingDue.objects.filter(rule=rule).count() >= 5
    assert zoomed.get_by_role("heading", name="所属ごとの受講状況").is_visible()
    assert overflow(zoomed) <= 1, widest(zoomed)
    assert serious_violations(zoomed) == []


def test_the_trainer_takes_the_roll_call_on_a_phone(phone, demo_site):  # noqa: F811
    from training.models import ClassSession, RegistrationStatus

    session = ClassSession.objects.filter(needs_manager_approval=False).order_by("starts_at").first()
    log_in(phone, demo_site.url, "demo-reviewer")
    phone.goto(f"{demo_site.url}/hr/training/sessions/{session.pk}/roll-call/")
    boxes = phone.get_by_role("checkbox")
    assert boxes.count() == session.registrations.filter(status=RegistrationStatus.REGISTERED).count()
    target = phone.locator("main label").filter(has=boxes.first).first.bounding_box()
    assert target is not None and target["height"] >= 24  # WCAG 2.5.8: a target of at least 24 px
    assert overflow(phone) <= 1
    assert serious_violations(phone) == []


def test_a_learner_sees_sessions_and_their_todo_list(page, demo_site):
    log_in(page, demo_site.url, "demo-learner")
    page.goto(f"{demo_site.url}/me/")
    todo = page.get_by_role("region", name="やること").or_(page.locator("section.todo")).first
    assert "情報セキュリティ研修" in todo.inner_text()
    page.goto(f"{demo_site.url}/sessions/")
    assert page.get_by_role("link", name="業務改革(BPR)と書かない窓口 集合研修(第1回)").is_visible()
    assert serious_violations(page) == []

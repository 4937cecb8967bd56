"""Issue 12 item 4: people who can see or change answer keys cannot sit the exam (ADR 0010).

The attack: a DX推進課 reviewer (who also holds 職員) exported the whole bank with its keys from
``/admin/assessments/export/gift/`` and was offered the exam's start form. Now the export needs a
permission only the system administrator holds, the exam refuses anyone conflicted (and says why), and
人事課 can grant an audited exception.
"""

import datetime
import logging

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Workflow

from assessments.models import Attempt, ExamConflictException
from assessments.setup import assessments_workflow_setup
from lms_site.organisation.roles import ROLES, Role
from tests.courses.conftest import framework  # noqa: F401 - re-exported fixture
from tests.factories import UserFactory
from tests.security.test_exam_answer_key import bank, random_quiz

pytestmark = pytest.mark.django_db

REFUSAL = "人事課に特例を申請"


def holding(username: str, *roles: Role):
    user = UserFactory(username=username)
    user.groups.add(*Group.objects.filter(name__in=[ROLES[role].group_name for role in roles]))
    return user


@pytest.fixture
def exam(framework):  # noqa: F811
    assessments_workflow_setup()  # DX推進課 approves questions, as in the demo
    bank(framework)
    return random_quiz("DX推進リーダー 知識試験", framework, count=1, max_attempts=3, is_leader_exam=True)


@pytest.fixture
def reviewer():
    return holding("reviewer", Role.LEARNER, Role.REVIEWER)  # as demo-reviewer


@pytest.fixture
def hr():
    return holding("hr", Role.LEARNER, Role.HR)


def start(client, user, quiz):
    client.force_login(user)
    return client.post(reverse("assessments:start", args=[quiz.pk]))


def grant(client, hr_user, **data):
    client.force_login(hr_user)
    return client.post(reverse("exam_conflict_exceptions:add"), data)


def test_a_reviewer_cannot_export_the_bank_with_its_keys(client, exam, reviewer):
    client.force_login(reviewer)
    for file_format in ("gift", "moodlexml"):
        response = client.get(reverse("assessments_admin:export", args=[file_format]))
        # Wagtail's admin turns the refusal into a redirect to its home page with a message.
        assert response.status_code in (302, 403) and b"X-A1-0" not in response.content
    page = client.get(reverse("assessments_admin:import")).content.decode()
    assert reverse("assessments_admin:export", args=["gift"]) not in page


def test_the_system_administrator_still_exports_the_bank(client, exam):
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get(reverse("assessments_admin:export", args=["gift"]))
    assert response.status_code == 200 and b"::X-A1-0::" in response.content


def test_a_reviewer_cannot_start_the_exam_and_the_page_says_why(client, exam, reviewer):
    response = start(client, reviewer, exam)
    assert response.status_code == 302
    assert not Attempt.objects.filter(user=reviewer).exists()
    page = client.get(reverse("assessments:quiz", args=[exam.pk])).content.decode()
    assert REFUSAL in page and "受験を始める" not in page


def test_a_workflow_approver_without_question_permissions_is_conflicted_too(client, exam):
    approver = holding("approver", Role.LEARNER)
    approvers = Group.objects.create(name="問題の承認者")
    approver.groups.add(approvers)
    from courses.curriculum_setup import QUESTION_TASK_NAME
    from courses.models import OwnApprovalTask

    OwnApprovalTask.objects.get(name=QUESTION_TASK_NAME).groups.add(
        approvers
    )  # the questions' step (ADR 0024)
    start(client, approver, exam)
    assert not Attempt.objects.filter(user=approver).exists()


def test_the_platform_s_reviewer_approves_the_shared_questions_and_is_conflicted(client, exam):
    """共通教材の承認者 approves the shared library's questions (``OwnApprovalTask``, ADR 0024), wherever
    the holder acts: it may not sit the exam either."""
    platform_reviewer = holding("platform-reviewer", Role.LEARNER, Role.SHARED_REVIEWER)
    start(client, platform_reviewer, exam)
    assert not Attempt.objects.filter(user=platform_reviewer).exists()


def test_an_approver_in_a_group_approval_task_left_from_before_is_conflicted_too(client, exam):
    """A deployment may still assign questions a workflow with Wagtail's own ``GroupApprovalTask``."""
    from wagtail.models import GroupApprovalTask, WorkflowTask

    from courses.curriculum_setup import WORKFLOW_NAME

    approver = holding("approver", Role.LEARNER)
    approvers = Group.objects.create(name="旧・問題の承認者")
    approver.groups.add(approvers)
    old = GroupApprovalTask.objects.create(name="旧・承認")
    old.groups.add(approvers)
    WorkflowTask.objects.create(workflow=Workflow.objects.get(name=WORKFLOW_NAME), task=old, sort_order=1)
    start(client, approver, exam)
    assert not Attempt.objects.filter(user=approver).exists()


def test_a_learner_without_access_to_the_keys_sits_the_exam(client, exam):
    learner = holding("learner", Role.LEARNER)
    start(client, learner, exam)
    assert Attempt.objects.filter(user=learner, quiz=exam).count() == 1


def test_hr_grants_an_audited_exception_and_the_reviewer_may_then_sit_the_exam(
    client, exam, reviewer, hr, caplog
):
    until = timezone.localdate() + datetime.timedelta(days=14)
    with caplog.at_level(logging.INFO, logger="assessments.audit"):
        response = grant(
            client,
            hr,
            user=reviewer.pk,
            quiz=exam.pk,
            reason="昇任要件のため。受験期間中は問題の閲覧権限を外す。",
            valid_until=until.isoformat(),
        )
    assert response.status_code == 302, response.content.decode()[-3000:]
    exception = ExamConflictException.objects.get()
    assert (exception.user, exception.granted_by, exception.valid_until) == (reviewer, hr, until)
    assert any("granted" in record.getMessage() for record in caplog.records)
    start(client, reviewer, exam)
    assert Attempt.objects.filter(user=reviewer, quiz=exam).count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reason": "  "}, "理由を入力してください"),
        ({"valid_until": "2099-01-01"}, "日以内の日付"),
        ({"self": True}, "自分自身に特例を認めることはできません"),
    ],
)
def test_a_bad_exception_request_says_what_is_wrong_and_grants_nothing(
    client, exam, reviewer, hr, change, message
):
    data = {
        "user": (hr if change.pop("self", False) else reviewer).pk,
        "quiz": exam.pk,
        "reason": "理由",
        "valid_until": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        **change,
    }
    response = grant(client, hr, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ExamConflictException.objects.exists()


def test_a_reviewer_cannot_grant_an_exception_to_themselves(client, exam, reviewer):
    response = grant(
        client,
        reviewer,
        user=reviewer.pk,
        quiz=exam.pk,
        reason="自分で",
        valid_until=(timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
    )
    assert response.status_code in (302, 403)
    assert not ExamConflictException.objects.exists()
    start(client, reviewer, exam)
    assert not Attempt.objects.filter(user=reviewer).exists()


def test_an_expired_exception_no_longer_lets_the_reviewer_start(client, exam, reviewer, hr):
    ExamConflictException.objects.create(
        user=reviewer,
        quiz=exam,
        reason="前回の試験期間",
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
        granted_by=hr,
    )
    start(client, reviewer, exam)
    assert not Attempt.objects.filter(user=reviewer).exists()

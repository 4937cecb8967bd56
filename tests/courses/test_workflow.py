"""The shared curriculum's authors (共通教材の編集者) draft and submit; only its reviewers (共通教材の承認者)
publish; rejection keeps the live page. ADR 0024: the municipality roles have no grant there
(test_shared_curriculum.py)."""

import pytest
from django.contrib.auth.models import Group

from courses.models import LessonPage
from lms_site.organisation.roles import ROLES, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def user_with(role: Role, username: str):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=ROLES[role].group_name))
    return user


@pytest.fixture
def advisor():
    return user_with(Role.SHARED_AUTHOR, "advisor")


@pytest.fixture
def reviewer():
    return user_with(Role.SHARED_REVIEWER, "reviewer")


def test_advisor_may_edit_curriculum_but_not_publish_or_touch_other_pages(advisor, reviewer, curriculum):
    lesson = LessonPage.objects.child_of(curriculum["basics"]).first()
    advisor_perms = lesson.permissions_for_user(advisor)
    assert advisor_perms.can_edit() and not advisor_perms.can_publish()
    assert curriculum["index"].permissions_for_user(advisor).can_add_subpage()
    assert not curriculum["index"].get_parent().permissions_for_user(advisor).can_edit()
    assert lesson.permissions_for_user(reviewer).can_publish()


def test_the_lesson_stays_as_it_was_until_the_reviewer_approves(client, advisor, reviewer, curriculum):
    lesson = LessonPage.objects.child_of(curriculum["basics"]).first().specific
    live_title = lesson.title
    lesson.title = "改訂版: " + live_title
    revision = lesson.save_revision(user=advisor)
    workflow = lesson.get_workflow()
    assert workflow.name == "共通教材の承認者による承認"
    state = workflow.start(lesson, advisor)

    assert client.get(lesson.url).context["page"].title == live_title
    task_state = state.current_task_state
    assert task_state.task.specific.get_actions(lesson, advisor) == []  # the author cannot approve
    assert [a[0] for a in task_state.task.specific.get_actions(lesson, reviewer)][:2] == ["reject", "approve"]

    task_state.task.specific.on_action(task_state, reviewer, "approve", comment="")
    lesson.refresh_from_db()
    assert lesson.live_revision_id == revision.pk
    assert client.get(lesson.url).context["page"].title == "改訂版: " + live_title


def test_rejection_keeps_the_live_page_and_records_the_comment(client, advisor, reviewer, curriculum):
    lesson = LessonPage.objects.child_of(curriculum["data"]).first().specific
    live_title = lesson.title
    lesson.title = "誤った改訂"
    lesson.save_revision(user=advisor)
    state = lesson.get_workflow().start(lesson, advisor)
    task_state = state.current_task_state

    task_state.task.specific.on_action(task_state, reviewer, "reject", comment="出典を追記してください")

    state.refresh_from_db()
    assert state.status == "needs_changes"
    task_state.refresh_from_db()
    assert task_state.comment == "出典を追記してください"
    assert client.get(lesson.url).context["page"].title == live_title


def test_advisor_previews_a_draft_and_sees_its_revisions(client, advisor, curriculum):
    lesson = LessonPage.objects.child_of(curriculum["basics"]).first().specific
    live_title = lesson.title
    lesson.title = "下書き: " + live_title
    lesson.save_revision(user=advisor)
    client.force_login(advisor)

    draft = client.get(f"/admin/pages/{lesson.pk}/view_draft/")
    assert draft.status_code == 200 and "下書き: " in draft.content.decode()
    assert client.get(lesson.url).context["page"].title == live_title
    history = client.get(f"/admin/pages/{lesson.pk}/history/")
    assert history.status_code == 200

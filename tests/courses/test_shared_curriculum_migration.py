"""Issue 13 (ADR 0024): a deployment set up before the platform's editorial roles existed. Its shared
index had the DX推進課's workflow and the advisor and DX推進課 roles' grants; migration 0009 gives it the
platform reviewers' workflow, moves what was waiting for approval onto it, and moves the grants."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from courses.curriculum_setup import SHARED_WORKFLOW_NAME, TASK_NAME, WORKFLOW_NAME
from courses.models import LessonPage, OwnApprovalTask
from lms_site.organisation.roles import ROLES, Role, role_group
from tests.factories import MunicipalityFactory, StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("courses.migrations.0009_shared_curriculum_platform_roles")


def person(username, municipality, *roles):
    user = UserFactory(username=username)
    StaffProfileFactory(user=user, municipality=municipality)
    user.groups.add(*Group.objects.filter(name__in=[ROLES[role].group_name for role in roles]))
    return user


def dx_workflow_before_issue_13() -> Workflow:
    """The DX推進課's workflow as ``curriculum_workflow`` set it up before issue 13: one step, Wagtail's
    ``GroupApprovalTask`` of DX推進課."""
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.set([role_group(Role.REVIEWER)])
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


def test_the_shared_index_set_up_before_gets_the_platform_s_workflow_and_grants(curriculum):
    index = curriculum["index"]
    # the state before issue 13: the DX推進課's workflow and the municipality roles' grants on the index
    old = dx_workflow_before_issue_13()
    WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": old})
    GroupPagePermission.objects.filter(page=index).delete()
    change = Permission.objects.get(content_type__app_label="wagtailcore", codename="change_page")
    for role in (Role.ADVISOR, Role.REVIEWER):
        GroupPagePermission.objects.create(group=role_group(role), page=index, permission=change)
    town = MunicipalityFactory(code="999992", name="みどり町")
    author = person("author", town, Role.LEARNER)
    lesson = LessonPage.objects.child_of(curriculum["basics"]).first()
    lesson.save_revision(user=author)
    waiting = old.start(lesson, author).current_task_state
    assert not isinstance(waiting.task.specific, OwnApprovalTask)

    migration.forwards(apps, None)

    assert index.get_workflow().name == SHARED_WORKFLOW_NAME
    waiting = TaskState.objects.get(pk=waiting.pk)
    assert waiting.status == TaskState.STATUS_IN_PROGRESS
    task = waiting.task.specific
    assert isinstance(task, OwnApprovalTask)
    town_reviewer = person("town-reviewer", town, Role.REVIEWER)
    platform_reviewer = person("platform-reviewer", town, Role.REVIEWER, Role.SHARED_REVIEWER)
    assert task.get_actions(lesson, town_reviewer) == []
    assert [action[0] for action in task.get_actions(lesson, platform_reviewer)][:2] == ["reject", "approve"]
    held = set(
        GroupPagePermission.objects.filter(page=index).values_list("group__name", "permission__codename")
    )
    assert held == {
        ("共通教材の編集者", "add_page"),
        ("共通教材の編集者", "change_page"),
        ("共通教材の承認者", "add_page"),
        ("共通教材の承認者", "change_page"),
        ("共通教材の承認者", "publish_page"),
    }
    migration.forwards(apps, None)  # twice: nothing more
    assert GroupPagePermission.objects.filter(page=index).count() == 5
    assert OwnApprovalTask.objects.filter(name=migration.SHARED_TASK_NAME).count() == 1

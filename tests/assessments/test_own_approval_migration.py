"""Issue 13 (ADR 0024): a deployment whose questions and quizzes went through the DX推進課's workflow with
Wagtail's ``GroupApprovalTask``. Migration ``assessments.0007`` makes its step an ``OwnApprovalTask`` and
moves what was waiting onto it; backwards puts the old step back; the setup, run again, changes nothing
more."""

import importlib

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from wagtail.models import GroupApprovalTask, TaskState, Workflow, WorkflowContentType

from assessments.models import Question, Quiz
from courses.curriculum_setup import QUESTION_TASK_NAME, WORKFLOW_NAME, curriculum_workflow
from courses.models import OwnApprovalTask
from lms_site.organisation.roles import Role
from lms_site.organisation.tenancy import platform_wide
from tests.assessments.conftest import make_question
from tests.courses.conftest import framework  # noqa: F401 - re-exported fixture
from tests.courses.test_shared_curriculum_migration import dx_workflow_before_issue_13, person
from tests.factories import MunicipalityFactory
from tests.security.test_shared_content import TRUE_FALSE

pytestmark = pytest.mark.django_db

migration = importlib.import_module("assessments.migrations.0007_own_approval_of_questions")


@pytest.fixture
def before(framework):  # noqa: F811
    """The city's question, revised by its author and waiting on the old step."""
    with platform_wide():
        old = dx_workflow_before_issue_13()
        for model in (Question, Quiz):
            WorkflowContentType.objects.create(
                content_type=ContentType.objects.get_for_model(model), workflow=old
            )
        city = MunicipalityFactory(code="999991", name="若葉市")
        town = MunicipalityFactory(code="999992", name="みどり町")
        question = make_question(
            TRUE_FALSE, title="市の問題", competency=framework.competencies.get(code="A1")
        )
        question.municipality = city
        question.save(update_fields=["municipality"])
        author = person("city-author", city, Role.ADVISOR)
        question.title = "市の問題(改訂案)"
        question.save_revision(user=author)
        waiting = old.start(question, author).current_task_state
    assert type(waiting.task.specific) is GroupApprovalTask
    return {
        "question": question,
        "waiting": waiting,
        "city_reviewer": person("city-reviewer", city, Role.REVIEWER),
        "town_reviewer": person("town-reviewer", town, Role.REVIEWER),
    }


def step_of(workflow: Workflow):
    return workflow.tasks.get().specific


def test_the_step_becomes_the_owner_s_approval_and_what_waits_moves_with_it(before):
    old_task = before["waiting"].task
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # twice: nothing more

    workflow = Workflow.objects.get(name=WORKFLOW_NAME)
    task = step_of(workflow)
    assert isinstance(task, OwnApprovalTask) and task.name == QUESTION_TASK_NAME
    assert OwnApprovalTask.objects.filter(name=QUESTION_TASK_NAME).count() == 1
    assert set(task.groups.values_list("name", flat=True)) == {"DX推進課", "共通教材の承認者"}
    waiting = TaskState.objects.get(pk=before["waiting"].pk)
    assert waiting.task_id == task.pk and waiting.status == TaskState.STATUS_IN_PROGRESS
    assert not GroupApprovalTask.objects.get(pk=old_task.pk).active  # kept, for the finished states' history
    question = before["question"]
    assert question.current_workflow_task.specific == task
    assert task.get_actions(question, before["town_reviewer"]) == []
    assert not TaskState.objects.reviewable_by(before["town_reviewer"]).filter(pk=waiting.pk).exists()
    assert TaskState.objects.reviewable_by(before["city_reviewer"]).filter(pk=waiting.pk).exists()

    curriculum_workflow()  # the setup run again after the migration: the same step, nothing moved
    assert step_of(workflow) == task
    assert OwnApprovalTask.objects.filter(name=QUESTION_TASK_NAME).count() == 1


def test_backwards_puts_the_old_step_back(before):
    migration.forwards(apps, None)
    migration.backwards(apps, None)
    workflow = Workflow.objects.get(name=WORKFLOW_NAME)
    step = step_of(workflow)
    assert type(step) is GroupApprovalTask and step.pk == before["waiting"].task_id and step.active
    assert TaskState.objects.get(pk=before["waiting"].pk).task_id == step.pk
    assert not OwnApprovalTask.objects.get(name=QUESTION_TASK_NAME).active


def test_the_setup_alone_moves_a_deployment_set_up_before(before):
    """Run without the migration (a deployment that ran the setup command first): the same result."""
    curriculum_workflow()
    task = step_of(Workflow.objects.get(name=WORKFLOW_NAME))
    assert isinstance(task, OwnApprovalTask)
    assert TaskState.objects.get(pk=before["waiting"].pk).task_id == task.pk

"""Issue 13, ADR 0024: questions and quizzes wait for their owner's reviewers. Where the DX推進課's
workflow was set up before (``courses.curriculum_setup.curriculum_workflow``, Wagtail's
``GroupApprovalTask``, which showed every waiting item to every municipality's DX推進課), its step
becomes an ``OwnApprovalTask`` of DX推進課 and 共通教材の承認者, what waits on the old step waits on the new
one, and the old task, in no workflow any more, is deactivated (kept: its finished task states are the
history). Reversible: backwards puts the old step back and moves what waits onto it. A fresh database
has no workflow yet; the setup creates it with the new task."""

from django.db import migrations

WORKFLOW_NAME = "DX推進課による承認"
TASK_NAME = "DX推進課の承認"
QUESTION_TASK_NAME = "提供元のDX推進課の承認"
GROUPS = ("DX推進課", "共通教材の承認者")


def _step_replace(apps, *, workflow, new_task_id) -> None:
    """Make ``new_task_id`` the workflow's only step; what waits on another step waits on it."""
    Task = apps.get_model("wagtailcore", "Task")
    TaskState = apps.get_model("wagtailcore", "TaskState")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    old = list(
        WorkflowTask.objects.filter(workflow=workflow)
        .exclude(task_id=new_task_id)
        .values_list("task_id", flat=True)
    )
    TaskState.objects.filter(workflow_state__workflow=workflow, task_id__in=old, status="in_progress").update(
        task_id=new_task_id
    )
    WorkflowTask.objects.filter(workflow=workflow, task_id__in=old).delete()
    WorkflowTask.objects.get_or_create(workflow=workflow, task_id=new_task_id, defaults={"sort_order": 0})
    Task.objects.filter(pk__in=old, workflow_tasks__isnull=True).update(active=False)
    Task.objects.filter(pk=new_task_id).update(active=True)


def forwards(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    OwnApprovalTask = apps.get_model("courses", "OwnApprovalTask")
    task = OwnApprovalTask.objects.filter(name=QUESTION_TASK_NAME).first()
    if task is None:
        content_type, _ = ContentType.objects.get_or_create(app_label="courses", model="ownapprovaltask")
        task = OwnApprovalTask.objects.create(name=QUESTION_TASK_NAME, active=True, content_type=content_type)
    task.groups.set([Group.objects.get_or_create(name=name)[0] for name in GROUPS])
    _step_replace(apps, workflow=workflow, new_task_id=task.pk)


def backwards(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        content_type, _ = ContentType.objects.get_or_create(
            app_label="wagtailcore", model="groupapprovaltask"
        )
        task = GroupApprovalTask.objects.create(name=TASK_NAME, active=True, content_type=content_type)
        task.groups.set([Group.objects.get_or_create(name=GROUPS[0])[0]])
    _step_replace(apps, workflow=workflow, new_task_id=task.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0006_shared_and_own_content"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("courses", "0009_shared_curriculum_platform_roles"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

"""Issue 13, ADR 0024: the shared curriculum is the platform's. Where it was set up before (pages
assigned the DX推進課's workflow), those pages get the platform reviewers' workflow of their own (an
``OwnApprovalTask`` of 共通教材の承認者; what was waiting for approval waits on it), and their grants move
from the advisor and DX推進課 roles to the platform's editorial roles: ``curriculum_permissions_setup``,
on historical models. Questions and quizzes keep the DX推進課's workflow. A fresh database has none of it."""

from django.db import migrations

WORKFLOW_NAME = "DX推進課による承認"
SHARED_WORKFLOW_NAME = "共通教材の承認者による承認"
SHARED_TASK_NAME = "共通教材の承認者の承認"
GRANTS = {
    "共通教材の編集者": ("add_page", "change_page"),
    "共通教材の承認者": ("add_page", "change_page", "publish_page"),
}
OLD_GROUPS = ("外部人材・CIO補佐官", "DX推進課")


def forwards(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    old = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    pages = list(WorkflowPage.objects.filter(workflow=old).values_list("page_id", flat=True)) if old else []
    if not pages:
        return
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    OwnApprovalTask = apps.get_model("courses", "OwnApprovalTask")
    TaskState = apps.get_model("wagtailcore", "TaskState")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")

    groups = {name: Group.objects.get_or_create(name=name)[0] for name in (*OLD_GROUPS, *GRANTS)}
    workflow, _ = Workflow.objects.get_or_create(name=SHARED_WORKFLOW_NAME, defaults={"active": True})
    task = OwnApprovalTask.objects.filter(name=SHARED_TASK_NAME).first()
    if task is None:
        content_type, _ = ContentType.objects.get_or_create(app_label="courses", model="ownapprovaltask")
        task = OwnApprovalTask.objects.create(name=SHARED_TASK_NAME, active=True, content_type=content_type)
    task.groups.set([groups["共通教材の承認者"]])
    WorkflowTask.objects.get_or_create(workflow=workflow, task_id=task.pk, defaults={"sort_order": 0})
    WorkflowPage.objects.filter(workflow=old).update(workflow=workflow)

    page_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    waiting = WorkflowState.objects.filter(workflow=old, base_content_type=page_type, status="in_progress")
    TaskState.objects.filter(workflow_state__in=waiting, status="in_progress").update(task_id=task.pk)
    waiting.update(workflow=workflow)

    GroupPagePermission.objects.filter(page_id__in=pages, group__in=[groups[n] for n in OLD_GROUPS]).delete()
    for name, codenames in GRANTS.items():
        for codename in codenames:
            permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            for page_id in pages:
                GroupPagePermission.objects.get_or_create(
                    group=groups[name], page_id=page_id, permission=permission
                )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("courses", "0008_course_reference_alignment"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

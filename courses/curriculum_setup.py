"""The curriculum section's permissions and moderation workflows.

The shared curriculum, which every municipality reads, is the platform's (ADR 0024): its authors
(共通教材の編集者) may add and edit pages under the shared index but not publish; its reviewers
(共通教材の承認者) approve (publish) or reject with a comment through a workflow of their own, whose task
is an ``OwnApprovalTask``. The municipality roles (advisors, DX推進課) hold no grant there, and a grant
left from before counts for nobody (``lms_site.organisation.pages``). Questions and quizzes keep the DX
推進課's workflow (``curriculum_workflow``), whose task is an ``OwnApprovalTask`` too: an item of a
municipality's own is approved by that municipality's DX推進課, a shared one by the platform's reviewers.
Idempotent.

A municipality's own site (issue 13) gets the same under its home page: its curriculum index, and the
grants of the roles on its home page (advisors and 人事課 write, DX推進課 also publishes), which count only
for those who act in that municipality (``lms_site.organisation.pages``); its workflow's approval task is
``OwnApprovalTask`` (only that municipality's DX推進課 approves).
"""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)

from courses.models import CurriculumIndexPage, OwnApprovalTask
from lms_site.organisation.api import Role, role_group

WORKFLOW_NAME = "DX推進課による承認"
TASK_NAME = "DX推進課の承認"  # the old task (Wagtail's GroupApprovalTask): any municipality's DX推進課
QUESTION_TASK_NAME = "提供元のDX推進課の承認"
SHARED_WORKFLOW_NAME = "共通教材の承認者による承認"
SHARED_TASK_NAME = "共通教材の承認者の承認"
OWN_WORKFLOW_NAME = "DX推進課による承認(団体独自の教材)"
OWN_TASK_NAME = "自団体のDX推進課の承認"
AUTHOR_PAGE_PERMISSIONS = ("add_page", "change_page")
REVIEWER_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")
AUTHOR_MEDIA_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "choose_document"),
)


@transaction.atomic
def curriculum_permissions_setup(*, index: CurriculumIndexPage) -> Workflow:
    """The shared index's grants (the platform's editorial roles only), the media permissions, and its
    workflow; grants the municipality roles held there before are removed."""
    authors, reviewers = role_group(Role.SHARED_AUTHOR), role_group(Role.SHARED_REVIEWER)
    GroupPagePermission.objects.filter(
        page=index, group__in=[role_group(Role.ADVISOR), role_group(Role.REVIEWER)]
    ).delete()
    for group, codenames in ((authors, AUTHOR_PAGE_PERMISSIONS), (reviewers, REVIEWER_PAGE_PERMISSIONS)):
        for codename in codenames:
            permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            GroupPagePermission.objects.get_or_create(group=group, page=index, permission=permission)
    root_collection = Collection.get_first_root_node()
    for role in (Role.SHARED_AUTHOR, Role.SHARED_REVIEWER, Role.ADVISOR, Role.REVIEWER):
        for app_label, codename in AUTHOR_MEDIA_PERMISSIONS:
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            GroupCollectionPermission.objects.get_or_create(
                group=role_group(role), collection=root_collection, permission=permission
            )

    workflow = shared_curriculum_workflow()
    WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    _pages_waiting_move(to=workflow)
    return workflow


@transaction.atomic
def curriculum_workflow() -> Workflow:
    """The one-step workflow in which questions and quizzes are approved or rejected (idempotent): an
    ``OwnApprovalTask`` of the DX推進課 role and the platform's reviewers, so that an item of a
    municipality's own waits for that municipality's DX推進課 only, a shared one for 共通教材の承認者 (or
    someone acting platform-wide) only. A workflow set up with Wagtail's ``GroupApprovalTask`` before
    (issue 13) gets the new task, and what waits on the old one waits on the new one."""
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = OwnApprovalTask.objects.filter(name=QUESTION_TASK_NAME).first()
    if task is None:
        task = OwnApprovalTask.objects.create(name=QUESTION_TASK_NAME)
    task.groups.set([role_group(Role.REVIEWER), role_group(Role.SHARED_REVIEWER)])
    old = list(
        WorkflowTask.objects.filter(workflow=workflow).exclude(task=task).values_list("task", flat=True)
    )
    if old:
        TaskState.objects.filter(
            workflow_state__workflow=workflow, task__in=old, status=TaskState.STATUS_IN_PROGRESS
        ).update(task=task)
        WorkflowTask.objects.filter(workflow=workflow, task__in=old).delete()
        GroupApprovalTask.objects.filter(pk__in=old, workflow_tasks__isnull=True).update(active=False)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    return workflow


@transaction.atomic
def shared_curriculum_workflow() -> Workflow:
    """The shared curriculum's one-step workflow: the platform's reviewers (共通教材の承認者) approve or
    reject (``OwnApprovalTask``: a shared page only they, whichever municipality they act in;
    idempotent)."""
    workflow, _ = Workflow.objects.get_or_create(name=SHARED_WORKFLOW_NAME, defaults={"active": True})
    task = OwnApprovalTask.objects.filter(name=SHARED_TASK_NAME).first()
    if task is None:
        task = OwnApprovalTask.objects.create(name=SHARED_TASK_NAME)
    task.groups.set([role_group(Role.SHARED_REVIEWER)])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    return workflow


def _pages_waiting_move(*, to: Workflow) -> None:
    """Pages submitted to the DX推進課's workflow before the shared curriculum had its own (issue 13) wait
    on the new one's task instead, so that no municipality's DX推進課 approves them."""
    old = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if old is None:
        return
    pages = ContentType.objects.get_for_model(Page)
    waiting = WorkflowState.objects.filter(
        workflow=old, base_content_type=pages, status=WorkflowState.STATUS_IN_PROGRESS
    )
    TaskState.objects.filter(workflow_state__in=waiting, status=TaskState.STATUS_IN_PROGRESS).update(
        task=to.tasks.get()
    )
    waiting.update(workflow=to)


# On a municipality's own home page: who writes and who publishes its pages (its own people only).
OWN_SITE_PAGE_PERMISSIONS = {
    Role.ADVISOR: ("add_page", "change_page"),
    Role.HR: ("add_page", "change_page"),
    Role.REVIEWER: ("add_page", "change_page", "publish_page"),
}


@transaction.atomic
def municipality_curriculum_ensure(*, municipality, home) -> CurriculumIndexPage:
    """Under a municipality's own home page: its curriculum index (created when missing), the roles'
    grants on the home page, and its workflow (idempotent; the ``municipality_site_ensure`` hook)."""
    index = CurriculumIndexPage.objects.child_of(home).first()
    if index is None:
        index = CurriculumIndexPage(title="研修コース", slug="courses")
        home.add_child(instance=index)
        index.save_revision().publish()
    for role, codenames in OWN_SITE_PAGE_PERMISSIONS.items():
        group = role_group(role)
        for codename in codenames:
            permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            GroupPagePermission.objects.get_or_create(group=group, page=home, permission=permission)
    root_collection = Collection.get_first_root_node()
    for role in OWN_SITE_PAGE_PERMISSIONS:
        for app_label, codename in AUTHOR_MEDIA_PERMISSIONS:
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            GroupCollectionPermission.objects.get_or_create(
                group=role_group(role), collection=root_collection, permission=permission
            )
    WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": own_curriculum_workflow()})
    return index


@transaction.atomic
def own_curriculum_workflow() -> Workflow:
    """The workflow of every municipality's own site: one step, approved by the DX推進課 of the page's
    municipality (``OwnApprovalTask``; idempotent)."""
    workflow, _ = Workflow.objects.get_or_create(name=OWN_WORKFLOW_NAME, defaults={"active": True})
    task = OwnApprovalTask.objects.filter(name=OWN_TASK_NAME).first()
    if task is None:
        task = OwnApprovalTask.objects.create(name=OWN_TASK_NAME)
    task.groups.set([role_group(Role.REVIEWER)])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    return workflow

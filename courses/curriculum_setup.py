"""The curriculum section's permissions and moderation workflow.

Advisors (外部人材・CIO補佐官) may add and edit pages under the curriculum index but not publish; the DX
推進課 reviewers approve (publish) or reject with a comment through a Wagtail workflow. Idempotent.
"""

from django.contrib.auth.models import Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from courses.models import CurriculumIndexPage
from lms_site.organisation.api import Role, role_group

WORKFLOW_NAME = "DX推進課による承認"
TASK_NAME = "DX推進課の承認"
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
    advisors, reviewers = role_group(Role.ADVISOR), role_group(Role.REVIEWER)
    for group, codenames in ((advisors, AUTHOR_PAGE_PERMISSIONS), (reviewers, REVIEWER_PAGE_PERMISSIONS)):
        for codename in codenames:
            permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            GroupPagePermission.objects.get_or_create(group=group, page=index, permission=permission)
    root_collection = Collection.get_first_root_node()
    for group in (advisors, reviewers):
        for app_label, codename in AUTHOR_MEDIA_PERMISSIONS:
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )

    workflow = curriculum_workflow()
    WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    return workflow


@transaction.atomic
def curriculum_workflow() -> Workflow:
    """The one-step workflow in which a DX推進課 reviewer approves or rejects (idempotent)."""
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.set([role_group(Role.REVIEWER)])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    return workflow

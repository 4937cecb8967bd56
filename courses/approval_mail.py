"""Who is told that something waits for approval (ADR 0024).

Wagtail e-mails every member of a group approval task's groups when an item reaches the task, with its
title. The roles are one group for every municipality (ADR 0016), so for an ``OwnApprovalTask`` that would
tell every municipality's DX推進課 about another's page, question or quiz. This notifier, in place of
Wagtail's (same signal, same ``dispatch_uid``), tells only those the task lets act on the item.
"""

from wagtail.admin.mail import GroupApprovalTaskStateSubmissionEmailNotifier
from wagtail.models import TaskState
from wagtail.signals import task_submitted

DISPATCH_UID = "group_approval_task_submitted_email_notification"  # Wagtail's own


class OwnApprovalSubmissionNotifier(GroupApprovalTaskStateSubmissionEmailNotifier):
    def get_recipient_users(self, task_state, **kwargs):
        from courses.models import OwnApprovalTask

        recipients = super().get_recipient_users(task_state, **kwargs)
        task = task_state.task.specific
        if not isinstance(task, OwnApprovalTask):
            return recipients
        item = task_state.workflow_state.content_object
        return [user for user in recipients if item is not None and task.may_act(item, user)]


notifier = OwnApprovalSubmissionNotifier()


def install() -> None:
    """Replace Wagtail's submission notifier (from ``ready``, whichever app's runs first)."""
    task_submitted.disconnect(sender=TaskState, dispatch_uid=DISPATCH_UID)
    task_submitted.connect(notifier, sender=TaskState, dispatch_uid=DISPATCH_UID)

"""Questions and quizzes go through the DX推進課's workflow, whose step is an ``OwnApprovalTask`` (ADR 0024):
an item of a municipality's own waits for that municipality's DX推進課, a shared one for the platform's
reviewers (共通教材の承認者)."""

from django.contrib.contenttypes.models import ContentType
from wagtail.models import WorkflowContentType

from assessments.models import Question, Quiz
from courses.api import curriculum_workflow


def assessments_workflow_setup() -> None:
    """Assign the curriculum's approval workflow to questions and quizzes (idempotent)."""
    workflow = curriculum_workflow()
    for model in (Question, Quiz):
        content_type = ContentType.objects.get_for_model(model)
        WorkflowContentType.objects.update_or_create(
            content_type=content_type, defaults={"workflow": workflow}
        )

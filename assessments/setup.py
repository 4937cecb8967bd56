"""Questions and quizzes follow the same approval rule as course content: the DX推進課 workflow."""

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

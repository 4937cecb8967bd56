"""Wagtail's workflow reports without other municipalities' questions and quizzes (issue 13, ADR 0024).

Wagtail's reports (``/admin/reports/workflow/`` and ``/admin/reports/workflow_tasks/``) list pages by the
page permission policy (``pages.OwnedPagePermissionPolicy`` already leaves out other municipalities'
sites), but snippets by their model alone: anyone who may change questions would see every
municipality's question and quiz in a workflow, its latest title included, and the names of everyone who
submitted one (the "requested by" filter). These views are Wagtail's with the content that has an owner
(``content.OWNER``: questions, quizzes) cut to what the person may review (``pages.owned_not_reviewable``:
their own municipalities', the shared library only for the platform's reviewers), and the requesters cut
to those of what is left. Served in place of Wagtail's on the same paths (``lms_site.urls``).
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.urls import path
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.reports import workflows
from wagtail.models import AbstractPage, WorkflowMixin
from wagtail.utils.urlpatterns import decorate_urlpatterns

from .content import OWNER
from .pages import owned_not_reviewable


def owned_models() -> list[type]:
    """The snippets in workflows whose rows have an owner (questions, quizzes); pages are the page
    policy's."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, WorkflowMixin)
        and not issubclass(model, AbstractPage)
        and any(field.name == OWNER for field in model._meta.fields)
    ]


def hidden(user, *, prefix: str = "") -> Q | None:
    """The workflow states (with ``prefix``, the task states) of owned content ``user`` may not see."""
    refused = owned_not_reviewable(user)
    if refused is None:
        return None
    query = Q()
    for model in owned_models():
        keys = model._base_manager.filter(refused).annotate(key=Cast("pk", CharField())).values("key")
        query |= Q(
            **{
                f"{prefix}base_content_type": ContentType.objects.get_for_model(model),
                f"{prefix}object_id__in": keys,
            }
        )
    return query or None


def _requested_by(request):
    """The "requested by" choices: those who submitted something the person sees in the report."""
    states = workflows.WorkflowState.objects.all()
    refused = hidden(request.user)
    if refused is not None:
        states = states.exclude(refused)
    user_model = get_user_model()
    return user_model.objects.filter(pk__in=states.values("requested_by")).order_by(user_model.USERNAME_FIELD)


class WorkflowReportFilterSet(workflows.WorkflowReportFilterSet):
    requested_by = workflows.django_filters.ModelChoiceFilter(
        field_name="requested_by", queryset=_requested_by
    )


class WorkflowView(workflows.WorkflowView):
    filterset_class = WorkflowReportFilterSet

    def get_queryset(self):
        refused = hidden(self.request.user)
        states = super().get_queryset()
        return states if refused is None else states.exclude(refused)


class WorkflowTasksView(workflows.WorkflowTasksView):
    def get_queryset(self):
        refused = hidden(self.request.user, prefix="workflow_state__")
        states = super().get_queryset()
        return states if refused is None else states.exclude(refused)


# Wagtail's own check on every admin URL (signed in, ``wagtailadmin.access_admin``), as on the ones replaced.
urlpatterns = decorate_urlpatterns(
    [
        path("workflow/", WorkflowView.as_view()),
        path("workflow/results/", WorkflowView.as_view(results_only=True)),
        path("workflow_tasks/", WorkflowTasksView.as_view()),
        path("workflow_tasks/results/", WorkflowTasksView.as_view(results_only=True)),
    ],
    require_admin_access,
)

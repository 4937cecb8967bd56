"""Shared and own content (issue 13, ADR 0024): who may use a question or a quiz, and who may change it.

Content that learners use (questions, quizzes) has an owner, its ``municipality``:

* none: the platform's shared library, offered to every municipality;
* a prefecture (kind 都道府県): offered to the prefecture's municipalities, and to the prefecture itself;
* a city, town or village: its own, seen by nobody else.

Everyone sees what is offered to the municipalities they act in (``SharedContentManager``: the shared
library, their prefecture's, their own), and may change only what their own municipalities own
(``may_change``): the shared library is changed only platform-wide (the system administrator), a
prefecture's library only by the prefecture. A municipality that wants a shared item changed for itself
copies it: the copy is its own. As with tenant-owned rows, a query with no scope active raises
``ScopeError``.

An item built from others (a quiz from questions) may use only what is offered to its own owner
(``offered_to``), so a shared quiz never draws a town's question, and a town's quiz never another town's.
"""

from __future__ import annotations

import functools

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_scopes import get_scope
from django_scopes.manager import DisabledQuerySet
from wagtail.admin.forms.models import register_form_field_override
from wagtail.snippets.views.chooser import SnippetChooserViewSet

from .tenancy import DIMENSION, TenantModelChoiceField, municipalities_of

OWNER = "municipality"


def owner_foreign_key(help_text) -> models.ForeignKey:
    """The owner column of shared content (``OWNER``): empty for the platform's shared library."""
    return models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提供元"),
        help_text=help_text,
    )


def offered_in(municipality_ids, *, prefix: str = "") -> Q:
    """What is offered to anyone acting in these municipalities: one query, whatever their number, and a
    filter on the owner's id only (so that search backends can apply it too)."""
    from .models import Municipality, MunicipalityKind

    field = prefix + OWNER
    names = Municipality.objects.filter(pk__in=municipality_ids).values("prefecture")
    prefectures = Municipality.objects.filter(kind=MunicipalityKind.PREFECTURE, prefecture__in=names)
    return (
        Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__in": municipality_ids})
        | Q(**{f"{field}__in": prefectures.values("pk")})
    )


def offered_to(owner, *, prefix: str = "") -> Q:
    """What is offered to content owned by ``owner`` (a ``Municipality``, its id, or None for the shared
    library): the filter on the items it may be built from."""
    if owner is None:
        return Q(**{f"{prefix}{OWNER}__isnull": True})
    return offered_in([getattr(owner, "pk", owner)], prefix=prefix)


def is_offered(user, owner_id) -> bool:
    """Whether content owned by ``owner_id`` (None: the shared library) is offered to ``user``: the
    one-item twin of ``offered_in`` (the shared library, their own municipalities' and their
    prefecture's), for a page served or an action on one item."""
    if owner_id is None:
        return True
    ids = municipalities_of(user)
    if ids is None or owner_id in ids:
        return True
    from .models import Municipality, MunicipalityKind

    names = Municipality.objects.filter(pk__in=ids).values("prefecture")
    return Municipality.objects.filter(
        pk=owner_id, kind=MunicipalityKind.PREFECTURE, prefecture__in=names
    ).exists()


def owner_at(path: str) -> int | None:
    """The owner of a page at ``path`` in Wagtail's tree: the municipality whose own site's home page is
    the page or one of its ancestors; None (shared) anywhere else. One query."""
    from wagtail.models import Page

    from .models import Municipality

    prefixes = [path[:end] for end in range(Page.steplen, len(path) + 1, Page.steplen)]
    return (
        Municipality.objects.filter(site__root_page__path__in=prefixes).values_list("pk", flat=True).first()
    )


class SharedContentManager(models.Manager):
    """The rows offered in the running scope; a query with no scope active raises ``ScopeError`` (when it
    is used, as django-scopes' managers do: a form field may take the manager's queryset at import)."""

    def get_queryset(self) -> models.QuerySet:
        current = get_scope()
        if not current.get("_enabled", True):
            return super().get_queryset()
        ids = current.get(DIMENSION)
        if ids is None:
            # django-scopes' own: any use of it raises ``ScopeError``
            return DisabledQuerySet(self.model, using=self._db, missing_scopes={DIMENSION})
        return super().get_queryset().filter(offered_in(ids))


def may_change(user, item) -> bool:
    """Whether ``user`` may change ``item``: it is owned by a municipality they act in (the shared
    library: only platform-wide)."""
    ids = municipalities_of(user)
    if ids is None:
        return True
    owner = getattr(item, f"{OWNER}_id")
    return owner is not None and owner in ids


def owner_field(user, *, instance=None) -> forms.ModelChoiceField:
    """The 提供元 field of an editor's form: the municipalities ``user`` acts in (and, platform-wide, the
    shared library as the empty choice). An item keeps its owner's choice even when it is the only one."""
    from .models import Municipality

    ids = municipalities_of(user)
    platform = ids is None
    queryset = Municipality.objects.all() if platform else Municipality.objects.filter(pk__in=ids)
    field = forms.ModelChoiceField(
        queryset=queryset,
        required=not platform,
        empty_label=_("共通(全自治体に提供)") if platform else None,
        label=_("提供元"),
        help_text=_(
            "都道府県が持つ問題はその市区町村にも提供されます。共通の問題はどの自治体でも使えますが、"
            "変更できるのはシステム管理者だけです。"
        ),
    )
    if (instance is None or instance.pk is None) and not platform and len(ids) == 1:
        field.initial = ids[0]
    return field


NOT_YOURS = _("共通の教材や他の団体の教材は変更できません。複製すれば自団体の教材として変更できます。")


class OwnedContentFormMixin:
    """For a Wagtail admin form of shared content: the owner chosen among the editor's municipalities.

    The model's panels hold the field; its choices are set here, for the person editing (form classes are
    built at import time, with no person)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if OWNER in self.fields and self.for_user is not None:
            self.fields[OWNER] = owner_field(self.for_user, instance=self.instance)

    def clean(self):
        cleaned = super().clean()
        user = self.for_user
        if user is not None and self.instance.pk and not may_change(user, self.instance):
            raise forms.ValidationError(NOT_YOURS)
        return cleaned


# Views of a snippet viewset that change the object in their path; every other view only shows it.
CHANGING_VIEWS = frozenset(
    {
        "edit",
        "delete",
        "unpublish",
        "revisions_revert",
        "revisions_unschedule",
        "lock",
        "unlock",
        "workflow_action",
        "collect_workflow_action_data",
        "confirm_workflow_cancellation",
    }
)


# Of those, the views by which a reviewer acts on an item waiting in a workflow: besides the owner, whoever
# may review it (``pages.may_review``: for the shared library, the platform's reviewers); the item's task
# then decides (``courses.OwnApprovalTask``).
REVIEWING_VIEWS = frozenset({"workflow_action", "collect_workflow_action_data"})


class OwnedContentViewSetMixin:
    """A snippet viewset of shared content whose changing views answer 403 for an item the person may
    not change: they may still open, inspect and copy it (the copy is their own), and see its history
    without another municipality's people (``history``). A workflow action names the task state it acts
    on: one that is not the item's answers 404."""

    @property
    def chooser_viewset_class(self):
        return OwnedContentChooserViewSet

    # The history views name only the viewer's own municipalities' people (``history``).
    @property
    def history_view_class(self):
        from .history import HistoryView

        return HistoryView

    @property
    def workflow_history_view_class(self):
        from .history import WorkflowHistoryView

        return WorkflowHistoryView

    @property
    def workflow_history_detail_view_class(self):
        from .history import WorkflowHistoryDetailView

        return WorkflowHistoryDetailView

    def get_urlpatterns(self):
        patterns = super().get_urlpatterns()
        for pattern in patterns:
            if getattr(pattern, "name", None) in CHANGING_VIEWS:
                pattern.callback = self._guarded(pattern.callback, reviewing=pattern.name in REVIEWING_VIEWS)
        return patterns

    def _guarded(self, view, *, reviewing: bool = False):
        model = self.model

        @functools.wraps(view)
        def guarded(request, *args, pk=None, **kwargs):
            item = model._default_manager.filter(pk=unquote(str(pk))).first() if pk is not None else None
            if item is not None and not (
                may_change(request.user, item) or (reviewing and _may_review(request.user, item))
            ):
                raise PermissionDenied
            task_state = kwargs.get("task_state_id")
            if item is not None and task_state is not None and not _task_state_of(item, task_state):
                raise Http404
            return view(request, *args, pk=pk, **kwargs)

        return guarded


def _may_review(user, item) -> bool:
    from .pages import may_review  # pages reads this module

    return may_review(user, item)


def _task_state_of(item, task_state_id) -> bool:
    """Whether the task state is one of ``item``'s (Wagtail's workflow action views take it by id alone)."""
    from wagtail.models import TaskState

    return TaskState.objects.filter(
        pk=task_state_id,
        workflow_state__base_content_type=item.get_base_content_type(),
        workflow_state__object_id=str(item.pk),
    ).exists()


class OwnedContentChooserViewSet(SnippetChooserViewSet):
    register_widget = False  # ``owned_content_form_fields`` gives forms the widget with its own choices


def owned_content_form_fields(*models_: type) -> None:
    """Make every Wagtail admin form's foreign key to these models offer what is offered to the person
    editing, asked when each form is made (form classes are built at import time, in no scope), with
    the model's snippet chooser as the widget once the snippet is registered. Call it when the models
    are defined; their snippet viewsets use ``OwnedContentViewSetMixin`` (whose chooser leaves the
    widget to this)."""

    def override(field) -> dict:
        viewset = getattr(field.remote_field.model, "snippet_viewset", None)
        if viewset is None:
            return {"form_class": TenantModelChoiceField}
        return {"form_class": TenantModelChoiceField, "widget": viewset.chooser_viewset.widget_class}

    for model in models_:
        register_form_field_override(models.ForeignKey, to=model, override=override)

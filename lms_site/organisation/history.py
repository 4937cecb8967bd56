"""History of shared content without another municipality's people (issue 13, ADR 0024).

A shared question or quiz (or a prefecture's) is offered to many municipalities, and Wagtail shows its
history (``history``), its workflow history and each workflow's detail to anyone holding the model's
permission: who edited it, who submitted it, who approved or rejected it and with what comment. Those
are the names of another municipality's staff, personal data that only roles in their own municipality
see (ADR 0016). These views are Wagtail's, registered through the snippet viewset
(``OwnedContentViewSetMixin``), with each person who does not act in one of the viewer's municipalities
shown as 「他団体の担当者」 (no name, username or avatar) and their comments left out: a town still sees
that, and when, a shared item was submitted, approved or changed. Everyone is named platform-wide, and
to the item's team (``on_the_team``: who may change or review it; for the shared library, the platform's
reviewers, who meet its requesters on the dashboard and in the workflow reports anyway). A page's history
needs no such views: Wagtail opens it only to those who may edit the page, and the page permission policy
(``pages``) already narrows that to the page's own municipality, or for the shared tree to the platform's
editorial roles.

The site history report (``/admin/reports/site-history/``) lists the log entries of every model one
holds a permission on, whichever municipality's: for someone acting in municipalities it lists only
what their own people did (``SiteHistoryView``, served in place of Wagtail's on the same path).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.generic import history as generic_history
from wagtail.admin.views.reports import audit_logging
from wagtail.models import Revision, TaskState
from wagtail.snippets.views import snippets
from wagtail.utils.urlpatterns import decorate_urlpatterns

from .roles import ROLES, Role
from .tenancy import municipalities_of

HIDDEN_PERSON = _("他団体の担当者")


def people_acting_in(municipality_ids) -> QuerySet:
    """The users who act in any of these municipalities, as ``municipalities_of`` decides it: staff with a
    record in one, and advisors without one whose contract in force covers one (a prefecture's contract
    covers its municipalities). One query when used."""
    from .models import AdvisorContract, AdvisorContractQuerySet, Municipality, MunicipalityKind

    names = Municipality.objects.filter(pk__in=municipality_ids).values("prefecture")
    contracts = (
        AdvisorContractQuerySet(AdvisorContract)
        .in_force(timezone.localdate())
        .filter(
            Q(municipality__in=municipality_ids)
            | Q(municipality__kind=MunicipalityKind.PREFECTURE, municipality__prefecture__in=names)
        )
    )
    return get_user_model().objects.filter(
        Q(staff_profile__municipality__in=municipality_ids)
        | Q(
            staff_profile__isnull=True,
            pk__in=contracts.values("advisor"),
            groups__name=ROLES[Role.ADVISOR].group_name,
        )
    )


def on_the_team(viewer, item) -> bool:
    """Whether ``viewer`` works on ``item``: may change it (its owner's people; the shared library:
    platform-wide) or review it (``pages.may_review``: for the shared library, the platform's reviewers,
    who see its requesters on the dashboard and in the workflow reports too)."""
    from .content import may_change
    from .pages import may_review

    return may_change(viewer, item) or may_review(viewer, item)


def people_named_for(viewer, item=None) -> QuerySet | None:
    """The people whose names ``viewer`` may see in a history (of ``item``): those acting in one of their
    municipalities (and themselves); None for everyone: platform-wide, or on the item's team."""
    ids = municipalities_of(viewer)
    if ids is None or (item is not None and on_the_team(viewer, item)):
        return None
    return get_user_model().objects.filter(Q(pk__in=people_acting_in(ids).values("pk")) | Q(pk=viewer.pk))


def named_among(viewer, user_ids, item=None) -> set[int] | None:
    """Which of ``user_ids`` ``viewer`` may see named (in ``item``'s history); None: all of them."""
    people = people_named_for(viewer, item)
    if people is None:
        return None
    wanted = {pk for pk in user_ids if pk is not None}
    return set(people.filter(pk__in=wanted).values_list("pk", flat=True)) if wanted else set()


def stand_in():
    """An unsaved user standing for a person not named: its display name is the label, no avatar."""
    return get_user_model()(username=str(HIDDEN_PERSON))


class _Namer:
    """Replaces the people of a set of rows that the viewer may not see named, in place (one query)."""

    def __init__(self, viewer, user_ids, item):
        self.named = named_among(viewer, user_ids, item)

    def hides(self, user_id) -> bool:
        return self.named is not None and user_id is not None and user_id not in self.named

    def person(self, row, field: str) -> bool:
        """Replace ``row.<field>`` when hidden; whether it was."""
        if not self.hides(getattr(row, f"{field}_id")):
            return False
        setattr(row, field, stand_in())
        return True


# --- the snippet viewsets' history views ----------------------------------------------------------------


def _named_only(filterset, people):
    """Cut a history filter's user choices to the people named (a ``user=`` of anyone else is then not one
    of the choices, and the filter is ignored)."""
    if people is not None and "user" in filterset.filters:
        choices = filterset.filters["user"].extra["queryset"].filter(pk__in=people.values("pk"))
        if choices.exists():
            filterset.filters["user"].extra["queryset"] = choices
        else:
            del filterset.filters["user"]


class HistoryFilterSet(generic_history.HistoryFilterSet):
    def __init__(self, *args, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        _named_only(self, people_named_for(self.request.user, item))


class HistoryView(snippets.HistoryView):
    """The log of an item: actions and dates for everyone, the person only if the viewer may see them."""

    filterset_class = HistoryFilterSet

    def get_filterset_kwargs(self):
        return {**super().get_filterset_kwargs(), "item": self.object}

    def paginate_queryset(self, queryset, page_size):
        paginator, page, entries, more = super().paginate_queryset(queryset, page_size)
        entries = list(entries)
        namer = _Namer(self.request.user, [entry.user_id for entry in entries], self.object)
        for entry in entries:
            if namer.person(entry, "user"):
                entry.__dict__["comment"] = ""  # a cached property of the log entry
        return paginator, page, entries, more


class WorkflowHistoryView(snippets.WorkflowHistoryView):
    """The item's workflows: status, tasks and start for everyone, who requested it only if named."""

    def paginate_queryset(self, queryset, page_size):
        paginator, page, states, more = super().paginate_queryset(queryset, page_size)
        states = list(states)
        namer = _Namer(self.request.user, [state.requested_by_id for state in states], self.object)
        for state in states:
            namer.person(state, "requested_by")
        return paginator, page, states, more


class WorkflowHistoryDetailView(snippets.WorkflowHistoryDetailView):
    """One workflow's progress: each step's status and time for everyone; who requested, edited, approved
    or rejected it, and their comments, only if named."""

    @cached_property
    def workflow_state(self):
        state = super().workflow_state
        steps = TaskState.objects.filter(workflow_state=state)
        people = {state.requested_by_id, *steps.values_list("finished_by_id", flat=True)}
        people |= set(
            Revision.objects.filter(pk__in=steps.values("revision_id")).values_list("user_id", flat=True)
        )
        self.namer = _Namer(self.request.user, people, self.object)
        self.namer.person(state, "requested_by")
        return state

    def _unnamed(self, row, field: str):
        """``row`` with its person replaced if not named (a task state's comment too); None stays None."""
        if row is not None and self.namer.person(row, field) and field == "finished_by":
            row.comment = ""
            row.__dict__["specific"] = row  # the timeline reads the comment through ``specific``
        return row

    @cached_property
    def task_states_by_revision(self):
        self.workflow_state  # noqa: B018 - decides who is named
        return [
            (self._unnamed(revision, "user"), [self._unnamed(state, "finished_by") for state in states])
            for revision, states in super().task_states_by_revision
        ]

    @cached_property
    def timeline(self):
        self.workflow_state  # noqa: B018 - decides who is named
        items = super().timeline
        for item in items:
            self._unnamed(item.get("revision"), "user")
            self._unnamed(item.get("task_state"), "finished_by")
        return items


# --- the site history report ----------------------------------------------------------------------------


class SiteHistoryFilterSet(audit_logging.SiteHistoryReportFilterSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _named_only(self, people_named_for(self.request.user))


class SiteHistoryView(audit_logging.LogEntriesView):
    """Wagtail's site history, for someone acting in municipalities only what their own people did."""

    filterset_class = SiteHistoryFilterSet

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        people = people_named_for(self.request.user)
        return queryset if people is None else queryset.filter(user__in=people.values("pk"))


# Wagtail's own check on every admin URL (signed in, ``wagtailadmin.access_admin``), as on the ones replaced.
urlpatterns = decorate_urlpatterns(
    [
        path("site-history/", SiteHistoryView.as_view()),
        path("site-history/results/", SiteHistoryView.as_view(results_only=True)),
    ],
    require_admin_access,
)

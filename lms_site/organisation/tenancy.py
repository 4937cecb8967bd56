"""Which municipality's rows a piece of code may see: isolation at the query layer (ADR 0016).

Tenant-owned models use django-scopes' ``ScopedManager`` on the ``municipality`` dimension: a query
through their manager is filtered to the municipalities of the active scope, and a query with no scope
active raises ``ScopeError`` instead of returning every municipality's rows. So a view, admin viewset,
chooser, search, export, task or command that forgot to say whose data it reads fails loudly.

Who sets the scope:

- every request, in ``TenantScopeMiddleware`` (after authentication): the signed-in person's
  municipalities; nothing for anonymous requests; no limit for the system administrator only;
- management commands and Celery tasks, explicitly, with ``municipality_scope`` (one municipality) or
  ``platform_wide`` (a job that runs for every municipality, e.g. the nightly snapshots, and says so).

Relations reached from an object already loaded (``profile.municipality``, ``user.staff_profile``) use the
plain base manager: an object that was allowed to be loaded may show its own parts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django import forms
from django_scopes import ScopedManager, get_scope, scope, scopes_disabled
from django_scopes.exceptions import ScopeError

__all__ = [
    "ScopeError",
    "TenantManager",
    "TenantModelChoiceField",
    "TenantScopeMiddleware",
    "acting_as",
    "municipalities_of",
    "municipality_scope",
    "platform_wide",
    "scoped_municipality_ids",
]

DIMENSION = "municipality"


def TenantManager(lookup: str, manager_class=None):
    """The manager of a tenant-owned model; ``lookup`` leads from the model to its municipality."""
    from django.db import models

    return ScopedManager(_manager_class=manager_class or models.Manager, **{DIMENSION: lookup})


@contextmanager
def municipality_scope(municipalities: Iterable | object) -> Iterator[None]:
    """Run as someone who acts in these municipalities (one ``Municipality``, an id, or several)."""
    if isinstance(municipalities, str) or not isinstance(municipalities, Iterable):
        municipalities = [municipalities]
    ids = sorted({getattr(m, "pk", m) for m in municipalities})
    with scope(**{DIMENSION: ids}):
        yield


@contextmanager
def platform_wide() -> Iterator[None]:
    """Run over every municipality: platform jobs (snapshots, demo loading) and the system administrator."""
    with scopes_disabled():
        yield


def scoped_municipality_ids() -> list[int] | None:
    """The municipality ids of the active scope; ``None`` when platform-wide."""
    current = get_scope()
    if not current.get("_enabled", True):
        return None
    ids = current.get(DIMENSION)
    if ids is None:
        raise ScopeError("A scope on dimension(s) municipality needs to be active for this query.")
    return list(ids)


def municipalities_of(user) -> list[int] | None:
    """The municipalities a person acts in; ``None`` for the system administrator (every one).

    Staff act in the municipality of their staff record (a system administrator with one too, ADR 0014).
    A system administrator without one (a superuser, or the システム管理者 role, which holds
    ``organisation.act_platform_wide``) acts in every municipality. An external advisor without one acts
    where a contract is in force (``AdvisorContract``). Nobody else (anonymous visitors, other accounts
    with no staff record) acts in any.
    """
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return None
    from django.core.exceptions import ObjectDoesNotExist

    try:  # loaded with the user by the authentication backend: no query of its own
        return [user.staff_profile.municipality_id]
    except ObjectDoesNotExist:
        pass
    platform, advisor = getattr(user, "dx_platform_wide", None), getattr(user, "dx_advisor", None)
    if platform is None:  # a user not loaded by the authentication backend (a task's): ask
        platform = user.has_perm("organisation.act_platform_wide")
        advisor = True
    if platform:
        return None
    return advisor_municipalities(user) if advisor else []


def tenancy_flags() -> dict:
    """Annotations for the query that loads the signed-in user, so that deciding the scope of a person
    without a staff record costs no query of its own: whether they hold ``act_platform_wide`` (directly
    or through a group) and whether they hold the advisor role."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Exists, OuterRef, Q

    from .roles import ROLES, Role

    permission = Permission.objects.filter(
        Q(group__user=OuterRef("pk")) | Q(user=OuterRef("pk")),
        content_type__app_label="organisation",
        codename="act_platform_wide",
    )
    advisor = Group.objects.filter(user=OuterRef("pk"), name=ROLES[Role.ADVISOR].group_name)
    return {"dx_platform_wide": Exists(permission), "dx_advisor": Exists(advisor)}


def advisor_municipalities(user, *, on=None) -> list[int]:
    """The municipalities whose contracts with an external advisor are in force (a prefecture's covers
    all of its municipalities). Read platform-wide: it is what decides the advisor's scope."""
    from django.utils import timezone

    from .models import AdvisorContract, AdvisorContractQuerySet, municipalities_covered

    contracts = AdvisorContractQuerySet(AdvisorContract).filter(advisor_id=user.pk)  # unscoped: see above
    return sorted(municipalities_covered(contracts.in_force(on or timezone.localdate())))


@contextmanager
def acting_as(user) -> Iterator[None]:
    """Run with the scope a request of ``user`` would have (tasks done on someone's behalf). As in the
    middleware, the person's own staff record, which decides the scope, is read platform-wide: a task
    starts with no scope, and under row-level security it would otherwise see no staff record at all."""
    with platform_wide():
        ids = municipalities_of(user)
    if ids is None:
        with platform_wide():
            yield
    else:
        with municipality_scope(ids):
            yield


class TenantModelChoiceField(forms.ModelChoiceField):
    """A choice of a tenant-owned row whose choices are read when the form is made, in its scope.

    Form classes are built at import time, where no scope is active (and where a queryset taken then
    would hold every municipality's rows for the life of the process). This field keeps no queryset of
    its own: each form instance asks the model's scoped manager, so a person is offered, and may submit,
    only rows of their municipalities.
    """

    def __init__(self, queryset, **kwargs):
        self.tenant_model = queryset.model
        super().__init__(queryset.model._base_manager.none(), **kwargs)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.queryset = self.tenant_model._default_manager.all()
        return result


def tenant_form_fields(*models_: type) -> None:
    """Make every Wagtail admin form's foreign key to these models a ``TenantModelChoiceField``."""
    from django.db import models
    from wagtail.admin.forms.models import register_form_field_override

    for model in models_:
        register_form_field_override(
            models.ForeignKey, to=model, override={"form_class": TenantModelChoiceField}
        )


class TenantScopeMiddleware:
    """Every request runs scoped to the municipalities of the person making it (after authentication)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        with platform_wide():  # reading one's own staff record is what decides the scope
            request.municipality_ids = municipalities_of(request.user)
        with acting_as(request.user):
            return self.get_response(request)

"""Wagtail pages in a municipality's own site are changed only by its own people (issue 13, ADR 0024).

Page permissions are Wagtail's own: a group holds ``add``/``change``/``publish`` on a page and its
subtree (``GroupPagePermission``). The roles are groups shared by every municipality (ADR 0016), so the
grants the courses app gives them on a municipality's home page would, left alone, reach every
municipality's HR, advisors and DX推進課. ``OwnedPagePermissionPolicy`` is Wagtail's page permission
policy with one rule more: a grant on a page inside a municipality's own site counts only for those who
act in that municipality (its staff, advisors under contract with it; platform-wide, the system
administrator). Every permission check of the admin (explorer, edit, publish, move, copy, delete,
choosers, bulk actions) reads a person's grants from this one place
(``get_cached_permissions_for_user``), so none of them needs a check of its own.

Pages outside every municipality's site (the shared home and its curriculum) keep their grants as they
were.
"""

from django.db.models import Q
from wagtail import hooks
from wagtail.models import AbstractPage
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permissions import register_permission_policy

from .content import owner_at
from .tenancy import municipalities_of


class OwnedPagePermissionPolicy(PagePermissionPolicy):
    def get_all_permissions_for_user(self, user):
        grants = super().get_all_permissions_for_user(user)
        ids = municipalities_of(user)
        if ids is None:  # platform-wide: every grant (a superuser has no grants to filter)
            return grants
        from .models import Municipality

        homes = list(
            Municipality.objects.filter(site__isnull=False).values_list("site__root_page__path", "pk")
        )
        grants = list(grants)
        if not homes:
            return grants
        mine = set(ids)

        def counts(grant) -> bool:
            path = grant.page.path
            return all(owner in mine for home, owner in homes if path.startswith(home))

        return [grant for grant in grants if counts(grant)]


def may_review(user, page) -> bool:
    """Whether ``user`` may act in the municipality that owns ``page`` (shared pages: anyone the
    workflow's groups allow): the approval task's own check (``courses.OwnApprovalTask``)."""
    path = getattr(page, "path", None)
    if path is None:
        return True
    owner = owner_at(path)
    if owner is None:
        return True
    ids = municipalities_of(user)
    return ids is None or owner in ids


def other_sites(user) -> Q | None:
    """The pages of the municipalities' own sites that ``user`` does not act in (a filter on ``path``);
    None when there are none (platform-wide, or no other municipality has a site)."""
    ids = municipalities_of(user)
    if ids is None:
        return None
    from .models import Municipality

    homes = Municipality.objects.filter(site__isnull=False).exclude(pk__in=ids)
    others = Q()
    for path in homes.values_list("site__root_page__path", flat=True):
        others |= Q(path__startswith=path)
    return others or None


def others_sites_excluded(pages, request):
    """The page chooser (links, page fields) offers no page of another municipality's own site: it lists
    the whole tree whatever the person may change, so its own titles would show there."""
    others = other_sites(request.user)
    return pages.exclude(others) if others is not None else pages


def install() -> None:
    """Make the policy Wagtail's for every page model, and filter the page chooser (from ``ready``)."""
    register_permission_policy(AbstractPage, OwnedPagePermissionPolicy())
    hooks.register("construct_page_chooser_queryset", others_sites_excluded)

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

Pages outside every municipality's site (the shared home and its curriculum, which every municipality
reads) are the platform's: a grant there counts only if it is held through a platform editorial role
(共通教材の編集者, 共通教材の承認者: ``roles.SHARED_CONTENT_ROLES``), or for someone acting platform-wide.
So a municipality's advisor or DX推進課 holds no grant on the shared tree, even one left there from before,
and a grant on a page above the municipalities' sites (the root) counts only platform-wide, as it would
reach into every site. Approving follows the same line (``may_review``).
"""

from django.db.models import Q
from wagtail import hooks
from wagtail.models import AbstractPage
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permissions import register_permission_policy

from .content import OWNER, owner_at
from .roles import ROLES, SHARED_CONTENT_ROLES, Role
from .tenancy import municipalities_of

SHARED_CONTENT_GROUPS = frozenset(ROLES[role].group_name for role in SHARED_CONTENT_ROLES)


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
        mine = set(ids)

        def counts(grant) -> bool:
            path = grant.page.path
            owners = [owner for home, owner in homes if path.startswith(home)]
            if owners:  # in a municipality's site: its own people
                return all(owner in mine for owner in owners)
            if any(home.startswith(path) for home, _ in homes):  # above the sites: platform-wide only
                return False
            return grant.group.name in SHARED_CONTENT_GROUPS  # the shared tree: the platform's roles

        return [grant for grant in grants.select_related("group") if counts(grant)]


def may_review_shared(user) -> bool:
    """Whether ``user`` may approve or reject shared content: platform-wide, or holding the platform's
    reviewing role (共通教材の承認者), whatever municipality they act in."""
    if not user.is_authenticated:
        return False
    if municipalities_of(user) is None:
        return True
    return user.groups.filter(name=ROLES[Role.SHARED_REVIEWER].group_name).exists()


def owner_of(item) -> int | None:
    """The municipality owning a page (where it is) or a snippet (its ``municipality``); None: shared."""
    path = getattr(item, "path", None)
    return owner_at(path) if path is not None else getattr(item, "municipality_id", None)


def may_review(user, item) -> bool:
    """Whether ``user`` may act on ``item`` (a page, or a question or quiz) in an approval task, as far as
    its owner goes: for a municipality's, acting in it; for shared content, ``may_review_shared``. The
    approval task's own check (``courses.OwnApprovalTask``), on top of the task's groups."""
    owner = owner_of(item)
    if owner is None:
        return may_review_shared(user)
    ids = municipalities_of(user)
    return ids is None or owner in ids


def pages_not_reviewable(user, *, in_own_groups: bool) -> Q | None:
    """The pages ``user`` may not review in an approval task (a filter on ``path``), given whether they
    are in the task's groups other than the platform's: another municipality's site (every site when
    not), and the shared tree unless ``may_review_shared``. None when nothing is refused."""
    from .models import Municipality

    ids = municipalities_of(user)
    homes = list(Municipality.objects.filter(site__isnull=False).values_list("site__root_page__path", "pk"))
    refused = [
        Q(path__startswith=path)
        for path, owner in homes
        if not in_own_groups or (ids is not None and owner not in ids)
    ]
    if not may_review_shared(user):
        inside = Q()
        for path, _ in homes:
            inside |= Q(path__startswith=path)
        refused.append(~inside if homes else Q(pk__isnull=False))
    if not refused:
        return None
    query = refused[0]
    for more in refused[1:]:
        query |= more
    return query


def owned_not_reviewable(user, *, in_own_groups: bool = True) -> Q | None:
    """The questions and quizzes (any content with an owner column, ``content.OWNER``) ``user`` may not
    review in an approval task, as a filter on the owner: another municipality's (every municipality's
    when not in the task's own groups), and the shared library unless ``may_review_shared``. The twin of
    ``pages_not_reviewable``; with ``in_own_groups`` left true, also what the workflow reports leave out.
    None when nothing is refused."""
    ids = municipalities_of(user)
    owned = Q(**{f"{OWNER}__isnull": False})
    refused = []
    if not in_own_groups:
        refused.append(owned)
    elif ids is not None:
        refused.append(owned & ~Q(**{f"{OWNER}__in": ids}))
    if not may_review_shared(user):
        refused.append(Q(**{f"{OWNER}__isnull": True}))
    if not refused:
        return None
    query = refused[0]
    for more in refused[1:]:
        query |= more
    return query


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

"""Who is calling the API and what they may see: a machine client of one municipality (OAuth 2.0 client
credentials) or a signed-in person (the browser session), scoped exactly as the pages are."""

from dataclasses import dataclass

from oauth2_provider.contrib.rest_framework import TokenHasReadWriteScope
from oauth2_provider.models import AccessToken
from rest_framework.permissions import BasePermission

from lms_site.organisation.api import Purpose, municipalities_of, scope_for

from .models import ApiClient


@dataclass(frozen=True)
class Caller:
    user: object
    municipality_ids: list[int] | None  # None: every municipality (the system administrator)
    personal_data: bool
    client: ApiClient | None = None
    # a 所属長's personal data: only people assigned today under this department path (None: everyone)
    subtree_path: str | None = None


def caller_of(request) -> Caller:
    token = request.auth
    if isinstance(token, AccessToken):
        client = (
            ApiClient._base_manager.filter(application_id=token.application_id, revoked_at__isnull=True)
            .select_related("municipality", "service_user")
            .first()
        )
        if client is None:
            return Caller(user=request.user, municipality_ids=[], personal_data=False)
        return Caller(  # a client-credentials token has no user of its own: the client's service user acts
            user=client.service_user,
            municipality_ids=[client.municipality_id],
            personal_data=True,
            client=client,
        )
    user = request.user
    ids = municipalities_of(user)
    may_see_people = user.has_perm("organisation.view_personal_data")
    if may_see_people and user.has_perm("analytics.view_organisation"):  # 人事課: the whole municipality
        return Caller(user=user, municipality_ids=ids, personal_data=True)
    if may_see_people and user.has_perm("organisation.view_department_reports"):
        # a 所属長: the people of the department they head today, and below it, as on the pages
        headed = scope_for(user, purpose=Purpose.HEADED)
        if headed is not None:
            return Caller(
                user=user, municipality_ids=ids, personal_data=True, subtree_path=headed.subtree_path
            )
    return Caller(user=user, municipality_ids=ids, personal_data=False)


class ScopedAccess(BasePermission):
    """A token needs the ``read`` scope to read and ``write`` to write; a person needs to be signed in (the
    view asks for more where its data needs it)."""

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, AccessToken):
            return TokenHasReadWriteScope().has_permission(request, view)
        return bool(request.user and request.user.is_authenticated)


class PersonalData(BasePermission):
    """Staff and their learning: machine clients of the municipality, and people whose role sees it."""

    def has_permission(self, request, view) -> bool:
        return view.caller.personal_data


class DepartmentReader(BasePermission):
    def has_permission(self, request, view) -> bool:
        caller = view.caller
        return caller.client is not None or caller.user.has_perm("organisation.view_department")

"""Leavers (退職者) lose their access on the day (ADR 0013).

A person has left when their staff profile is no longer 在職, or when they have had assignments and none is in
force today or later (the last one ended and nobody gave them a successor). Three things follow:

* ``CachedModelBackend`` refuses their sign-in and resolves their sessions to nobody from that day on (the
  condition is part of the one query that loads the signed-in user on each request), with or without a
  nightly run, whatever the session engine.
* ``user_retire`` (the staff import's retirement) also makes it explicit: the account is deactivated, its
  role groups are removed (the permission cache is invalidated by the group signal) and its sessions are
  deleted, so that nothing of them comes back if the person is hired again.
* ``user_rehire``: a person who comes back gets an active account with the learner role only; any other
  role is granted again, deliberately, by whoever grants roles.
"""

import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .models import Assignment, StaffProfile


def leaver_condition(on: datetime.date) -> Q:
    """The condition on users (as a ``Q`` on the user model) that they had left the staff by ``on``.

    Users without a staff profile (external advisors, the system administrator) never match, nor do staff
    without any assignment yet (being set up).
    """
    assignments = Assignment._base_manager.filter(staff__user=OuterRef("pk"))
    in_force_or_later = assignments.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    not_employed = StaffProfile._base_manager.filter(user=OuterRef("pk"), is_active=False)
    return Q(Exists(not_employed)) | (Q(Exists(assignments)) & ~Q(Exists(in_force_or_later)))


def has_left(user, *, on: datetime.date | None = None) -> bool:
    """Whether ``user`` had left the staff by ``on`` (today by default); one query."""
    from .tenancy import platform_wide

    on = on or timezone.localdate()
    # Asked at sign-in, before the person has a scope: under row-level security a scoped (or unscoped)
    # query would see no staff record and no assignment, and take a leaver for someone who never left.
    with platform_wide():
        return get_user_model()._default_manager.filter(leaver_condition(on), pk=user.pk).exists()


def user_retire(user) -> None:
    """End a leaver's access: no sign-in, no role, no session (call inside the retiring transaction)."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    user.groups.clear()  # m2m_changed: every cached permission set goes stale (auth_backends)
    sessions_end(user_ids={user.pk})


def user_rehire(user, *, learners: Group) -> None:
    """A person who comes back: an active account holding the learner role only."""
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    user.groups.set([learners])


def sessions_end(*, user_ids: set[int]) -> int:
    """Delete every unexpired session of these users, through the configured session engine, so that the
    cached copy of a ``cached_db`` session goes as well as its row. Sessions do not say whose they are
    outside their encoded data, so each unexpired one is decoded: this runs at retirement, not per request.
    """
    if not user_ids:
        return 0
    wanted = {str(pk) for pk in user_ids}
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) in wanted:
            store(session_key=session.session_key).delete()
            ended += 1
    return ended

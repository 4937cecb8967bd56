"""Who may see whom: one scope, read as a query and as a test on one person (ADR 0016, "One scope").

A ``Scope`` is the set of people (staff records) someone may see for one purpose:

* ``municipality_id``: the municipality they act in; ``None`` for every municipality (a system
  administrator without a staff record, ADR 0016);
* ``subtree_path``: ``""`` for the whole municipality, else the path of the department a 所属長 heads on
  ``on``: only people assigned that day to it or below it;
* ``personal_data``: whether names and exact small counts may be shown; without it, only suppressed
  aggregates (ADR 0006, 0012).

``scope_for(user, on=..., purpose=...)`` decides it; ``None`` means nobody.

* ``Purpose.REPORTS`` (/hr/, the default): 人事課 (``analytics.view_organisation``) the whole municipality,
  with personal data if they hold ``view_personal_data``; a 所属長 (``view_department_reports``) the
  subtree they head that day (nothing if they head none); DX推進課 (``analytics.view_summary``) the whole
  municipality without personal data; the system administrator every municipality.
* ``Purpose.PROGRAMME`` (verifying evidence, running certification, acting on certificates): the
  municipality of the person's staff record with personal data; every municipality for a superuser. The
  caller checks the permission (``is_reviewer``): the scope only says whose records.
* ``Purpose.HEADED``: the subtree the person heads that day, whatever else they may see.

Not scopes: a capstone's candidate, its 所属長 (the nearest head of the candidate's department,
``department_heads``) and its assigned advisor see it by their relation to that capstone. External
advisors see no one's personal data through a scope, and a prefecture official only its municipalities'
snapshots (ADR 0016, "The prefecture").

``scope.q(path)`` filters any model by the path from it to its ``StaffProfile`` (``""`` for staff records
themselves, ``"user__staff_profile"`` for evidence); ``scope.allows(owner)`` asks the same of one person,
from the same three fields, so the list and the detail page cannot disagree. A row stamped with a
municipality rather than reached through a person (a certificate's issuing municipality) is asked with
``scope.covers_municipality(municipality_id)``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Assignment, StaffProfile
from .selectors import department_headed, profile_of

__all__ = ["Purpose", "Scope", "profile_of", "scope_for"]


class Purpose(StrEnum):
    REPORTS = "reports"
    PROGRAMME = "programme"
    HEADED = "headed"


@dataclass(frozen=True)
class Scope:
    municipality_id: int | None  # None: every municipality
    subtree_path: str = ""  # "" the whole municipality, else the department path the subtree starts at
    personal_data: bool = False
    on: datetime.date | None = None  # the day whose assignments place people in the subtree
    department_id: int | None = None  # the department the subtree starts at (None: whole municipality)

    @property
    def platform_wide(self) -> bool:
        return self.municipality_id is None

    def _subtree_staff(self) -> QuerySet[Assignment]:
        return Assignment.objects.on(self.on).filter(department__path__startswith=self.subtree_path)

    def q(self, path_to_staff: str = "") -> Q:
        """The people in scope, as a filter on a model whose path to its ``StaffProfile`` is
        ``path_to_staff`` (a subtree adds one subquery, no query of its own)."""
        prefix = f"{path_to_staff}__" if path_to_staff else ""
        query = Q()
        if self.municipality_id is not None:
            query &= Q(**{f"{prefix}municipality_id": self.municipality_id})
        if self.subtree_path:
            query &= Q(**{f"{prefix}pk__in": self._subtree_staff().values("staff_id")})
        return query

    def allows(self, owner) -> bool:
        """Whether ``owner`` (a user or a staff record) is in scope: what ``q`` would answer for them (no
        query for a municipality; one for a subtree)."""
        if self.platform_wide and not self.subtree_path:
            return True
        profile = owner if isinstance(owner, StaffProfile) else profile_of(owner)
        if profile is None:
            return False
        if self.municipality_id is not None and profile.municipality_id != self.municipality_id:
            return False
        return not self.subtree_path or self._subtree_staff().filter(staff_id=profile.pk).exists()

    def covers_municipality(self, municipality_id: int | None) -> bool:
        """Whether the scope takes in the whole of ``municipality_id`` (no query): for a row stamped with
        a municipality rather than reached through a person, such as a certificate's issuing municipality,
        which stays when its holder moves. Every municipality for a platform-wide scope; a subtree never
        takes in a whole municipality."""
        if self.subtree_path:
            return False
        return self.platform_wide or self.municipality_id == municipality_id


def scope_for(user, *, on: datetime.date | None = None, purpose: Purpose = Purpose.REPORTS) -> Scope | None:
    """Whom ``user`` may see for ``purpose`` on ``on`` (today by default); None: nobody. See the module."""
    if user is None or not user.is_authenticated:
        return None
    on = on or timezone.localdate()
    profile = profile_of(user)
    if purpose is Purpose.PROGRAMME:
        if user.is_superuser:
            return Scope(None, personal_data=True, on=on)
        return Scope(profile.municipality_id, personal_data=True, on=on) if profile is not None else None
    if purpose is Purpose.HEADED:
        return _headed(user, on=on, personal_data=True)
    personal = user.has_perm("organisation.view_personal_data")
    if user.has_perm("analytics.view_organisation"):
        return _whole(user, profile, on=on, personal_data=personal)
    if user.has_perm("organisation.view_department_reports"):
        return _headed(user, on=on, personal_data=personal)
    if user.has_perm("analytics.view_summary"):
        return _whole(user, profile, on=on, personal_data=False)
    return None


def _whole(user, profile, *, on, personal_data: bool) -> Scope | None:
    if profile is not None:
        return Scope(profile.municipality_id, personal_data=personal_data, on=on)
    if user.is_superuser:
        return Scope(None, personal_data=personal_data, on=on)
    return None


def _headed(user, *, on, personal_data: bool) -> Scope | None:
    head = department_headed(user=user, on=on)
    if head is None:
        return None
    return Scope(head.municipality_id, head.path, personal_data=personal_data, on=on, department_id=head.pk)

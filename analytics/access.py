"""Who sees what on /hr/: the scope (whole municipality or the 所属長's subtree) and whether small cells
are suppressed. One place, used by every view and export (see ADR 0006); the rule itself is the
organisation's scope for reports (``lms_site.organisation.scope``, ADR 0016 "One scope").

* 人事課 (``analytics.view_organisation`` + ``organisation.view_personal_data``): the whole municipality,
  exact numbers, talent search.
* 所属長 (``organisation.view_department_reports`` + ``view_personal_data``): only the subtree they head,
  exact numbers (they already see their own staff), talent search within it.
* DX推進課 (``analytics.view_summary``, no personal data): the whole municipality, small cells suppressed,
  no talent search.
* Anyone may ask for the 公表用 (publication) view, which suppresses as for DX推進課.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from lms_site.organisation.api import Municipality, Purpose, profile_of, scope_for

from . import frames


@dataclass(frozen=True)
class Viewer:
    municipality_id: int
    top: int  # the node key the viewer's scope starts at (frames.ALL for the whole municipality)
    top_path: str  # department path prefix of the scope ("" for the whole municipality)
    personal_data: bool  # may see exact small counts and names
    can_edit_targets: bool
    can_run_snapshot: bool

    def suppressed(self, *, publish: bool = False) -> bool:
        return publish or not self.personal_data


def viewer_for(user, *, today: datetime.date | None = None) -> Viewer | None:
    """The viewer's scope (``organisation.scope``, for reports), or None when they may not see HR analytics
    at all. A system administrator without a staff record reads the first municipality."""
    scope = scope_for(user, on=today or timezone.localdate(), purpose=Purpose.REPORTS)
    if scope is None:
        return None
    # The municipality of the viewer's staff record, loaded with the signed-in user (no query; it was read
    # again here, through the tenant-scoped manager, before the scope existed).
    profile = profile_of(user)
    municipality_id = profile.municipality_id if profile is not None else None
    if municipality_id is None and scope.platform_wide:
        municipality_id = Municipality.objects.order_by("pk").values_list("pk", flat=True).first()
    if municipality_id is None:
        return None
    top = frames.ALL if scope.department_id is None else scope.department_id
    return Viewer(
        municipality_id=municipality_id,
        top=top,
        top_path=scope.subtree_path,
        personal_data=scope.personal_data,
        can_edit_targets=top == frames.ALL and user.has_perm("analytics.change_developmenttarget"),
        can_run_snapshot=user.has_perm("analytics.run_snapshot"),
    )

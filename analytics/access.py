"""Who sees what on /hr/: the scope (whole municipality or the 所属長's subtree) and whether small cells
are suppressed. One place, used by every view and export (see ADR 0006).

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

from lms_site.organisation.models import Municipality
from lms_site.organisation.selectors import managed_departments

from . import frames, selectors


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
    """The viewer's scope, or None when they may not see HR analytics at all."""
    if not user.is_authenticated:
        return None
    today = today or timezone.localdate()
    municipality_id = selectors.municipality_of(user)
    if municipality_id is None and user.is_superuser:
        municipality_id = Municipality.objects.order_by("pk").values_list("pk", flat=True).first()
    if municipality_id is None:
        return None
    personal = user.has_perm("organisation.view_personal_data")
    if user.has_perm("analytics.view_organisation"):
        top, path = frames.ALL, ""
    elif user.has_perm("organisation.view_department_reports"):
        head = managed_departments(user=user, on=today).values("id", "path").first()
        if head is None:
            return None
        top, path = head["id"], head["path"]
    elif user.has_perm("analytics.view_summary"):
        top, path, personal = frames.ALL, "", False
    else:
        return None
    return Viewer(
        municipality_id=municipality_id,
        top=top,
        top_path=path,
        personal_data=personal,
        can_edit_targets=top == frames.ALL and user.has_perm("analytics.change_developmenttarget"),
        can_run_snapshot=user.has_perm("analytics.run_snapshot"),
    )

"""/hr/audit/: the personal-data access log, for 人事課 of the same municipality and the administrator
(permission ``organisation.view_personaldataaccess``). Searching it and exporting it are logged too."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from lms_site.organisation.api import (
    PersonalDataAccess,
    Role,
    access_view_label,
    personal_data_access_log,
    personal_data_access_rows,
    profile_of,
    user_roles,
)

from . import exports, selectors
from .forms import AccessLogSearchForm
from .tables import ReportTable

PER_PAGE = 50
EXPORT_LIMIT = 50_000
FORMATS = {
    "csv": (exports.table_csv, exports.CSV_CONTENT_TYPE),
    "xlsx": (exports.table_xlsx, exports.XLSX_CONTENT_TYPE),
}


def _scope(user) -> int | None:
    """The municipality whose log ``user`` may read; None (every municipality) only for the administrator
    without one. Anyone else: 403."""
    if not user.has_perm("organisation.view_personaldataaccess"):
        raise PermissionDenied
    municipality_id = selectors.municipality_of(user)
    if municipality_id is None and Role.ADMIN not in user_roles(user):
        raise PermissionDenied
    return municipality_id


def _person(user) -> str:
    profile = profile_of(user)
    return str(profile) if profile is not None else user.get_username()


def _table(rows: list[PersonalDataAccess], note: str = "") -> ReportTable:
    return ReportTable(
        name="access-log",
        title=_("個人データの閲覧記録"),
        columns=[_("日時"), _("閲覧者"), _("閲覧された職員"), _("画面・出力"), _("条件"), _("件数")],
        rows=[
            [
                timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S"),
                _person(row.viewer),
                str(row.subject) if row.subject is not None else "",
                access_view_label(row.view),
                json.dumps(row.parameters, ensure_ascii=False, sort_keys=True) if row.parameters else "",
                row.rows,
            ]
            for row in rows
        ],
        note=note,
    )


@login_required
def access_log(request):
    municipality_id = _scope(request.user)
    form = AccessLogSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "analytics/access_log.html", {"form": form}, status=400)
    filters = form.cleaned_data if form.is_bound else {}
    found = personal_data_access_rows(
        municipality_id=municipality_id,
        viewer=filters.get("viewer", ""),
        person=filters.get("person", ""),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    parameters = {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in filters.items()
        if value
    }
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        rows = list(found[: EXPORT_LIMIT + 1])
        note = (
            _("先頭の%(limit)s件までです。期間を絞って出力してください。") % {"limit": f"{EXPORT_LIMIT:,}"}
            if len(rows) > EXPORT_LIMIT
            else ""
        )
        table = _table(rows[:EXPORT_LIMIT], note)
        personal_data_access_log(
            viewer=request.user,
            view=f"hr_audit_{fmt}",
            parameters=parameters,
            rows=len(table.rows),
            municipality_id=municipality_id,
        )
        write, content_type = FORMATS[fmt]
        response = HttpResponse(write(table), content_type=content_type)
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="hr-access-log-{stamp}.{fmt}"'
        response["Cache-Control"] = "private, no-store"
        return response
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    personal_data_access_log(
        viewer=request.user,
        view="hr_audit",
        parameters={**parameters, "page": page.number},
        rows=len(page.object_list),
        municipality_id=municipality_id,
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    context = {
        "form": form,
        "page": page,
        "table": _table(list(page.object_list)),
        "query": query.urlencode(),
    }
    return render(request, "analytics/access_log.html", context)

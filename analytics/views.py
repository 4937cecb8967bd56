"""/hr/: the HR dashboard, its exports, talent search, targets and the snapshot run. Views parse the
request, ask ``access`` for the viewer's scope, call one report or service, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms_site.organisation.api import JobGrade, Municipality

from . import access, exports, frames, prefecture, reports, selectors, services
from .forms import DashboardFilterForm, TalentSearchForm, TargetRowForm, fiscal_year_choices
from .models import SnapshotRun, SnapshotStatus

FORMATS = {
    "csv": (exports.table_csv, exports.CSV_CONTENT_TYPE),
    "xlsx": (exports.table_xlsx, exports.XLSX_CONTENT_TYPE),
}


def _viewer(request) -> access.Viewer:
    viewer = access.viewer_for(request.user)
    if viewer is None:
        raise PermissionDenied
    return viewer


def _dashboard(
    request, viewer: access.Viewer, *, audit_as: str
) -> tuple[reports.Dashboard, dict, DashboardFilterForm]:
    form = DashboardFilterForm(request.GET or None)
    filters = form.values()
    dashboard = reports.dashboard_for(viewer, filters)
    if not dashboard.suppressed:
        services.personal_data_access_log(
            user=request.user,
            view=audit_as,
            parameters=_parameters(filters),
            rows=0,
            municipality_id=viewer.municipality_id,
        )
    return dashboard, filters, form


def _parameters(filters: dict) -> dict:
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in filters.items()
    }


@login_required
def dashboard(request):
    viewer = _viewer(request)
    board, filters, form = _dashboard(request, viewer, audit_as="hr_dashboard")
    query = request.GET.copy()
    query.pop("dept", None)
    context = {
        "comparison": _prefecture_comparison(viewer),
        "dashboard": board,
        "filters": filters,
        "form": form,
        "viewer": viewer,
        "query": query.urlencode(),
        "export_query": request.GET.urlencode(),
        "competencies": board.coverage.competencies,
        "latest_run": SnapshotRun.objects.filter(municipality_id=viewer.municipality_id).first()
        if viewer.can_run_snapshot
        else None,
    }
    return render(request, "analytics/dashboard.html", context)


def _prefecture_comparison(viewer: access.Viewer):
    """The municipality beside its prefecture's average (last closed month: cached until the month ends)."""
    today = timezone.localdate()
    own = viewer.personal_data
    key = f"analytics:prefecture-comparison:{viewer.municipality_id}:{int(own)}:{today:%Y-%m}"
    found = cache.get(key)
    if found is None:
        municipality = Municipality.objects.get(pk=viewer.municipality_id)
        found = (prefecture.prefecture_comparison(municipality=municipality, today=today, own=own),)
        cache.set(key, found, timeout=6 * 3600)
    return found[0]


@login_required
@transaction.atomic  # the audit row is kept only with the file it records (a failed export leaves none)
def export(request, name: str, fmt: str):
    viewer = _viewer(request)
    if fmt not in FORMATS:
        raise Http404
    board, filters, _form = _dashboard(request, viewer, audit_as=f"hr_export_{name}_{fmt}"[:50])
    table = board.tables.get(name)
    if table is None:
        raise Http404
    return _file(table, fmt, filters["on"])


def _file(table, fmt: str, on) -> HttpResponse:
    write, content_type = FORMATS[fmt]
    response = HttpResponse(write(table), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="hr-{table.name}-{on.isoformat()}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@transaction.atomic  # the audit row is kept only with the page or file it records
def talent(request):
    viewer = _viewer(request)
    if not viewer.personal_data:
        raise PermissionDenied
    competencies = selectors.competencies_rows()
    form = TalentSearchForm(request.GET or None, competencies=competencies)
    table = None
    if form.is_valid():
        competency = next(c for c in competencies if c["code"] == form.cleaned_data["competency"])
        on = form.cleaned_data["on"] or timezone.localdate()
        level = form.cleaned_data["level"]
        rows = selectors.talent_rows(
            on=on,
            competency_id=competency["id"],
            level=level,
            municipality_id=viewer.municipality_id,
            path_prefix=viewer.top_path,
        )
        table = reports.talent_table(
            rows=rows, competency=competency, level=level, grades=dict(JobGrade.choices)
        )
        fmt = request.GET.get("format")
        response = _file(table, fmt, on) if fmt in FORMATS else None  # built before it is recorded
        services.personal_data_access_log(
            user=request.user,
            view=f"hr_talent_{fmt}" if fmt in FORMATS else "hr_talent",
            parameters={"competency": competency["code"], "level": level, "on": on.isoformat()},
            rows=len(rows),
            municipality_id=viewer.municipality_id,
        )
        if response is not None:
            return response
    return render(
        request,
        "analytics/talent.html",
        {"form": form, "table": table, "limit": selectors.TALENT_LIMIT, "query": request.GET.urlencode()},
    )


@login_required
def targets(request):
    viewer = _viewer(request)
    if not viewer.can_edit_targets:
        raise PermissionDenied
    today = timezone.localdate()
    years = fiscal_year_choices(today)
    try:
        year = int(request.GET.get("year") or frames.fiscal_year(today))
    except ValueError:
        year = frames.fiscal_year(today)
    if year not in years:
        year = frames.fiscal_year(today)
    departments = [
        d
        for d in selectors.departments_rows(municipality_id=viewer.municipality_id)
        if d["kind"] in ("bu", "ka")
    ]
    existing = {
        t["department_id"]: t
        for t in selectors.targets_rows(municipality_id=viewer.municipality_id, fiscal_year=year)
    }
    data = request.POST if request.method == "POST" else None
    rows = []
    for department in departments:
        initial = existing.get(department["id"], {})
        form = TargetRowForm(
            data,
            prefix=f"d{department['id']}",
            initial={"leaders": initial.get("leaders"), "basic_share": initial.get("basic_share")},
        )
        rows.append((department, form))
    if data is not None:
        if all(form.is_valid() for _department, form in rows):
            count = services.targets_save(
                municipality_id=viewer.municipality_id,
                fiscal_year=year,
                rows={
                    department["id"]: (
                        None
                        if form.cleaned_data["leaders"] is None and form.cleaned_data["basic_share"] is None
                        else form.cleaned_data
                    )
                    for department, form in rows
                },
            )
            messages.success(
                request,
                _("%(year)d年度の育成目標を保存しました(%(count)d件)。") % {"year": year, "count": count},
            )
            return redirect(f"{request.path}?year={year}")
        messages.error(request, _("入力に誤りがあります。赤字の項目を確認してください。"))
    return render(
        request,
        "analytics/targets.html",
        {"rows": rows, "year": year, "years": years},
        status=400 if data is not None else 200,
    )


@login_required
@require_POST
def snapshot_run(request):
    viewer = _viewer(request)
    if not viewer.can_run_snapshot:
        raise PermissionDenied
    municipality = get_object_or_404(Municipality, pk=viewer.municipality_id)
    run = services.snapshot_run_create(municipality=municipality, on=timezone.localdate(), user=request.user)
    if run.status == SnapshotStatus.FAILED:  # not queued: the broker is down
        messages.error(request, run.error)
    return redirect("analytics:snapshot_status", run_id=run.pk)


@login_required
def snapshot_status(request, run_id: int):
    viewer = _viewer(request)
    if not viewer.can_run_snapshot:
        raise PermissionDenied
    run = get_object_or_404(SnapshotRun, pk=run_id, municipality_id=viewer.municipality_id)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": run.status,
                "label": run.get_status_display(),
                "percent": run.percent,
                "done": run.status in (SnapshotStatus.DONE, SnapshotStatus.FAILED),
            }
        )
    return render(request, "analytics/snapshot_status.html", {"run": run})

"""/pref/: a prefecture's view of its municipalities, aggregates only (``prefecture.prefecture_report``).

Open to the 都道府県 role (``analytics.view_prefecture``) of a person whose staff record is in a prefecture:
they see the municipalities of that prefecture and no other. The system administrator chooses one
(``?code=``). Nothing here is personal data, so nothing is written to the personal-data audit log.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from lms_site.organisation.api import Municipality, MunicipalityKind, profile_of

from .forms import PrefectureFilterForm
from .prefecture import prefecture_report
from .views import FORMATS, _file


def prefecture_of(request) -> Municipality:
    """The prefecture the signed-in person may see, or 403."""
    user = request.user
    if not user.has_perm("analytics.view_prefecture"):
        raise PermissionDenied
    if user.is_superuser and request.GET.get("code"):
        prefectures = Municipality.objects.filter(kind=MunicipalityKind.PREFECTURE)
        found = prefectures.filter(code=request.GET["code"]).first()
        if found is None:
            raise Http404
        return found
    profile = profile_of(user)
    if profile is None or not profile.is_active or profile.municipality.kind != MunicipalityKind.PREFECTURE:
        raise PermissionDenied
    return profile.municipality


def _report(request):
    prefecture = prefecture_of(request)
    municipalities = Municipality.objects.in_prefecture(prefecture).order_by("code")
    form = PrefectureFilterForm(request.GET or None, municipalities=municipalities)
    filters = form.values()
    report = prefecture_report(
        prefecture=prefecture,
        today=timezone.localdate(),
        month=filters["month"],
        level=filters["level"],
        only=filters["municipality"],
    )
    return report, filters, form


@login_required
def prefecture(request):
    report, filters, form = _report(request)
    return render(
        request,
        "analytics/prefecture.html",
        {"report": report, "filters": filters, "form": form, "export_query": request.GET.urlencode()},
    )


@login_required
def prefecture_export(request, name: str, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    report, _filters, _form = _report(request)
    table = report.tables.get(name)
    if table is None or report.month is None:
        raise Http404
    response = _file(table, fmt, report.month)
    response["Content-Disposition"] = response["Content-Disposition"].replace('"hr-', '"pref-')
    return response

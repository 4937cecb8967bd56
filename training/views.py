"""/hr/training/: HR and 所属長 assign training and follow it (DX推進課 reads the report's suppressed
aggregates); /me/ starts with the learner's 「やること」, and /me/training.ics carries their due dates to a
calendar."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from analytics import access, exports
from analytics.services import personal_data_access_log
from lms_site.organisation.api import Department, StaffProfile, profile_of, staff_in_department

from . import calendar, reports, selectors, services
from .forms import ExemptForm, RuleForm
from .models import TrainingDue, TrainingRule

FORMATS = {
    "csv": (exports.table_csv, exports.CSV_CONTENT_TYPE),
    "xlsx": (exports.table_xlsx, exports.XLSX_CONTENT_TYPE),
}


class Scope:
    """Who is assigning or reading: HR (the whole municipality) or a 所属長 (the subtree they head); or,
    reading only, DX推進課 (the whole municipality, ``suppressed``: aggregates without personal data)."""

    def __init__(self, viewer: access.Viewer) -> None:
        self.municipality_id = viewer.municipality_id
        self.subtree = Department.objects.get(pk=viewer.top) if viewer.top_path else None
        self.path = viewer.top_path
        self.suppressed = not viewer.personal_data


def _scope(request) -> Scope:
    """HR or a 所属長: every view that writes, or shows people."""
    viewer = access.viewer_for(request.user)
    if (
        viewer is None
        or not viewer.personal_data
        or not request.user.has_perm("training.view_training_report")
    ):
        raise PermissionDenied
    return Scope(viewer)


def _read_scope(request) -> Scope:
    """The report's read-only views: as ``_scope``, and DX推進課 (no personal data) for the whole
    municipality, who read the suppressed report (``reports.published_reports``)."""
    viewer = access.viewer_for(request.user)
    if viewer is None or not request.user.has_perm("training.view_training_report"):
        raise PermissionDenied
    if not viewer.personal_data and viewer.top_path:  # suppressed aggregates are the whole municipality's
        raise PermissionDenied
    return Scope(viewer)


def _rule(scope: Scope, rule_id: int) -> TrainingRule:
    """A rule the viewer manages; 404 for any other (another municipality's, or outside the subtree)."""
    rules = TrainingRule.objects.filter(municipality_id=scope.municipality_id).select_related(
        "course", "quiz"
    )
    if scope.path:
        rules = rules.filter(department__path__startswith=scope.path)
    return get_object_or_404(rules, pk=rule_id)


@login_required
def rule_list(request):
    scope = _read_scope(request)
    today = timezone.localdate()
    rules = selectors.rules_for(municipality_id=scope.municipality_id, subtree_path=scope.path)
    if scope.suppressed:  # each rule's whole-municipality row of its suppressed report, nothing finer
        cycles = {rule.pk: reports.rule_cycles(rule=rule, today=today)[-1] for rule in rules}
        published = reports.published_reports(rules=rules, cycles=cycles, today=today)
        summaries = [published[rule.pk] for rule in rules]
    else:
        summaries = reports.rule_summaries(rules=rules, subtree_path=scope.path, today=today)
    return render(
        request,
        "training/rule_list.html",
        {
            "rows": list(zip(rules, summaries, strict=True)),
            "subtree": scope.subtree,
            "suppressed": scope.suppressed,
        },
    )


@login_required
def rule_new(request):
    scope = _scope(request)
    if not request.user.has_perm("training.add_trainingrule"):
        raise PermissionDenied
    form = RuleForm(request.POST or None, municipality_id=scope.municipality_id, subtree=scope.subtree)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            rule, count = services.rule_create(
                spec=form.spec(),
                municipality=_municipality(scope),
                created_by=request.user,
                subtree=scope.subtree,
            )
        except ValidationError as exc:
            problems = exc.messages
        else:
            messages.success(
                request,
                _("「%(title)s」を%(count)s人に指示しました。") % {"title": rule.title, "count": count},
            )
            return redirect("training:rule_detail", rule_id=rule.pk)
    return render(
        request, "training/rule_form.html", {"form": form, "problems": problems, "subtree": scope.subtree}
    )


def _municipality(scope: Scope):
    from lms_site.organisation.api import Municipality

    return Municipality.objects.get(pk=scope.municipality_id)


def _report(request, scope: Scope, rule: TrainingRule):
    """The report the viewer reads: exact as of today, or (``scope.suppressed``) the suppressed one."""
    today = timezone.localdate()
    cycles = reports.rule_cycles(rule=rule, today=today)
    try:
        cycle = int(request.GET.get("cycle", cycles[-1]))
    except ValueError:
        cycle = cycles[-1]
    if cycle not in cycles:
        raise Http404
    if scope.suppressed:
        report = reports.published_reports(rules=[rule], cycles={rule.pk: cycle}, today=today)[rule.pk]
    else:
        report = reports.rule_report(rule=rule, cycle=cycle, subtree_path=scope.path, today=today)
    return report, cycles, cycle


@login_required
@transaction.atomic  # the access-log row is kept only with the page it records
def rule_detail(request, rule_id: int):
    scope = _read_scope(request)
    rule = _rule(scope, rule_id)
    report, cycles, cycle = _report(request, scope, rule)
    people, status, query = None, "", ""
    if not scope.suppressed:  # the suppressed report shows nothing personal: nothing to log
        status = request.GET.get("status", "")
        status = status if status in selectors.STATUS_ORDER else ""
        shown = [row for row in report.dues if not status or row[1].status == status]
        people = Paginator(shown, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
        query = urlencode({"cycle": cycle, **({"status": status} if status else {})})
        personal_data_access_log(
            user=request.user,
            view="training_report",
            parameters={"rule": rule.pk, "cycle": cycle, "status": status, "page": people.number},
            rows=len(people.object_list),
        )
    return render(
        request,
        "training/rule_detail.html",
        {
            "rule": rule,
            "report": report,
            "people": people,
            "people_rows": _people_rows(request, rule, people.object_list) if people else [],
            "status": status,
            "statuses": _status_filters(report) if people else [],
            "query": query,
            "csrf_input": csrf_input(request),  # one token for every row's form (not one per row)
            "cycles": cycles,
            "cycle": cycle,
            "suppressed": scope.suppressed,
        },
    )


# The people table shows a page of people at a time, filtered by status (HR's question is usually "who is
# overdue?"); the whole list is the people export.
PEOPLE_PER_PAGE = 50


def _status_filters(report) -> list[tuple[str, str, int]]:
    """(value, label, people) of each filter of the people table, everyone first."""
    return [("", _("すべて"), report.summary.assigned)] + [
        (key, label, count) for key, label, count in report.summary.items()
    ]


def _people_rows(request, rule: TrainingRule, rows: list[tuple]) -> list[tuple]:
    """The people table's rows: (due, progress, department, the exempt form's address or None without the
    permission, its reason field's label). What is the same on every row is worked out once, not per row
    in the template."""
    if not rows:
        return []
    can_exempt = request.user.has_perm("training.change_trainingdue")
    marker = 999999999
    address = reverse("training:due_exempt", args=[rule.pk, marker]) if can_exempt else ""
    return [
        (
            due,
            progress,
            department,
            address.replace(str(marker), str(due.pk)) if can_exempt else None,
            _("%(name)sさんの免除の理由") % {"name": due.staff.full_name},
        )
        for due, progress, department in rows
    ]


EXPORTS = ("departments", "trend", "people")


@login_required
@transaction.atomic  # the access-log row is kept only with the file it records
def rule_export(request, rule_id: int, name: str, fmt: str):
    scope = _read_scope(request)
    rule = _rule(scope, rule_id)
    if fmt not in FORMATS or name not in EXPORTS:
        raise Http404
    if name == "people" and scope.suppressed:
        raise PermissionDenied  # names: only for roles with personal data
    report, _cycles, cycle = _report(request, scope, rule)
    table = getattr(report, name)
    write, content_type = FORMATS[fmt]
    response = HttpResponse(write(table), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="training-{rule.pk}-{cycle}-{name}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    if not scope.suppressed:
        personal_data_access_log(
            user=request.user,
            view=f"training_export_{name}_{fmt}",
            parameters={"rule": rule.pk, "cycle": cycle},
            rows=len(table.rows),
        )
    return response


@login_required
@require_POST
def due_exempt(request, rule_id: int, due_id: int):
    scope = _scope(request)
    if not request.user.has_perm("training.change_trainingdue"):
        raise PermissionDenied
    rule = _rule(scope, rule_id)
    dues = TrainingDue.objects.filter(rule=rule).select_related("staff")
    if scope.path:
        today = timezone.localdate()
        dues = dues.filter(staff__in=staff_in_department(department=scope.subtree, on=today, subtree=True))
    due = get_object_or_404(dues, pk=due_id)
    if request.POST.get("withdraw"):
        services.due_exemption_withdraw(due=due)
        messages.success(request, _("%(name)sさんの免除を取り消しました。") % {"name": due.staff.full_name})
    else:
        form = ExemptForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("免除の理由を200文字以内で入力してください。"))
            services.due_exempt(due=due, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(name)sさんを免除にしました。") % {"name": due.staff.full_name})
    back = {"cycle": due.cycle}  # the same filter and page of the people table
    if request.POST.get("status") in selectors.STATUS_ORDER:
        back["status"] = request.POST["status"]
    if request.POST.get("page", "").isdigit():
        back["page"] = request.POST["page"]
    return redirect(reverse("training:rule_detail", args=[rule.pk]) + f"?{urlencode(back)}#people")


@login_required
@require_POST
def rule_withdraw(request, rule_id: int):
    scope = _scope(request)
    if not request.user.has_perm("training.change_trainingrule"):
        raise PermissionDenied
    rule = _rule(scope, rule_id)
    services.rule_withdraw(rule=rule)
    messages.success(request, _("「%(title)s」の受講指示を取り消しました。") % {"title": rule.title})
    return redirect("training:rule_list")


def _own_staff(user) -> StaffProfile | None:
    return StaffProfile.objects.filter(user_id=user.pk).first() if user.is_authenticated else None


def me_todo_section(request):
    """/me/'s first section: the learner's assigned training, overdue first (None without a staff record)."""
    staff = profile_of(request.user)  # loaded with the signed-in user: no query of its own
    if staff is None:
        return None
    today = timezone.localdate()
    rows = selectors.learner_dues(staff=staff, today=today)
    return "training/me_todo.html", {"rows": rows, "today": today}


def me_todo_sources(user_id: int) -> list:
    """The rows ``me_todo_section`` reads (``courses.hooks.me_sources_register``): the learner's dues and
    their rules (the enrolments, retakes and attempts it also reads are the courses' and certification's
    sources)."""
    dues = TrainingDue._base_manager.filter(staff__user_id=user_id)
    return [dues, TrainingRule._base_manager.filter(pk__in=dues.values("rule_id"))]


@login_required
def todo_ics(request):
    """The learner's due dates as an iCalendar file (one all-day event per assigned item)."""
    staff = _own_staff(request.user)
    rows = selectors.learner_dues(staff=staff, today=timezone.localdate()) if staff else []
    body = calendar.dues_calendar(rows, site=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="training.ics"'
    response["Cache-Control"] = "private, no-store"
    return response

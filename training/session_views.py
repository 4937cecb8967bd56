"""Classroom sessions (集合研修) over HTTP: /sessions/ for learners (register, cancel, the invitation as
iCalendar), /hr/training/sessions/ for HR (schedule, follow) and the trainer's roll call, and the
所属長's approvals."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms_site.organisation.api import Municipality, profile_of

from . import calendar, sessions
from .forms import SessionForm
from .models import ClassSession, RegistrationStatus, SessionRegistration
from .views import _own_staff, _scope


def _with_counts(queryset):
    registered = Q(registrations__status=RegistrationStatus.REGISTERED)
    return queryset.select_related("course").annotate(
        registered_count=Count("registrations", filter=registered),
        waitlisted_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
        ),
    )


def _learner(request):
    staff = _own_staff(request.user)
    if staff is None:
        raise PermissionDenied
    return staff


def _current(session: ClassSession, staff) -> SessionRegistration | None:
    return (
        SessionRegistration.objects.filter(session=session, staff=staff)
        .order_by("-created_at", "-pk")
        .select_related("session__course")
        .first()
    )


@login_required
def session_list(request):
    """Upcoming sessions of the learner's municipality (of one course with ``?course=``), with their own
    registrations, and the sessions they teach (to reach the roll call)."""
    staff = _learner(request)
    now = timezone.now()
    upcoming = ClassSession.objects.filter(
        municipality_id=staff.municipality_id, cancelled_at__isnull=True, ends_at__gte=now
    )
    course = request.GET.get("course", "")
    if course.isdigit():
        upcoming = upcoming.filter(course_id=int(course))
    mine = dict(
        SessionRegistration.objects.filter(staff=staff, session__in=upcoming)
        .exclude(status=RegistrationStatus.CANCELLED)
        .values_list("session_id", "status")
    )
    labels = dict(RegistrationStatus.choices)
    rows = [(s, labels.get(mine.get(s.pk))) for s in _with_counts(upcoming)]
    teaching = ClassSession.objects.filter(trainer=request.user, cancelled_at__isnull=True).order_by(
        "-starts_at"
    )[:20]
    return render(request, "training/session_list.html", {"rows": rows, "teaching": teaching})


@login_required
def session_detail(request, session_id: int):
    """One session; POST ``action=register`` or ``action=cancel`` for the signed-in learner."""
    staff = _learner(request)
    session = get_object_or_404(
        _with_counts(ClassSession.objects.filter(municipality_id=staff.municipality_id)), pk=session_id
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "register":
                registration = sessions.session_register(session=session, staff=staff)
                messages.success(
                    request,
                    _("申し込みました(%(status)s)。") % {"status": registration.get_status_display()},
                )
            elif action == "cancel":
                current = _current(session, staff)
                if current is None:
                    raise ValidationError(_("この集合研修には申し込んでいません。"))
                sessions.registration_cancel(registration=current)
                messages.success(request, _("申込みを取り消しました。"))
            else:
                raise ValidationError(_("操作を選んでください(申し込む/取り消す)。"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("training:session_detail", session_id=session.pk)
    registration = _current(session, staff)
    if registration is not None and registration.status == RegistrationStatus.CANCELLED:
        active = None
    else:
        active = registration
    position = None
    if active is not None and active.status == RegistrationStatus.WAITLISTED:
        position = (
            SessionRegistration.objects.filter(session=session, status=RegistrationStatus.WAITLISTED)
            .filter(Q(created_at__lt=active.created_at) | Q(created_at=active.created_at, pk__lt=active.pk))
            .count()
            + 1
        )
    return render(
        request,
        "training/session_detail.html",
        {
            "session": session,
            "registration": registration,
            "active": active,
            "position": position,
            "open": session.cancelled_at is None and timezone.now() <= session.registration_deadline,
        },
    )


@login_required
def session_ics(request, session_id: int):
    """The learner's invitation to a session they applied for (a cancellation once cancelled)."""
    staff = _learner(request)
    session = get_object_or_404(
        ClassSession.objects.filter(municipality_id=staff.municipality_id), pk=session_id
    )
    registration = _current(session, staff)
    if registration is None:
        raise Http404
    body = calendar.registration_invitation(registration, site=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


def _hr(request):
    scope = _scope(request)
    if scope.path or not request.user.has_perm("training.add_classsession"):
        raise PermissionDenied  # sessions are scheduled for the whole municipality: HR's
    return scope


@login_required
def hr_session_list(request):
    scope = _hr(request)
    rows = _with_counts(ClassSession.objects.filter(municipality_id=scope.municipality_id)).order_by(
        "-starts_at", "-pk"
    )
    return render(request, "training/hr_session_list.html", {"sessions": rows, "now": timezone.now()})


def _hr_session(request, session_id: int) -> ClassSession:
    """A session of HR's municipality (another municipality's is not found: the manager is scoped)."""
    scope = _hr(request)
    return get_object_or_404(ClassSession, pk=session_id, municipality_id=scope.municipality_id)


def _initial(session: ClassSession) -> dict:
    local = lambda moment: timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
    trainer = profile_of(session.trainer) if session.trainer_id else None
    return {
        "title": session.title,
        "course": str(session.course_id),
        "starts_at": local(session.starts_at),
        "ends_at": local(session.ends_at),
        "venue": session.venue,
        "capacity": session.capacity,
        "registration_deadline": local(session.registration_deadline),
        "needs_manager_approval": session.needs_manager_approval,
        "trainer": trainer.employee_number if trainer else "",
    }


@login_required
def hr_session_edit(request, session_id: int):
    """HR changes a session that has not begun; a change of name, time or venue is announced."""
    session = _hr_session(request, session_id)
    form = SessionForm(
        request.POST or None, municipality_id=session.municipality_id, initial=_initial(session)
    )
    form.fields["course"].disabled = True  # registrations are for this course
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            session, told = sessions.session_update(session=session, spec=form.spec())
        except ValidationError as exc:
            problems = exc.messages
        else:
            messages.success(
                request,
                _("集合研修「%(title)s」を変更しました(お知らせした人: %(told)d 人)。")
                % {"title": session.title, "told": told},
            )
            return redirect("training:hr_session_list")
    context = {"form": form, "problems": problems, "session": session}
    return render(request, "training/session_form.html", context, status=400 if problems else 200)


@login_required
def hr_session_cancel(request, session_id: int):
    """GET asks HR to confirm (naming how many people will be told); POST calls the session off."""
    session = _hr_session(request, session_id)
    if request.method != "POST":
        people = SessionRegistration.objects.filter(session=session, status__in=sessions.ACTIVE).count()
        return render(request, "training/session_cancel.html", {"session": session, "people": people})
    try:
        told = sessions.session_cancel(session=session)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("集合研修「%(title)s」を中止しました(お知らせした人: %(told)d 人)。")
            % {"title": session.title, "told": told},
        )
    return redirect("training:hr_session_list")


@login_required
def hr_session_new(request):
    scope = _hr(request)
    form = SessionForm(request.POST or None, municipality_id=scope.municipality_id)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            session = sessions.session_create(
                spec=form.spec(),
                municipality=Municipality.objects.get(pk=scope.municipality_id),
                created_by=request.user,
            )
        except ValidationError as exc:
            problems = exc.messages
        else:
            messages.success(request, _("集合研修「%(title)s」を登録しました。") % {"title": session.title})
            return redirect("training:hr_session_list")
    return render(request, "training/session_form.html", {"form": form, "problems": problems})


@login_required
def roll_call(request, session_id: int):
    """The trainer's roll call: one checkbox per registered person, one POST (usable on a phone)."""
    # The request's scope already hides other municipalities' sessions (404).
    session = get_object_or_404(ClassSession.objects.select_related("course"), pk=session_id)
    if not sessions.can_take_roll(request.user, session):
        raise PermissionDenied
    problems: list[str] = []
    if request.method == "POST":
        try:
            present = {int(v) for v in request.POST.getlist("present")}
        except ValueError:
            problems = [_("出席者の指定が正しくありません。何も記録していません。")]
        else:
            try:
                count = sessions.roll_call_record(session=session, present=present, by=request.user)
            except ValidationError as exc:
                problems = exc.messages
            except PermissionError as exc:
                raise PermissionDenied from exc
            else:
                messages.success(request, _("出欠を記録しました(出席 %(count)s人)。") % {"count": count})
                return redirect("training:roll_call", session_id=session.pk)
    people = (
        SessionRegistration.objects.filter(session=session, status=RegistrationStatus.REGISTERED)
        .select_related("staff")
        .order_by("staff__family_name_kana", "staff__given_name_kana", "staff__pk")
    )
    return render(
        request, "training/roll_call.html", {"session": session, "people": people, "problems": problems}
    )


def _pending_for_head(request):
    """Applications awaiting approval whose applicant has the signed-in person as 所属長."""
    today = timezone.localdate()
    pending = SessionRegistration.objects.filter(
        status=RegistrationStatus.PENDING_APPROVAL, session__cancelled_at__isnull=True
    ).select_related("staff", "session")
    return [r for r in pending if sessions.is_department_head_of(request.user, r.staff, on=today)]


@login_required
def approvals(request):
    if not request.user.has_perm("organisation.view_department_reports"):
        raise PermissionDenied
    return render(request, "training/session_approvals.html", {"pending": _pending_for_head(request)})


@login_required
@require_POST
def decide(request, registration_id: int):
    registration = get_object_or_404(
        SessionRegistration.objects.select_related("session", "staff"), pk=registration_id
    )
    if not sessions.is_department_head_of(request.user, registration.staff, on=timezone.localdate()):
        raise PermissionDenied  # before reading the form: nobody else learns anything from the answer
    approve = request.POST.get("decision") == "approve"
    if request.POST.get("decision") not in ("approve", "reject"):
        messages.error(request, _("承認か不承認かを選んでください。"))
        return redirect("training:session_approvals")
    try:
        sessions.registration_decide(registration=registration, by=request.user, approve=approve)
    except PermissionError as exc:
        raise PermissionDenied from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        template = (
            _("%(name)sさんの申込みを承認しました。")
            if approve
            else _("%(name)sさんの申込みを承認しませんでした。")
        )
        messages.success(request, template % {"name": registration.staff.full_name})
    return redirect("training:session_approvals")

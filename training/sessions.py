"""Writes of classroom sessions (集合研修): HR schedules a session; staff register (waitlisted when it is
full, pending until their 所属長 approves when the session asks for it) and cancel; a cancelled seat goes
to the first person waiting; the trainer takes the roll, and attendance completes the course.

Every write that counts seats first locks the session row (``select_for_update``), so two cancellations
at once promote two different people, and the registered never exceed the capacity.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.api import enrollment_complete
from lms_site.organisation.api import Municipality, StaffProfile, department_heads, department_of

from .models import ClassSession, RegistrationStatus, SessionRegistration
from .services import offered_to_municipality

logger = logging.getLogger(__name__)

ACTIVE = (
    RegistrationStatus.PENDING_APPROVAL,
    RegistrationStatus.REGISTERED,
    RegistrationStatus.WAITLISTED,
)


@dataclass
class SessionSpec:
    """What HR asks for when scheduling a session: every field as submitted (not yet checked)."""

    title: str
    course: object | None  # a live CoursePage
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None
    venue: str
    capacity: int | None
    registration_deadline: datetime.datetime | None
    needs_manager_approval: bool = False
    trainer: object | None = None  # a user of the municipality


def _spec_problems(
    spec: SessionSpec,
    *,
    municipality: Municipality,
    now: datetime.datetime,
    current: ClassSession | None = None,
) -> list[str]:
    """Every problem of ``spec``; for a change of ``current``, a deadline kept as it was may have passed."""
    problems = []
    if not spec.title.strip():
        problems.append(_("名称を入力してください。"))
    if spec.course is None:
        problems.append(_("コースを選んでください。"))
    elif not spec.course.live:
        problems.append(_("コース「%(title)s」は公開されていません。") % {"title": spec.course.title})
    elif not offered_to_municipality(spec.course, municipality=municipality):
        problems.append(
            _("コース「%(title)s」はこの自治体に提供されていません。") % {"title": spec.course.title}
        )
    if not spec.venue.strip():
        problems.append(_("会場を入力してください。"))
    if spec.capacity is None or spec.capacity < 1:
        problems.append(_("定員は1人以上にしてください。"))
    if spec.starts_at is None or spec.ends_at is None:
        problems.append(_("開始日時と終了日時を入力してください。"))
    else:
        if spec.starts_at <= now:
            problems.append(_("開始日時は過ぎています。これから先の日時にしてください。"))
        if spec.ends_at <= spec.starts_at:
            problems.append(_("終了日時は開始日時より後にしてください。"))
    if spec.registration_deadline is None:
        problems.append(_("申込締切を入力してください。"))
    elif spec.starts_at is not None and spec.registration_deadline > spec.starts_at:
        problems.append(_("申込締切は開始日時より前にしてください。"))
    elif spec.registration_deadline <= now and (
        current is None or spec.registration_deadline != current.registration_deadline
    ):
        problems.append(_("申込締切は過ぎています。これから先の日時にしてください。"))
    if spec.trainer is not None:
        profile = StaffProfile.objects.filter(user_id=spec.trainer.pk).first()
        if profile is None or profile.municipality_id != municipality.pk or not profile.is_active:
            problems.append(_("講師はこの自治体の在職中の職員から選んでください。"))
    return problems


@transaction.atomic
def session_create(
    *, spec: SessionSpec, municipality: Municipality, created_by=None, now: datetime.datetime | None = None
) -> ClassSession:
    """Schedule a session; every problem is reported at once as a ``ValidationError``, nothing written."""
    now = now or timezone.now()
    problems = _spec_problems(spec, municipality=municipality, now=now)
    if problems:
        raise ValidationError(problems)
    return ClassSession.objects.create(
        municipality=municipality,
        course=spec.course,
        title=spec.title.strip(),
        starts_at=spec.starts_at,
        ends_at=spec.ends_at,
        venue=spec.venue.strip(),
        capacity=spec.capacity,
        registration_deadline=spec.registration_deadline,
        needs_manager_approval=spec.needs_manager_approval,
        trainer=spec.trainer,
        created_by=created_by,
    )


def _lock(session: ClassSession) -> ClassSession:
    """The session row, locked until the transaction ends: seat counts read after this are exact."""
    return ClassSession.objects.select_for_update().get(pk=session.pk)


def _seats_taken(session: ClassSession) -> int:
    return SessionRegistration.objects.filter(session=session, status=RegistrationStatus.REGISTERED).count()


def _place(session: ClassSession) -> str:
    """Registered when a seat is free (and nobody is waiting before), waitlisted otherwise."""
    waiting = SessionRegistration.objects.filter(session=session, status=RegistrationStatus.WAITLISTED)
    if _seats_taken(session) < session.capacity and not waiting.exists():
        return RegistrationStatus.REGISTERED
    return RegistrationStatus.WAITLISTED


def _set_status(registration: SessionRegistration, status: str, **fields) -> None:
    registration.status = status
    registration.sequence = F("sequence") + 1
    for name, value in fields.items():
        setattr(registration, name, value)
    registration.save(update_fields=["status", "sequence", "updated_at", *fields])
    registration.refresh_from_db(fields=["sequence"])


def _promote(session: ClassSession) -> list[SessionRegistration]:
    """Fill free seats from the waiting list, first come first served (the session is locked)."""
    free = session.capacity - _seats_taken(session)
    if free <= 0:
        return []
    promoted = list(
        SessionRegistration.objects.filter(session=session, status=RegistrationStatus.WAITLISTED).order_by(
            "created_at", "pk"
        )[:free]
    )
    for registration in promoted:
        _set_status(registration, RegistrationStatus.REGISTERED)
        logger.info("session %s: registration %s promoted from the waiting list", session.pk, registration.pk)
        _tell(registration, session=session, promoted=True)
    return promoted


@transaction.atomic
def session_register(
    *, session: ClassSession, staff: StaffProfile, now: datetime.datetime | None = None
) -> SessionRegistration:
    """Register ``staff``: a seat if one is free, the waiting list otherwise; awaiting the 所属長 first
    when the session needs approval. Refused with a clear message, writing nothing, when the session is
    cancelled or of another municipality, the deadline has passed, or the person already applied."""
    now = now or timezone.now()
    session = _lock(session)
    if session.municipality_id != staff.municipality_id or not staff.is_active:
        raise ValidationError(_("この集合研修には申し込めません(ほかの自治体の研修です)。"))
    if session.cancelled_at is not None:
        raise ValidationError(_("この集合研修は中止になりました。"))
    if now > session.registration_deadline:
        raise ValidationError(
            _("申込締切(%(deadline)s)を過ぎています。")
            % {"deadline": timezone.localtime(session.registration_deadline).strftime("%Y-%m-%d %H:%M")}
        )
    existing = SessionRegistration.objects.filter(session=session, staff=staff).exclude(
        status=RegistrationStatus.CANCELLED
    )
    current = existing.first()
    if current is not None:
        if current.status == RegistrationStatus.REJECTED:
            raise ValidationError(_("この集合研修への申込みは所属長が承認しませんでした。"))
        raise ValidationError(
            _("すでに申し込んでいます(%(status)s)。") % {"status": current.get_status_display()}
        )
    # Awaiting approval holds no seat: the seat (or the waiting list) is decided on approval.
    status = RegistrationStatus.PENDING_APPROVAL if session.needs_manager_approval else _place(session)
    registration = SessionRegistration.objects.create(
        session=session, staff=staff, status=status, created_at=now
    )
    logger.info("session %s: registration %s %s", session.pk, registration.pk, status)
    _tell(registration, session=session)
    return registration


@transaction.atomic
def registration_cancel(
    *, registration: SessionRegistration, now: datetime.datetime | None = None
) -> list[SessionRegistration]:
    """Cancel a registration; a seat it held goes to the first person waiting. Returns who was promoted."""
    now = now or timezone.now()
    session = _lock(registration.session)
    registration = SessionRegistration.objects.select_for_update().get(pk=registration.pk)
    if registration.status not in ACTIVE:
        raise ValidationError(_("この申込みはすでに取り消されているか、承認されませんでした。"))
    if now >= session.starts_at:
        raise ValidationError(_("研修が始まった後は取り消せません。"))
    held_seat = registration.status == RegistrationStatus.REGISTERED
    _set_status(registration, RegistrationStatus.CANCELLED)
    _tell(registration, session=session, held_seat=held_seat)
    return _promote(session) if held_seat else []


def is_department_head_of(user, staff: StaffProfile, *, on: datetime.date) -> bool:
    """Whether ``user`` is the 所属長 of ``staff`` on ``on`` (the head of the nearest department above)."""
    department = department_of(staff=staff, on=on)
    if department is None:
        return False
    return any(head.pk == user.pk for head in department_heads(department=department, on=on))


@transaction.atomic
def registration_decide(
    *, registration: SessionRegistration, by, approve: bool, now: datetime.datetime | None = None
) -> SessionRegistration:
    """The person's 所属長 approves (a seat, or the waiting list when full) or rejects an application."""
    now = now or timezone.now()
    session = _lock(registration.session)
    registration = (
        SessionRegistration.objects.select_for_update().select_related("staff").get(pk=registration.pk)
    )
    if not is_department_head_of(by, registration.staff, on=timezone.localdate(now)):
        raise PermissionError(_("この職員の所属長だけが承認できます。"))
    if registration.status != RegistrationStatus.PENDING_APPROVAL:
        raise ValidationError(
            _("この申込みは承認待ちではありません(%(status)s)。")
            % {"status": registration.get_status_display()}
        )
    if session.cancelled_at is not None:
        raise ValidationError(_("この集合研修は中止になりました。"))
    if approve and now >= session.starts_at:
        raise ValidationError(_("研修が始まった後は承認できません。"))
    status = _place(session) if approve else RegistrationStatus.REJECTED
    _set_status(registration, status, decided_by=by, decided_at=now)
    _tell(registration, session=session)
    return registration


def can_take_roll(user, session: ClassSession) -> bool:
    """The session's trainer, or HR of its municipality (who may hold the roll for an absent trainer)."""
    if session.trainer_id is not None and session.trainer_id == user.pk:
        return True
    own = StaffProfile.objects.filter(user_id=user.pk).values_list("municipality_id", flat=True).first()
    return own == session.municipality_id and user.has_perm("training.change_sessionregistration")


@transaction.atomic
def roll_call_record(
    *, session: ClassSession, present: set[int], by, now: datetime.datetime | None = None
) -> int:
    """Record attendance for every registered person at once: those in ``present`` (registration ids)
    attended, the others did not. Attendance completes the course for the person (and so records its
    competency evidence, through the course-completion hooks). An id that is not a registered person of
    this session refuses the whole roll. Returns how many attended."""
    now = now or timezone.now()
    session = _lock(session)
    if not can_take_roll(by, session):
        raise PermissionError(_("この集合研修の講師か人事課だけが出欠を記録できます。"))
    if session.cancelled_at is not None:
        raise ValidationError(_("この集合研修は中止になりました。"))
    if timezone.localdate(now) < timezone.localdate(session.starts_at):
        raise ValidationError(_("出欠は研修の当日から記録できます。"))
    registered = {
        r.pk: r
        for r in SessionRegistration.objects.filter(
            session=session, status=RegistrationStatus.REGISTERED
        ).select_related("staff__user")
    }
    unknown = sorted(present - registered.keys())
    if unknown:
        raise ValidationError(
            _("この研修の受講者ではない申込み(%(ids)s)が含まれています。何も記録していません。")
            % {"ids": ", ".join(str(i) for i in unknown)}
        )
    for pk, registration in registered.items():
        attended = pk in present
        if registration.attended == attended:
            continue
        registration.attended = attended
        registration.attendance_recorded_by = by
        registration.attendance_recorded_at = now
        registration.save(update_fields=["attended", "attendance_recorded_by", "attendance_recorded_at"])
        if attended:
            enrollment_complete(user=registration.staff.user, course=session.course)
    return len(present)


# What a change is announced for: the fields a participant's calendar or plans depend on.
ANNOUNCED = ("title", "starts_at", "ends_at", "venue")


@transaction.atomic
def session_update(
    *, session: ClassSession, spec: SessionSpec, now: datetime.datetime | None = None
) -> tuple[ClassSession, int]:
    """Change a session that has not begun; every problem at once as a ``ValidationError``, nothing written.

    The course stays (registrations are for it). Capacity may not fall below the seats already taken;
    raised, it promotes people from the waiting list. Each change raises the calendar ``sequence`` (their
    ICS updates in place), and a change of name, time or venue is announced to everyone registered,
    waiting or awaiting approval. Returns the session and how many people were told.
    """
    now = now or timezone.now()
    session = _lock(session)
    problems = []
    if session.cancelled_at is not None:
        problems.append(_("中止になった集合研修は変更できません。"))
    elif session.starts_at <= now:
        problems.append(_("始まった集合研修は変更できません。"))
    if spec.course is not None and spec.course.pk != session.course_id:
        problems.append(
            _("コースは変更できません(申込みはこのコースへのものです)。新しい集合研修を登録してください。")
        )
    municipality = Municipality.objects.get(pk=session.municipality_id)
    problems += _spec_problems(spec, municipality=municipality, now=now, current=session)
    taken = _seats_taken(session)
    if spec.capacity is not None and spec.capacity < taken:
        problems.append(_("定員は受講確定の %(taken)d 人より少なくできません。") % {"taken": taken})
    if problems:
        raise ValidationError(problems)
    before = {name: getattr(session, name) for name in ANNOUNCED}
    session.title = spec.title.strip()
    session.starts_at, session.ends_at = spec.starts_at, spec.ends_at
    session.venue = spec.venue.strip()
    session.capacity = spec.capacity
    session.registration_deadline = spec.registration_deadline
    session.needs_manager_approval = spec.needs_manager_approval
    session.trainer = spec.trainer
    session.sequence = F("sequence") + 1
    session.save()
    session.refresh_from_db()
    _promote(session)
    told = 0
    if any(getattr(session, name) != value for name, value in before.items()):
        told = _announce(session, changed=True)
    return session, told


@transaction.atomic
def session_cancel(*, session: ClassSession, now: datetime.datetime | None = None) -> int:
    """Call a session off: the registrations stay, each calendar receives a cancellation, and everyone
    registered, waiting or awaiting approval is told. Returns how many were told."""
    session = _lock(session)
    if session.cancelled_at is not None:
        raise ValidationError(_("この集合研修はすでに中止になっています。"))
    ClassSession.objects.filter(pk=session.pk).update(
        cancelled_at=now or timezone.now(), sequence=F("sequence") + 1
    )
    session.refresh_from_db()
    return _announce(session, changed=False)


def _announce(session: ClassSession, *, changed: bool) -> int:
    """A notification to each active participant (once per version of the session: its ``sequence``)."""
    when = _when(session)
    if changed:
        subject = _("集合研修「%(title)s」の日時・会場が変わりました") % {"title": session.title}
        body = _(
            "新しい日時: %(when)s\n会場: %(venue)s\n\n予定表に登録している場合は、研修のページから新しい"
            "招待(ICS)を取り込んでください。"
        ) % {"when": when, "venue": session.venue}
    else:
        subject = _("集合研修「%(title)s」は中止になりました") % {"title": session.title}
        body = _(
            "%(when)s に %(venue)s で予定していた集合研修は中止になりました。予定表からも削除してください。"
        ) % {"when": when, "venue": session.venue}
    registrations = SessionRegistration.objects.filter(session=session, status__in=ACTIVE).select_related(
        "staff__user", "session__course"
    )
    added = []
    for registration in registrations:
        seat = registration.status == RegistrationStatus.REGISTERED
        added.append(
            _notice(
                registration,
                session=session,
                key=f"session:{session.pk}:{session.sequence}",
                subject=subject,
                body=body,
                calendar=_invitation(registration) if seat else "",
            )
        )
    _send_on_commit(added)
    told = sum(n is not None for n in added)
    logger.info(
        "session %s: %s announced to %s people", session.pk, "change" if changed else "cancellation", told
    )
    return told


def _when(session: ClassSession) -> str:
    from django.utils.formats import date_format
    from django.utils.timezone import localtime

    return f"{date_format(localtime(session.starts_at), 'Y-m-d H:i')}〜{localtime(session.ends_at):%H:%M}"


def _invitation(registration: SessionRegistration) -> str:
    """The registration's calendar invitation as its mail carries it (a request, or a cancellation)."""
    from django.conf import settings

    from . import calendar

    return calendar.registration_invitation(
        registration, site=settings.WAGTAILADMIN_BASE_URL, by_mail=True
    ).decode("utf-8")


def _notice(
    registration: SessionRegistration,
    *,
    session: ClassSession,
    key: str,
    subject: str,
    body: str,
    calendar: str,
):
    """A notice about ``session`` to the person of ``registration``, linking to the session's page."""
    from django.urls import reverse

    from lms_site.notifications.models import Kind
    from lms_site.notifications.services import notify

    return notify(
        recipient=registration.staff.user,
        municipality_id=session.municipality_id,
        kind=Kind.SESSION,
        key=key,
        subject=subject,
        body=body,
        url=reverse("training:session_detail", args=[session.pk]),
        calendar=calendar,
    )


def _send_on_commit(added: list) -> None:
    """Mail those the person takes at once when the change is committed (the morning job sends any
    left over, and the digests): a registration's mail should not wait for the next day."""
    from lms_site.notifications.services import send_now

    if any(n is not None for n in added):
        transaction.on_commit(lambda: send_now(added))


def _tell(
    registration: SessionRegistration,
    *,
    session: ClassSession,
    promoted: bool = False,
    held_seat: bool = False,
) -> None:
    """Tell the person what their registration has become, once per version of it (its ``sequence``).
    A seat comes with the calendar invitation; a seat given up, with its cancellation."""
    S = RegistrationStatus
    title = {"title": session.title}
    place = _("日時: %(when)s\n会場: %(venue)s") % {"when": _when(session), "venue": session.venue}
    calendar = ""
    if registration.status == S.REGISTERED:
        subject = (
            _("集合研修「%(title)s」はキャンセル待ちから受講が確定しました")
            if promoted
            else _("集合研修「%(title)s」の受講が確定しました")
        ) % title
        body = place + "\n\n" + _("添付の招待を予定表に追加してください。")
        calendar = _invitation(registration)
    elif registration.status == S.WAITLISTED:
        subject = _("集合研修「%(title)s」はキャンセル待ちで受け付けました") % title
        body = place + "\n\n" + _("席が空くと申込み順に受講が確定し、そのときに予定表の招待をお送りします。")
    elif registration.status == S.PENDING_APPROVAL:
        subject = _("集合研修「%(title)s」の申込みを受け付けました(所属長の承認待ち)") % title
        body = place + "\n\n" + _("所属長が承認すると受講が確定し、予定表の招待をお送りします。")
    elif registration.status == S.REJECTED:
        subject = _("集合研修「%(title)s」への申込みは承認されませんでした") % title
        body = place
    else:  # cancelled by the person
        subject = _("集合研修「%(title)s」の申込みを取り消しました") % title
        if held_seat:
            body = place + "\n\n" + _("添付の取消しで、予定表からもこの予定が削除されます。")
            calendar = _invitation(registration)
        else:
            body = place
    added = _notice(
        registration,
        session=session,
        key=f"session-registration:{registration.pk}:{registration.sequence}",
        subject=subject,
        body=body,
        calendar=calendar,
    )
    _send_on_commit([added])

"""Assigned training as iCalendar (RFC 5545), with the icalendar library: one all-day event per due date,
with a stable UID so that a calendar that subscribes updates the event instead of adding another."""

from __future__ import annotations

import datetime
from email.utils import parseaddr

from django.utils.translation import gettext as _
from icalendar import Calendar, Event

PRODUCT_ID = "-//DX Leader Platform//Training//JA"


def dues_calendar(rows, *, site: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("研修の期限"))
    stamp = datetime.datetime.now(datetime.UTC)
    host = site.split("//", 1)[-1].strip("/") or "localhost"
    for due, progress in rows:
        event = Event()
        event.add("uid", f"training-due-{due.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", due.due_on)
        event.add("dtend", due.due_on + datetime.timedelta(days=1))
        event.add("summary", _("期限: %(title)s") % {"title": due.rule.title})
        event.add("description", _("状況: %(status)s") % {"status": progress.label})
        item = due.rule.course or due.rule.quiz
        url = due.rule.item_url
        if url:
            event.add("url", site.rstrip("/") + url)
        event.add("categories", [str(item)])
        calendar.add_component(event)
    return calendar.to_ical()


def registration_invitation(registration, *, site: str, by_mail: bool = False) -> bytes:
    """One registration's invitation: a timed event with a UID stable for the registration, a SEQUENCE
    that grows with every change of the registration or the session, and ``METHOD:CANCEL`` once the
    registration or the session is cancelled (the calendar then removes the event).

    Downloaded, it is published (``METHOD:PUBLISH``); ``by_mail`` makes it the iTIP request (RFC 5546)
    an e-mail carries, from the platform as organiser to the person as attendee, which mail programs
    offer to add (``REQUEST``) and, for a later version with the same UID, move or remove."""
    from django.conf import settings
    from django.urls import reverse
    from icalendar import vCalAddress

    from .models import RegistrationStatus

    session = registration.session
    cancelled = session.cancelled_at is not None or registration.status in (
        RegistrationStatus.CANCELLED,
        RegistrationStatus.REJECTED,
    )
    host = site.split("//", 1)[-1].strip("/") or "localhost"
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else ("REQUEST" if by_mail else "PUBLISH"))
    event = Event()
    event.add("uid", f"class-session-registration-{registration.pk}@{host}")
    event.add("sequence", session.sequence + registration.sequence)
    event.add("dtstamp", datetime.datetime.now(datetime.UTC))
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", _("集合研修: %(title)s") % {"title": session.title})
    event.add("location", session.venue)
    event.add(
        "description",
        _("コース: %(course)s\n申込みの状態: %(status)s")
        % {"course": session.course.title, "status": registration.get_status_display()},
    )
    if cancelled:
        event.add("status", "CANCELLED")
    else:  # a place on the waiting list or awaiting approval is not yet a seat
        confirmed = registration.status == RegistrationStatus.REGISTERED
        event.add("status", "CONFIRMED" if confirmed else "TENTATIVE")
    if by_mail:
        organiser = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
        organiser.params["cn"] = _("自治体DX推進リーダー育成プラットフォーム")
        event.add("organizer", organiser)
        user = registration.staff.user
        if user.email:
            attendee = vCalAddress(f"mailto:{user.email}")
            attendee.params["cn"] = registration.staff.full_name
            attendee.params["role"] = "REQ-PARTICIPANT"
            attendee.params["partstat"] = "DECLINED" if cancelled else "ACCEPTED"
            attendee.params["rsvp"] = "FALSE"
            event.add("attendee", attendee)
    event.add("url", site.rstrip("/") + reverse("training:session_detail", args=[session.pk]))
    calendar.add_component(event)
    return calendar.to_ical()

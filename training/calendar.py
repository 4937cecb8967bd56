"""Assigned training as iCalendar (RFC 5545), with the icalendar library: one all-day event per due date,
with a stable UID so that a calendar that subscribes updates the event instead of adding another."""

from __future__ import annotations

import datetime

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
        url = _item_url(due.rule)
        if url:
            event.add("url", site.rstrip("/") + url)
        event.add("categories", [str(item)])
        calendar.add_component(event)
    return calendar.to_ical()


def _item_url(rule) -> str:
    from django.urls import reverse

    if rule.course is not None:
        return rule.course.url or ""
    return reverse("assessments:quiz", args=[rule.quiz_id])

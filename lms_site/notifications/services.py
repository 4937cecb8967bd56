"""Creating notifications and sending the outbox (see ``models``).

Producers (the apps above, e.g. training's reminders) register a function ``fn(today) -> int`` with
``producer_register``; ``notifications_run`` calls them, then sends what is due. The whole job is what
Celery beat runs each morning (Asia/Tokyo) and what ``manage.py notifications_send`` runs by hand.
Nothing is sent on Saturdays, Sundays and Japanese public holidays (the ``holidays`` library), except
what producers create for that very day (a due date that falls on it).
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from email.mime.text import MIMEText

import holidays
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import MANDATORY, Delivery, EmailStatus, Kind, Notification, Preference

logger = logging.getLogger(__name__)
SUBJECT_PREFIX = "[DX推進リーダー育成] "

Producer = Callable[[datetime.date], int]
_producers: list[Producer] = []


def producer_register(producer: Producer) -> None:
    if producer not in _producers:
        _producers.append(producer)


@functools.lru_cache(maxsize=8)
def _japanese_holidays(year: int):
    return holidays.country_holidays("JP", years=year)


def is_working_day(day: datetime.date) -> bool:
    """A weekday that is not a Japanese public holiday (振替休日 included)."""
    return day.weekday() < 5 and day not in _japanese_holidays(day.year)


def is_first_working_day_of_week(day: datetime.date) -> bool:
    if not is_working_day(day):
        return False
    monday = day - datetime.timedelta(days=day.weekday())
    return all(not is_working_day(monday + datetime.timedelta(days=n)) for n in range(day.weekday()))


def delivery_for(user, kind: str) -> str:
    chosen = Preference.objects.filter(user=user, kind=kind).values_list("delivery", flat=True).first()
    delivery = chosen or Delivery.IMMEDIATE
    if delivery == Delivery.OFF and kind in MANDATORY:
        return Delivery.IMMEDIATE
    return delivery


def preferences_save(*, user, choices: dict[str, str]) -> None:
    """Save a person's choice per kind; a mandatory kind cannot be turned off (refused, nothing saved)."""
    from django.core.exceptions import ValidationError

    problems = [
        _("「%(kind)s」は必ずお知らせするため、オフにできません。") % {"kind": Kind(kind).label}
        for kind, delivery in choices.items()
        if kind in MANDATORY and delivery == Delivery.OFF
    ]
    problems += [
        _("お知らせの種類「%(kind)s」はありません。") % {"kind": kind}
        for kind in choices
        if kind not in Kind.values
    ]
    problems += [
        _("送り方「%(value)s」はありません。") % {"value": value}
        for value in choices.values()
        if value not in Delivery.values
    ]
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        for kind, delivery in choices.items():
            Preference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})


def notify(
    *,
    recipient,
    municipality_id: int,
    kind: str,
    key: str,
    subject: str,
    body: str,
    url: str = "",
    calendar: str = "",
) -> Notification | None:
    """Add a notification unless one with this key exists for the person; returns it if added.
    ``calendar``: an iCalendar invitation (``METHOD:REQUEST`` or ``CANCEL``) its mail carries."""
    delivery = delivery_for(recipient, kind)
    status = EmailStatus.PENDING if recipient.email and delivery != Delivery.OFF else EmailStatus.NOT_SENT
    notification, created = Notification.objects.get_or_create(
        recipient=recipient,
        key=key[:150],
        defaults={
            "municipality_id": municipality_id,
            "kind": kind,
            "subject": subject[:200],
            "body": body,
            "url": url[:300],
            "calendar": calendar,
            "delivery": delivery,
            "email_status": status,
        },
    )
    return notification if created else None


@dataclass
class Outcome:
    created: int = 0
    sent: list[tuple[str, str]] = field(default_factory=list)  # (address, subject)


def _absolute(url: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + url if url.startswith("/") else url


def _claim(ids: list[int]) -> list[Notification]:
    """Take pending rows for sending: only the rows this call moved from pending are returned, so two
    runs (a retried task beside the first) never both send one."""
    pending = Notification.objects.filter(email_status=EmailStatus.PENDING)
    claimed = [pk for pk in ids if pending.filter(pk=pk).update(email_status=EmailStatus.SENDING)]
    return list(Notification.objects.filter(pk__in=claimed).select_related("recipient").order_by("pk"))


def _mark(rows: list[Notification], status: str) -> None:
    Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
        email_status=status, emailed_at=timezone.now() if status == EmailStatus.SENT else None
    )


def _calendar_part(calendar: str, number: int) -> MIMEText:
    """An invitation as iMIP (RFC 6047) puts it: a ``text/calendar`` part whose ``method`` parameter is
    the object's METHOD, so mail programs offer it as an invitation (or remove the event on CANCEL)."""
    method = "REQUEST"
    for line in calendar.splitlines():
        if line.upper().startswith("METHOD:"):
            method = line.split(":", 1)[1].strip().upper()
            break
    part = MIMEText(calendar, "calendar", "utf-8")
    part.set_param("method", method)
    filename = "invitation.ics" if number == 1 else f"invitation-{number}.ics"
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def _send(
    address: str, subject: str, body: str, rows: list[Notification], outcome: Outcome, dry_run: bool
) -> None:
    if dry_run:
        outcome.sent.append((address, subject))
        return
    message = EmailMessage(subject, body, None, [address])
    calendars = [row.calendar for row in rows if row.calendar]
    for number, calendar in enumerate(calendars, start=1):
        message.attach(_calendar_part(calendar, number))
    try:
        message.send()
    except Exception:
        logger.exception("notification mail to %s failed; left pending for the next run", address)
        _mark(rows, EmailStatus.PENDING)
        return
    _mark(rows, EmailStatus.SENT)
    outcome.sent.append((address, subject))


def _send_each(rows: list[Notification], outcome: Outcome, dry_run: bool) -> None:
    for row in rows:
        body = render_to_string("notifications/email.txt", {"notification": row, "url": _absolute(row.url)})
        _send(row.recipient.email, SUBJECT_PREFIX + row.subject, body, [row], outcome, dry_run)


def send_now(notifications: list[Notification | None]) -> int:
    """Send at once those of ``notifications`` the person takes immediately (claimed as the morning job
    does, so neither sends one twice); digested ones wait for their digest. Returns the mails sent."""
    ids = [
        n.pk
        for n in notifications
        if n is not None and n.delivery == Delivery.IMMEDIATE and n.email_status == EmailStatus.PENDING
    ]
    outcome = Outcome()
    with translation.override(settings.LANGUAGE_CODE):
        _send_each(_claim(ids), outcome, dry_run=False)
    return len(outcome.sent)


def outbox_send(*, today: datetime.date, outcome: Outcome, dry_run: bool = False) -> None:
    """Send immediate notifications; on a working day also the daily digests, and on the first working
    day of a week the weekly ones (one mail per person, listing each notification)."""
    pending = Notification.objects.filter(email_status=EmailStatus.PENDING)
    deliveries = [Delivery.IMMEDIATE]
    if is_working_day(today):
        deliveries.append(Delivery.DAILY)
        if is_first_working_day_of_week(today):
            deliveries.append(Delivery.WEEKLY)
    for delivery in deliveries:
        ids = list(pending.filter(delivery=delivery).order_by("pk").values_list("pk", flat=True))
        rows = (
            _claim(ids)
            if not dry_run
            else list(Notification.objects.filter(pk__in=ids).select_related("recipient"))
        )
        if delivery == Delivery.IMMEDIATE:
            _send_each(rows, outcome, dry_run)
            continue
        by_person: dict[int, list[Notification]] = defaultdict(list)
        for row in rows:
            by_person[row.recipient_id].append(row)
        for person_rows in by_person.values():
            subject = SUBJECT_PREFIX + (
                _("今日のお知らせ(%(count)s件)")
                if delivery == Delivery.DAILY
                else _("今週のお知らせ(%(count)s件)")
            ) % {"count": len(person_rows)}
            items = [(row, _absolute(row.url)) for row in person_rows]
            body = render_to_string("notifications/digest.txt", {"items": items})
            _send(person_rows[0].recipient.email, subject, body, person_rows, outcome, dry_run)


def notifications_run(*, today: datetime.date | None = None, dry_run: bool = False) -> Outcome:
    """The morning job: producers add what is due today, then the outbox sends. With ``dry_run`` nothing
    is written or sent; the outcome lists what would be."""
    today = today or timezone.localdate()
    outcome = Outcome()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        for producer in _producers:
            outcome.created += producer(today)
        if dry_run:
            outbox_send(today=today, outcome=outcome, dry_run=True)
            transaction.set_rollback(True)
    if not dry_run:
        with translation.override(settings.LANGUAGE_CODE):
            outbox_send(today=today, outcome=outcome)
    return outcome


def mark_read(*, user, ids: list[int] | None = None) -> int:
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())

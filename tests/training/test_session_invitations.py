"""The invitations a classroom session (集合研修) sends by e-mail (issue 15 item 4): a seat comes with a
calendar invitation (iMIP: a text/calendar part, METHOD:REQUEST), a change of time or venue with an updated
one (same UID, higher SEQUENCE), a cancellation with METHOD:CANCEL; a place on the waiting list or awaiting
the 所属長 is told without one. Sent to a real SMTP server (aiosmtpd) when the change commits; a person who
takes these notices in a digest gets the invitations attached to the digest; a second run sends nothing."""

import datetime

import pytest
from django.utils import timezone
from icalendar import Calendar

from lms_site.notifications import services as notifications
from lms_site.notifications.models import Delivery, Kind
from tests.smtp import smtp_server  # noqa: F401 - fixture
from training import sessions
from training.models import RegistrationStatus

from .test_sessions import _form, make_session

pytestmark = pytest.mark.django_db

P = "[DX推進リーダー育成] "


@pytest.fixture
def mail(city):
    for key in ("hr", "kacho", "shimin1", "shimin2", "hoken"):
        user = city[key].user
        user.email = f"{city[key].employee_number}@city.wakaba.example.jp"
        user.save(update_fields=["email"])
    return {key: city[key].user.email for key in ("hr", "kacho", "shimin1", "shimin2", "hoken")}


def event_of(calendar_text: str):
    calendar = Calendar.from_ical(calendar_text)
    (event,) = calendar.walk("VEVENT")
    return str(calendar["method"]), event


def mails_to(mailbox, address):
    return [m for m in mailbox.messages if address in m.to]


def test_seat_waiting_list_promotion_move_and_cancellation_each_reach_the_calendar(
    client,
    city,
    curriculum,
    mail,
    smtp_server,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    session = make_session(city, curriculum, capacity=1)
    title = "DX基礎 集合研修"
    with django_capture_on_commit_callbacks(execute=True):
        for key in ("shimin1", "shimin2"):
            client.force_login(city[key].user)
            client.post(f"/sessions/{session.pk}/", {"action": "register"})

    (seat,) = mails_to(smtp_server, mail["shimin1"])
    assert seat.subject == P + f"集合研修「{title}」の受講が確定しました"
    assert "本庁舎 大会議室" in seat.body and "添付の招待を予定表に追加してください" in seat.body
    ((method, text),) = seat.calendars
    assert method == "REQUEST"
    ical_method, invited = event_of(text)
    assert ical_method == "REQUEST" and str(invited["status"]) == "CONFIRMED"
    assert str(invited["organizer"]) == "mailto:dx-platform@localhost"
    assert str(invited["attendee"]) == f"mailto:{mail['shimin1']}"
    assert invited["dtstart"].dt == session.starts_at.replace(microsecond=0)

    (waiting,) = mails_to(smtp_server, mail["shimin2"])
    assert waiting.subject == P + f"集合研修「{title}」はキャンセル待ちで受け付けました"
    assert waiting.calendars == []  # a place on the waiting list is not yet a seat in anyone's calendar

    # s001 gives the seat up: their calendar removes the event; s002, first waiting, is invited
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(city["shimin1"].user)
        client.post(f"/sessions/{session.pk}/", {"action": "cancel"})
    given_up = mails_to(smtp_server, mail["shimin1"])[-1]
    assert given_up.subject == P + f"集合研修「{title}」の申込みを取り消しました"
    ((method, text),) = given_up.calendars
    ical_method, removed = event_of(text)
    assert (method, ical_method, str(removed["status"])) == ("CANCEL", "CANCEL", "CANCELLED")
    assert str(removed["uid"]) == str(invited["uid"]) and removed["sequence"] > invited["sequence"]
    promoted = mails_to(smtp_server, mail["shimin2"])[-1]
    assert promoted.subject == P + f"集合研修「{title}」はキャンセル待ちから受講が確定しました"
    _method, s002_invited = event_of(promoted.calendars[0][1])
    assert str(s002_invited["attendee"]) == f"mailto:{mail['shimin2']}"

    # HR moves the session a day later: s002's event moves (same UID, higher SEQUENCE); s001 is not told
    later = session.starts_at + datetime.timedelta(days=1)
    local = lambda moment: timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(city["hr"].user)
        client.post(
            f"/hr/training/sessions/{session.pk}/edit/",
            _form(
                session,
                starts_at=local(later),
                ends_at=local(later + datetime.timedelta(hours=3)),
                venue="第二庁舎 研修室",
            ),
        )
    moved = mails_to(smtp_server, mail["shimin2"])[-1]
    assert moved.subject == P + f"集合研修「{title}」の日時・会場が変わりました"
    ical_method, updated = event_of(moved.calendars[0][1])
    assert ical_method == "REQUEST" and str(updated["location"]) == "第二庁舎 研修室"
    assert str(updated["uid"]) == str(s002_invited["uid"])
    assert updated["sequence"] > s002_invited["sequence"]
    assert updated["dtstart"].dt == later.replace(second=0, microsecond=0)
    assert len(mails_to(smtp_server, mail["shimin1"])) == 2

    # HR calls it off: s002's calendar receives the cancellation of the same event
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/hr/training/sessions/{session.pk}/cancel/")
    off = mails_to(smtp_server, mail["shimin2"])[-1]
    assert off.subject == P + f"集合研修「{title}」は中止になりました"
    ical_method, cancelled = event_of(off.calendars[0][1])
    assert ical_method == "CANCEL" and str(cancelled["uid"]) == str(s002_invited["uid"])
    assert cancelled["sequence"] > updated["sequence"]

    # everything went out as it happened: the morning job has nothing left to send
    sent_before = len(smtp_server.messages)
    outcome = notifications.notifications_run(today=timezone.localdate())
    assert outcome.sent == [] and len(smtp_server.messages) == sent_before == 6


def test_awaiting_approval_is_told_without_an_invitation_and_approval_brings_one(
    client,
    city,
    curriculum,
    mail,
    smtp_server,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    session = make_session(city, curriculum, capacity=2, approval=True)
    with django_capture_on_commit_callbacks(execute=True):
        registration = sessions.session_register(session=session, staff=city["shimin1"])
    (pending,) = mails_to(smtp_server, mail["shimin1"])
    assert "所属長の承認待ち" in pending.subject and pending.calendars == []
    with django_capture_on_commit_callbacks(execute=True):
        sessions.registration_decide(registration=registration, by=city["kacho"].user, approve=True)
    approved = mails_to(smtp_server, mail["shimin1"])[-1]
    assert approved.subject.endswith("の受講が確定しました")
    assert approved.calendars[0][0] == "REQUEST"

    with django_capture_on_commit_callbacks(execute=True):
        rejected = sessions.session_register(session=session, staff=city["shimin2"])
        sessions.registration_decide(registration=rejected, by=city["kacho"].user, approve=False)
    refused = mails_to(smtp_server, mail["shimin2"])[-1]
    assert refused.subject.endswith("への申込みは承認されませんでした") and refused.calendars == []
    rejected.refresh_from_db()
    assert rejected.status == RegistrationStatus.REJECTED


def test_a_person_on_a_daily_digest_gets_the_invitations_in_the_digest_once(
    city,
    curriculum,
    mail,
    smtp_server,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    notifications.preferences_save(user=city["shimin1"].user, choices={Kind.SESSION: Delivery.DAILY})
    first = make_session(city, curriculum, capacity=3)
    second = make_session(city, curriculum, capacity=3, starts_in_days=9)
    with django_capture_on_commit_callbacks(execute=True):
        sessions.session_register(session=first, staff=city["shimin1"])
        sessions.session_register(session=second, staff=city["shimin1"])
    assert smtp_server.messages == []  # waits for the digest
    monday = datetime.date(2026, 12, 7)
    notifications.notifications_run(today=monday)
    (digest,) = smtp_server.messages
    assert digest.subject == P + "今日のお知らせ(2件)"
    assert [method for method, _text in digest.calendars] == ["REQUEST", "REQUEST"]
    starts = sorted(event_of(text)[1]["dtstart"].dt for _method, text in digest.calendars)
    assert starts == sorted(s.starts_at.replace(microsecond=0) for s in (first, second))
    notifications.notifications_run(today=monday)  # the scheduler runs again
    assert len(smtp_server.messages) == 1


def test_the_mail_of_another_persons_registration_never_reaches_them(
    city,
    curriculum,
    mail,
    smtp_server,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    """Each invitation names only its own attendee: the waiting person's mail has no other address."""
    session = make_session(city, curriculum, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        for key in ("shimin1", "shimin2", "hoken"):
            sessions.session_register(session=session, staff=city[key])
    for message in smtp_server.messages:
        (to,) = message.to
        others = [address for address in mail.values() if address != to]
        text = message.body + "".join(calendar for _method, calendar in message.calendars)
        assert not any(address in text for address in others)

"""Reminders, overdue notices and the 所属長's weekly summary, sent to a real SMTP server (aiosmtpd on a
loopback port) through the outbox: exact recipients and subjects, nothing twice, nothing on holidays
(issue 15)."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from courses.models import Enrollment
from lms_site.notifications import services as notifications
from lms_site.notifications.models import Delivery, EmailStatus, Kind, Notification, Preference
from tests.smtp import smtp_server  # noqa: F401 - fixture
from training import services
from training.services import RuleSpec

pytestmark = pytest.mark.django_db

P = "[DX推進リーダー育成] "
MAY_1 = datetime.datetime(2026, 5, 1, 6, tzinfo=datetime.UTC)


@pytest.fixture
def mail(city):
    for key in ("hr", "kacho", "shimin1", "shimin2", "hoken", "kenshu"):
        user = city[key].user
        user.email = f"{city[key].employee_number}@city.wakaba.example.jp"
        user.save(update_fields=["email"])
    return {key: city[key].user.email for key in city if key not in ("municipality", "departments")}


def assign(city, course, *, due, issued, department="020000", title="DX基礎"):
    rule, _count = services.rule_create(
        spec=RuleSpec(title=title, course=course, department=city["departments"][department], due_on=due),
        municipality=city["municipality"],
        today=issued,
    )
    return rule


def test_reminders_reach_the_smtp_server_once(city, curriculum, mail, smtp_server):  # noqa: F811
    """市民部 (k001, s001, s002, p001) due Monday 18 May; s002 has finished, p001 is exempt."""
    rule = assign(
        city, curriculum["basics"], due=datetime.date(2026, 5, 18), issued=datetime.date(2026, 4, 20)
    )
    Enrollment.objects.create(user=city["shimin2"].user, course=curriculum["basics"], completed_at=MAY_1)
    services.due_exempt(due=rule.dues.get(staff=city["hoken"]), reason="病気休暇中", by=city["hr"].user)
    outcome = notifications.notifications_run(today=datetime.date(2026, 5, 11))
    subject = P + "研修「DX基礎」の期限は2026-05-18です"
    assert smtp_server.pairs() == [(mail["kacho"], subject), (mail["shimin1"], subject)]
    assert "あと7日" in smtp_server.messages[0].body and "/courses/dx-basics/" in smtp_server.messages[0].body
    assert outcome.created == 2
    again = notifications.notifications_run(today=datetime.date(2026, 5, 11))  # the scheduler runs again
    assert (again.created, again.sent, len(smtp_server.messages)) == (0, [], 2)
    # Friday: three days left; the following Tuesday, overdue (a mandatory notice).
    notifications.notifications_run(today=datetime.date(2026, 5, 15))
    notifications.notifications_run(today=datetime.date(2026, 5, 19))
    assert [m.subject for m in smtp_server.messages if mail["shimin1"] in m.to] == [
        subject,
        subject,
        P + "研修「DX基礎」の期限(2026-05-18)が過ぎています",
    ]


def test_nothing_on_weekends_and_holidays_except_what_is_due_that_day(city, curriculum, mail, smtp_server):  # noqa: F811
    assign(
        city,
        curriculum["basics"],
        due=datetime.date(2026, 5, 8),
        issued=datetime.date(2026, 4, 27),
        department="020200",
    )
    assign(
        city,
        curriculum["data"],
        due=datetime.date(2026, 5, 5),
        issued=datetime.date(2026, 4, 27),
        department="020200",
        title="データ",
    )
    for day in (4, 5, 6):  # みどりの日, こどもの日, 振替休日
        notifications.notifications_run(today=datetime.date(2026, 5, day))
    assert smtp_server.pairs() == [
        (mail["hoken"], P + "研修「データ」の期限は2026-05-05です")
    ]  # due that day
    assert "期限は今日です" in smtp_server.messages[0].body
    notifications.notifications_run(today=datetime.date(2026, 5, 7))  # Thursday: the nearest threshold only
    thursday = smtp_server.messages[1:]
    assert sorted(m.subject for m in thursday) == [
        P + "研修「DX基礎」の期限は2026-05-08です",
        P + "研修「データ」の期限(2026-05-05)が過ぎています",
    ]
    assert "あと1日" in next(m.body for m in thursday if "DX基礎" in m.subject)
    assert Notification.objects.filter(kind=Kind.DUE_REMINDER).count() == 2


def test_the_managers_weekly_summary(city, curriculum, mail, smtp_server):  # noqa: F811
    assign(city, curriculum["basics"], due=datetime.date(2026, 5, 8), issued=datetime.date(2026, 4, 20))
    Enrollment.objects.create(
        user=city["shimin2"].user,
        course=curriculum["basics"],
        completed_at=datetime.datetime(2026, 5, 7, 6, tzinfo=datetime.UTC),
    )
    notifications.notifications_run(today=datetime.date(2026, 5, 11))  # Monday
    digest = [m for m in smtp_server.messages if m.subject.startswith(P + "所属の研修の受講状況")]
    assert [(m.to, m.subject) for m in digest] == [
        ([mail["kacho"]], P + "所属の研修の受講状況(2026年第20週)")
    ]
    body = digest[0].body
    assert "期限を過ぎている人(2人)" in body  # the 課長 and s001 of 市民課; not p001 of 保険年金課
    assert "・若葉 職員s001 DX基礎(2026-05-08)" in body and "職員p001" not in body
    assert "この1週間に修了した人(1人)" in body and "・若葉 職員s002 DX基礎" in body
    notifications.notifications_run(today=datetime.date(2026, 5, 12))  # Tuesday: no second summary
    assert len([m for m in smtp_server.messages if m.subject.startswith(P + "所属の研修")]) == 1


def test_preferences_digest_or_off_but_overdue_cannot_be_turned_off(
    client,
    city,
    curriculum,
    mail,
    smtp_server,  # noqa: F811
):
    user = city["shimin1"].user
    client.force_login(user)
    response = client.post(
        "/me/notifications/settings/",
        {f"delivery-{Kind.OVERDUE}": "off", f"delivery-{Kind.DUE_REMINDER}": "daily"},
    )
    assert "オフにできません" in response.content.decode()
    assert not Preference.objects.filter(user=user).exists()
    client.post("/me/notifications/settings/", {f"delivery-{Kind.DUE_REMINDER}": "off"})
    assert Preference.objects.get(user=user, kind=Kind.DUE_REMINDER).delivery == Delivery.OFF
    Preference.objects.create(user=city["kacho"].user, kind=Kind.DUE_REMINDER, delivery=Delivery.DAILY)
    assign(
        city,
        curriculum["basics"],
        due=datetime.date(2026, 5, 18),
        issued=datetime.date(2026, 4, 20),
        department="020100",
    )
    assign(
        city,
        curriculum["data"],
        due=datetime.date(2026, 5, 14),
        issued=datetime.date(2026, 4, 20),
        department="020100",
        title="データ",
    )
    notifications.notifications_run(today=datetime.date(2026, 5, 11))
    assert mail["shimin1"] not in {to for to, _s in smtp_server.pairs()}
    assert (
        Notification.objects.filter(recipient=user, email_status=EmailStatus.NOT_SENT).count() == 2
    )  # still in the app
    assert (mail["kacho"], P + "今日のお知らせ(2件)") in smtp_server.pairs()
    inbox = client.get("/me/notifications/").content.decode()
    assert "研修「データ」の期限は2026-05-14です" in inbox and "未読" in inbox
    client.post("/me/notifications/read/")
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    client.force_login(city["kacho"].user)  # another person's notifications are not theirs to see
    assert "研修「データ」" in client.get("/me/notifications/").content.decode()
    assert Notification.objects.filter(recipient=user).count() == 2


def test_dry_run_prints_and_changes_nothing(city, curriculum, mail, smtp_server):  # noqa: F811
    assign(
        city,
        curriculum["basics"],
        due=datetime.date(2026, 5, 18),
        issued=datetime.date(2026, 4, 20),
        department="020200",
    )
    out = StringIO()
    call_command("notifications_send", "--today", "2026-05-11", "--dry-run", stdout=out)
    assert f"Would send: {mail['hoken']}\t{P}研修「DX基礎」の期限は2026-05-18です" in out.getvalue()
    assert not Notification.objects.exists() and smtp_server.messages == []
    call_command("notifications_send", "--today", "2026-05-11", stdout=StringIO())
    assert smtp_server.pairs() == [(mail["hoken"], P + "研修「DX基礎」の期限は2026-05-18です")]

"""Classroom sessions (集合研修, issue 15 item 4): waiting list, cancellation and promotion, approval by
the 所属長, the trainer's roll call and what attendance records, the invitation, over HTTP as each role
and as みどり町's HR would try them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from assessments.models import Evidence
from courses.models import Enrollment
from training import sessions
from training.models import ClassSession, RegistrationStatus, SessionRegistration

pytestmark = pytest.mark.django_db

R = RegistrationStatus


def make_session(city, curriculum, *, capacity=2, approval=False, trainer=None, starts_in_days=7):
    start = timezone.now() + datetime.timedelta(days=starts_in_days)
    return ClassSession.objects.create(
        municipality=city["municipality"],
        course=curriculum["basics"],
        title="DX基礎 集合研修",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        venue="本庁舎 大会議室",
        capacity=capacity,
        registration_deadline=start - datetime.timedelta(days=1),
        needs_manager_approval=approval,
        trainer=trainer,
    )


def statuses(session):
    return {
        r.staff.employee_number: r.status
        for r in SessionRegistration.objects.filter(session=session).select_related("staff")
    }


def test_a_full_session_waitlists_and_a_cancellation_promotes_the_first_waiting(client, city, curriculum):
    session = make_session(city, curriculum, capacity=2)
    for key in ("shimin1", "shimin2", "hoken", "kenshu"):
        client.force_login(city[key].user)
        assert client.post(f"/sessions/{session.pk}/", {"action": "register"}).status_code == 302
    assert statuses(session) == {
        "s001": R.REGISTERED,
        "s002": R.REGISTERED,
        "p001": R.WAITLISTED,
        "t001": R.WAITLISTED,
    }
    client.force_login(city["kenshu"].user)
    assert "キャンセル待ち 2番目" in client.get(f"/sessions/{session.pk}/").content.decode()

    client.force_login(city["shimin1"].user)
    client.post(f"/sessions/{session.pk}/", {"action": "cancel"})
    assert statuses(session) == {
        "s001": R.CANCELLED,
        "s002": R.REGISTERED,
        "p001": R.REGISTERED,
        "t001": R.WAITLISTED,
    }
    # registering twice is refused with a message, and writes nothing
    client.force_login(city["shimin2"].user)
    response = client.post(f"/sessions/{session.pk}/", {"action": "register"}, follow=True)
    assert "すでに申し込んでいます(受講確定)" in response.content.decode()
    assert SessionRegistration.objects.filter(session=session).count() == 4


def test_cancelling_a_waiting_place_promotes_nobody_and_the_list_shows_my_status(client, city, curriculum):
    session = make_session(city, curriculum, capacity=1)
    sessions.session_register(session=session, staff=city["shimin1"])
    waiting = sessions.session_register(session=session, staff=city["shimin2"])
    assert sessions.registration_cancel(registration=waiting) == []
    client.force_login(city["shimin1"].user)
    body = client.get("/sessions/").content.decode()
    assert "DX基礎 集合研修" in body and "受講確定" in body and "申込み 1/1人" in body


def test_bad_registrations_are_refused_with_a_clear_message(city, town, curriculum):
    session = make_session(city, curriculum)
    late = session.registration_deadline + datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError, match="申込締切"):
        sessions.session_register(session=session, staff=city["shimin1"], now=late)
    with pytest.raises(ValidationError, match="ほかの自治体"):
        sessions.session_register(session=session, staff=town["staff"])
    sessions.session_cancel(session=session)
    with pytest.raises(ValidationError, match="中止"):
        sessions.session_register(session=session, staff=city["shimin1"])
    assert not SessionRegistration.objects.exists()


def test_hr_creates_a_session_and_a_bad_form_names_every_problem(client, city, town, curriculum):
    client.force_login(city["hr"].user)
    past = (timezone.localtime() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    bad = {
        "title": "DX基礎 集合研修",
        "course": str(curriculum["basics"].pk),
        "starts_at": past,
        "ends_at": past,
        "venue": "本庁舎",
        "capacity": "5",
        "registration_deadline": past,
        "trainer": town["hr"].employee_number,  # みどり町's: not found in 若葉市
    }
    body = client.post("/hr/training/sessions/new/", bad).content.decode()
    assert "職員番号 th01 の職員はいません。" in body and not ClassSession.objects.exists()
    bad["trainer"] = "t001"
    body = client.post("/hr/training/sessions/new/", bad).content.decode()
    assert "開始日時は過ぎています" in body and "終了日時は開始日時より後" in body
    assert "何も保存していません" in body and not ClassSession.objects.exists()
    start = timezone.localtime() + datetime.timedelta(days=10)
    good = dict(
        bad,
        starts_at=start.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        registration_deadline=(start - datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
    )
    response = client.post("/hr/training/sessions/new/", good)
    assert response.status_code == 302
    session = ClassSession.objects.get()
    assert (session.trainer, session.capacity, session.municipality) == (
        city["kenshu"].user,
        5,
        city["municipality"],
    )
    assert "DX基礎 集合研修" in client.get("/hr/training/sessions/").content.decode()
    for user in (city["shimin1"].user, city["kacho"].user):  # learners and 所属長 do not schedule
        client.force_login(user)
        assert client.get("/hr/training/sessions/new/").status_code == 403
    client.force_login(town["hr"].user)
    assert "DX基礎" not in client.get("/hr/training/sessions/").content.decode()
    assert client.get(f"/sessions/{session.pk}/").status_code == 404


def test_the_manager_approves_or_rejects_their_own_staff_only(client, city, curriculum):
    session = make_session(city, curriculum, capacity=1, approval=True)
    client.force_login(city["shimin1"].user)
    client.post(f"/sessions/{session.pk}/", {"action": "register"})
    client.force_login(city["hoken"].user)  # 保険年金課: not under the 市民課長
    client.post(f"/sessions/{session.pk}/", {"action": "register"})
    mine = SessionRegistration.objects.get(staff=city["shimin1"])
    other = SessionRegistration.objects.get(staff=city["hoken"])
    assert {mine.status, other.status} == {R.PENDING_APPROVAL}

    client.force_login(city["kacho"].user)
    page = client.get("/hr/training/sessions/approvals/").content.decode()
    assert "若葉 職員s001" in page and "若葉 職員p001" not in page
    url = "/hr/training/sessions/registrations/{}/decide/"
    assert client.post(url.format(other.pk), {"decision": "approve"}).status_code == 403
    client.force_login(city["hr"].user)  # HR is not the person's 所属長 either
    assert client.post(url.format(mine.pk), {"decision": "approve"}).status_code == 403
    client.force_login(city["shimin1"].user)  # nor is the applicant
    assert client.post(url.format(mine.pk), {"decision": "approve"}).status_code == 403
    assert statuses(session) == {"s001": R.PENDING_APPROVAL, "p001": R.PENDING_APPROVAL}

    client.force_login(city["kacho"].user)
    assert client.post(url.format(mine.pk), {"decision": "approve"}).status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.decided_by) == (R.REGISTERED, city["kacho"].user)
    late = sessions.session_register(session=session, staff=city["shimin2"])
    sessions.registration_decide(registration=late, by=city["kacho"].user, approve=True)
    assert statuses(session)["s002"] == R.WAITLISTED  # approved into a full session: waits
    client.post(url.format(mine.pk), {"decision": "reject"})  # already decided: a message, no change
    mine.refresh_from_db()
    assert mine.status == R.REGISTERED


def test_the_trainer_takes_the_roll_and_attendance_completes_the_course(
    client, city, town, curriculum, django_capture_on_commit_callbacks
):
    trainer = city["kenshu"].user
    session = make_session(city, curriculum, capacity=3, trainer=trainer, starts_in_days=0)
    session.starts_at -= datetime.timedelta(minutes=5)  # it has just begun
    session.registration_deadline = session.starts_at - datetime.timedelta(hours=1)
    session.save()
    before = session.registration_deadline - datetime.timedelta(minutes=1)
    came = sessions.session_register(session=session, staff=city["shimin1"], now=before)
    absent = sessions.session_register(session=session, staff=city["shimin2"], now=before)
    url = f"/hr/training/sessions/{session.pk}/roll-call/"

    # forged roll calls: a learner of the session, and みどり町's HR, write nothing
    client.force_login(city["shimin1"].user)
    assert client.post(url, {"present": [came.pk, absent.pk]}).status_code == 403
    client.force_login(town["hr"].user)
    assert client.get(url).status_code == 404
    assert client.post(url, {"present": [came.pk]}).status_code == 404
    assert not SessionRegistration.objects.filter(attended__isnull=False).exists()

    client.force_login(trainer)
    page = client.get(url).content.decode()
    assert 'name="present"' in page and "若葉 職員s002" in page
    stranger = SessionRegistration.objects.create(
        session=make_session(city, curriculum), staff=city["hoken"], status=R.REGISTERED
    )
    body = client.post(url, {"present": [came.pk, stranger.pk]}).content.decode()
    assert "何も記録していません" in body
    assert not SessionRegistration.objects.filter(attended__isnull=False).exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"present": [came.pk]}).status_code == 302
    came.refresh_from_db()
    absent.refresh_from_db()
    assert (came.attended, came.attendance_recorded_by, absent.attended) == (True, trainer, False)
    enrollment = Enrollment.objects.get(user=city["shimin1"].user, course=curriculum["basics"])
    assert enrollment.completed_at is not None
    evidence = Evidence.objects.filter(
        user=city["shimin1"].user, source_key=f"course:{curriculum['basics'].pk}"
    )
    assert sorted(evidence.values_list("competency__code", "level")) == [("A1", 2), ("A2", 2)]
    assert not Enrollment.objects.filter(user=city["shimin2"].user, completed_at__isnull=False).exists()
    assert not Evidence.objects.filter(user=city["shimin2"].user).exists()


def test_the_invitation_keeps_its_uid_raises_its_sequence_and_cancels(client, city, curriculum):
    session = make_session(city, curriculum)
    client.force_login(city["shimin1"].user)
    assert client.get(f"/sessions/{session.pk}/invitation.ics").status_code == 404  # not registered
    client.post(f"/sessions/{session.pk}/", {"action": "register"})
    response = client.get(f"/sessions/{session.pk}/invitation.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    first = Calendar.from_ical(response.content)
    event = first.walk("VEVENT")[0]
    assert str(first["method"]) == "PUBLISH" and str(event["status"]) == "CONFIRMED"
    assert (
        str(event["summary"]) == "集合研修: DX基礎 集合研修" and str(event["location"]) == "本庁舎 大会議室"
    )
    assert event["dtstart"].dt == session.starts_at.replace(microsecond=0)

    client.post(f"/sessions/{session.pk}/", {"action": "cancel"})
    cancelled = Calendar.from_ical(client.get(f"/sessions/{session.pk}/invitation.ics").content)
    again = cancelled.walk("VEVENT")[0]
    assert str(cancelled["method"]) == "CANCEL" and str(again["status"]) == "CANCELLED"
    assert str(again["uid"]) == str(event["uid"]) and again["sequence"] > event["sequence"]


def _form(session, **changes) -> dict:
    local = lambda moment: timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
    data = {
        "title": session.title,
        "starts_at": local(session.starts_at),
        "ends_at": local(session.ends_at),
        "venue": session.venue,
        "capacity": str(session.capacity),
        "registration_deadline": local(session.registration_deadline),
        "trainer": "",
    }
    return {**data, **changes}


def test_hr_moves_a_session_everyone_signed_up_is_told_once_and_the_invitation_updates(
    client, city, curriculum
):
    from lms_site.notifications.models import Kind, Notification

    session = make_session(city, curriculum, capacity=1)
    sessions.session_register(session=session, staff=city["shimin1"])
    sessions.session_register(session=session, staff=city["shimin2"])  # waiting
    client.force_login(city["shimin1"].user)
    before = Calendar.from_ical(client.get(f"/sessions/{session.pk}/invitation.ics").content).walk("VEVENT")[
        0
    ]

    client.force_login(city["hr"].user)
    edit = f"/hr/training/sessions/{session.pk}/edit/"
    page = client.get(edit).content.decode()
    assert "本庁舎 大会議室" in page and "集合研修を変更する" in page
    later = session.starts_at + datetime.timedelta(days=1)
    moved = _form(
        session,
        starts_at=timezone.localtime(later).strftime("%Y-%m-%dT%H:%M"),
        ends_at=timezone.localtime(later + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        venue="第二庁舎 研修室",
        capacity="2",
    )
    response = client.post(edit, moved, follow=True)
    assert "お知らせした人: 2 人" in response.content.decode()
    session.refresh_from_db()
    assert session.venue == "第二庁舎 研修室" and session.capacity == 2
    # the capacity raised: the waiting person has the new seat
    assert statuses(session) == {"s001": R.REGISTERED, "s002": R.REGISTERED}
    told = Notification.objects.filter(kind=Kind.SESSION, key__startswith="session:")
    assert sorted(n.recipient.username for n in told) == ["999991-s001", "999991-s002"]
    assert all("日時・会場が変わりました" in n.subject and "第二庁舎 研修室" in n.body for n in told)
    client.force_login(city["shimin1"].user)
    after = Calendar.from_ical(client.get(f"/sessions/{session.pk}/invitation.ics").content).walk("VEVENT")[0]
    assert str(after["uid"]) == str(before["uid"]) and after["sequence"] > before["sequence"]
    assert str(after["location"]) == "第二庁舎 研修室"

    # saving again without a change of time or venue tells nobody again
    client.force_login(city["hr"].user)
    session.refresh_from_db()
    client.post(edit, _form(session, capacity="3"))
    assert Notification.objects.filter(kind=Kind.SESSION, key__startswith="session:").count() == 2


def test_a_bad_change_names_every_problem_and_changes_nothing(client, city, curriculum):
    session = make_session(city, curriculum, capacity=3)
    for key in ("shimin1", "shimin2"):
        sessions.session_register(session=session, staff=city[key])
    client.force_login(city["hr"].user)
    past = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/hr/training/sessions/{session.pk}/edit/",
        _form(session, capacity="1", starts_at=past, venue="新会場"),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "定員は受講確定の 2 人より少なくできません" in body and "開始日時は過ぎています" in body
    assert "何も保存していません" in body
    fresh = ClassSession.objects.get(pk=session.pk)
    assert (fresh.capacity, fresh.venue, fresh.sequence) == (3, "本庁舎 大会議室", session.sequence)


def test_hr_cancels_after_confirming_and_everyone_signed_up_is_told(client, city, curriculum):
    from lms_site.notifications.models import Kind, Notification

    session = make_session(city, curriculum, capacity=1)
    for key in ("shimin1", "shimin2"):
        sessions.session_register(session=session, staff=city[key])
    client.force_login(city["hr"].user)
    confirm = client.get(f"/hr/training/sessions/{session.pk}/cancel/").content.decode()
    assert "申し込んだ 2 人" in confirm and ClassSession.objects.get(pk=session.pk).cancelled_at is None
    response = client.post(f"/hr/training/sessions/{session.pk}/cancel/", follow=True)
    assert "お知らせした人: 2 人" in response.content.decode()
    assert ClassSession.objects.get(pk=session.pk).cancelled_at is not None
    assert (
        Notification.objects.filter(
            kind=Kind.SESSION, key__startswith="session:", subject__contains="中止"
        ).count()
        == 2
    )
    again = client.post(f"/hr/training/sessions/{session.pk}/cancel/", follow=True).content.decode()
    assert "すでに中止になっています" in again
    assert Notification.objects.filter(kind=Kind.SESSION, key__startswith="session:").count() == 2
    edit = client.post(f"/hr/training/sessions/{session.pk}/edit/", _form(session, venue="別会場"))
    assert "中止になった集合研修は変更できません" in edit.content.decode()


def test_only_the_municipalitys_hr_changes_or_cancels_its_sessions(client, city, town, curriculum):
    session = make_session(city, curriculum)
    urls = (f"/hr/training/sessions/{session.pk}/edit/", f"/hr/training/sessions/{session.pk}/cancel/")
    client.force_login(town["hr"].user)  # みどり町's HR, with 若葉市's session number
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url, _form(session, venue="乗っ取り")).status_code == 404
    for key in ("shimin1", "kacho"):  # learners and 所属長 do not change sessions
        client.force_login(city[key].user)
        for url in urls:
            assert client.post(url, _form(session, venue="乗っ取り")).status_code == 403
    fresh = ClassSession.objects.get(pk=session.pk)
    assert fresh.venue == "本庁舎 大会議室" and fresh.cancelled_at is None

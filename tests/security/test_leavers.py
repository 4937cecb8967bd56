"""Leavers lose their access on the day (issue 12 item 8, ADR 0013): a retired person is signed out, cannot
sign in (and is told why), holds no role; an assignment that ended without a successor does the same with
no task run; a re-hire comes back as a learner only."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lms_site.organisation import services
from lms_site.organisation.models import StaffProfile
from lms_site.organisation.roles import ROLES, Role, role_group
from tests.factories import AssignmentFactory, StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a long demo passphrase"
HEADER = "職員番号,姓,名,姓カナ,名カナ,所属コード,役職,職種,採用年度,メールアドレス\n"
ROWS = (
    "150001,佐藤,花子,サトウ,ハナコ,010100,主任,一般行政,2015,sato.hanako@example.lg.jp",
    "180002,鈴木,一郎,スズキ,イチロウ,020100,主事,一般行政,2018,suzuki.ichiro@example.lg.jp",
)
LEAVER_MESSAGE = "退職または所属の終了により利用できなくなっています"


def staff_file(*rows: str) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode()


def import_staff(municipality, *rows, day, retire_missing=False):
    outcome = services.staff_import(
        municipality=municipality,
        content=staff_file(*rows),
        effective_date=day,
        retire_missing=retire_missing,
    )
    assert outcome.ok, outcome.errors
    return outcome


def sign_in(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.fixture
def hr_person(municipality, departments):
    """佐藤 of 人事課, imported from the HR file, holding the 人事課 role and a password."""
    import_staff(municipality, *ROWS, day=datetime.date(2025, 4, 1))
    user = StaffProfile.objects.get(employee_number="150001").user
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(role_group(Role.HR))
    return user


def test_a_retired_hr_planner_is_signed_out_and_cannot_sign_in_again(client, municipality, hr_person):
    assert sign_in(client, hr_person.username).status_code == 302
    assert client.get("/hr/talent/").status_code == 200
    second_device = Client()
    second_device.force_login(hr_person)

    outcome = import_staff(municipality, ROWS[1], day=timezone.localdate(), retire_missing=True)

    assert outcome.retired == 1
    for session in (client, second_device):
        response = session.get("/hr/talent/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    response = sign_in(client, hr_person.username)
    assert response.status_code == 200
    assert LEAVER_MESSAGE in response.content.decode()
    assert "_auth_user_id" not in client.session
    hr_person.refresh_from_db()
    assert not hr_person.is_active
    assert not hr_person.groups.exists()
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(hr_person.pk)]


def test_a_leaver_with_a_wrong_password_gets_the_usual_message(client, municipality, hr_person):
    import_staff(municipality, ROWS[1], day=timezone.localdate(), retire_missing=True)

    response = sign_in(client, hr_person.username, "not the password")

    assert response.status_code == 200
    assert LEAVER_MESSAGE not in response.content.decode()


def test_retirement_ends_cached_db_sessions_too(client, municipality, hr_person, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    assert sign_in(client, hr_person.username).status_code == 302
    from django.contrib.sessions.backends.cached_db import SessionStore

    key = client.session.session_key
    assert SessionStore().exists(key)

    import_staff(municipality, ROWS[1], day=timezone.localdate(), retire_missing=True)

    assert not SessionStore().exists(key)
    assert client.get("/hr/talent/").status_code == 302


def test_a_rehired_person_comes_back_as_a_learner_only(client, municipality, hr_person):
    import_staff(municipality, ROWS[1], day=datetime.date(2026, 4, 1), retire_missing=True)

    import_staff(municipality, *ROWS, day=timezone.localdate())

    hr_person.refresh_from_db()
    assert hr_person.is_active
    assert set(hr_person.groups.values_list("name", flat=True)) == {ROLES[Role.LEARNER].group_name}
    assert sign_in(client, hr_person.username).status_code == 302
    assert client.get("/hr/talent/").status_code == 403


def test_people_still_in_the_file_keep_their_roles_and_sessions(client, municipality, hr_person):
    assert sign_in(client, hr_person.username).status_code == 302

    import_staff(municipality, *ROWS, day=timezone.localdate(), retire_missing=True)

    assert client.get("/hr/talent/").status_code == 200
    assert hr_person.groups.filter(name=ROLES[Role.HR].group_name).exists()


def hr_with_assignment_ending(departments, ends_on):
    user = UserFactory(username="hr-ending", password=PASSWORD)
    staff = StaffProfileFactory(user=user, municipality=departments["010100"].municipality)
    AssignmentFactory(staff=staff, department=departments["010100"], ends_on=ends_on)
    user.groups.add(role_group(Role.LEARNER), role_group(Role.HR))
    return user


def test_access_ends_the_day_after_the_last_assignment_ended_without_any_task(client, departments):
    user = hr_with_assignment_ending(departments, timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(user)

    response = client.get("/hr/talent/")

    assert response.status_code == 302 and response["Location"].startswith("/login/")
    response = sign_in(client, user.username)
    assert response.status_code == 200
    assert LEAVER_MESSAGE in response.content.decode()


def test_the_last_day_of_an_assignment_still_has_access(client, departments):
    user = hr_with_assignment_ending(departments, timezone.localdate())

    assert sign_in(client, user.username).status_code == 302
    assert client.get("/hr/talent/").status_code == 200


def test_a_profile_marked_not_employed_loses_access(client, departments):
    user = hr_with_assignment_ending(departments, None)
    assert sign_in(client, user.username).status_code == 302

    StaffProfile.objects.filter(user=user).update(is_active=False)

    assert client.get("/hr/talent/").status_code == 302


def test_users_without_a_staff_profile_are_not_leavers(client):
    advisor = UserFactory(username="advisor-x", password=PASSWORD)
    advisor.groups.add(role_group(Role.ADVISOR))

    assert sign_in(client, advisor.username).status_code == 302
    assert client.get("/me/").status_code == 200

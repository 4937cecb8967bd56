"""Personal-data roles are signed out after 30 idle minutes; learners keep the normal session (issue 12
item 14, ADR 0013). Time is shifted by moving the session's last-seen stamp back, never by sleeping."""

import pytest
from django.urls import reverse

from lms_site import security
from lms_site.organisation.roles import Role, role_group
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a long demo passphrase"


def signed_in(client, *roles, path="login"):
    user = UserFactory(username=f"user-{'-'.join(roles)}", password=PASSWORD)
    user.groups.add(*(role_group(role) for role in roles))
    url = reverse(path) if path == "login" else path
    assert client.post(url, {"username": user.username, "password": PASSWORD}).status_code == 302
    return user


def idle_for(client, seconds):
    session = client.session
    session[security.SEEN_KEY] -= seconds
    session.save()


def test_hr_idle_for_more_than_30_minutes_is_signed_out(client):
    signed_in(client, Role.LEARNER, Role.HR)
    assert client.session[security.IDLE_KEY] == 30 * 60
    idle_for(client, 30 * 60 + 1)

    response = client.get("/me/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/me/")
    assert "_auth_user_id" not in client.session
    assert "一定時間操作がなかったため" in client.get(response["Location"]).content.decode()


def test_hr_active_within_30_minutes_stays_signed_in(client):
    signed_in(client, Role.LEARNER, Role.HR)
    idle_for(client, 29 * 60)

    assert client.get("/me/").status_code == 200
    idle_for(client, 29 * 60)  # 29 minutes after the last request, 58 after signing in
    assert client.get("/me/").status_code == 200


def test_a_learner_keeps_the_normal_session(client):
    signed_in(client, Role.LEARNER)

    assert security.IDLE_KEY not in client.session
    assert client.get("/me/").status_code == 200


def test_signing_in_through_the_wagtail_admin_also_starts_the_idle_timeout(client):
    signed_in(client, Role.LEARNER, Role.HR, path="/admin/login/")

    assert client.session[security.IDLE_KEY] == 30 * 60

"""Issue 14: a local account holding personal-data or authoring rights proves a TOTP code before those
rights take effect. The authenticator app is played by pyotp, an independent RFC 6238 implementation."""

import re

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from lms_site.organisation.roles import Role, role_group
from tests.factories import AssignmentFactory, StaffProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mfa_on(settings):
    settings.MFA_REQUIRED = True


def _staff(municipality, departments, role: Role, username: str):
    staff = StaffProfileFactory(municipality=municipality, user__username=username)
    AssignmentFactory(staff=staff, department=departments["010100"])
    staff.user.groups.add(role_group(role))
    return staff.user


@pytest.fixture
def hr(municipality, departments):
    return _staff(municipality, departments, Role.HR, "jinji")


@pytest.fixture
def learner(municipality, departments):
    return _staff(municipality, departments, Role.LEARNER, "shokuin")


def _secret(page: str) -> str:
    return re.search(r'<code class="mfa-secret">([A-Z2-7=]+)</code>', page).group(1)


def _set_up(client) -> str:
    secret = _secret(client.get("/mfa/setup/").content.decode())
    response = client.post("/mfa/setup/", {"code": pyotp.TOTP(secret).now(), "next": "/hr/training/"})
    assert response.status_code == 302, response.content.decode()
    return secret


def test_hr_cannot_open_any_page_with_their_rights_before_setting_up_totp(mfa_on, client, hr):
    client.force_login(hr)

    response = client.get("/hr/training/")

    assert response.status_code == 302
    assert response["Location"] == "/mfa/setup/?next=%2Fhr%2Ftraining%2F"
    assert client.get("/admin/")["Location"].startswith("/mfa/setup/")
    assert client.get("/me/")["Location"].startswith("/mfa/setup/")
    api = client.get("/api/v1/staff/")
    assert api.status_code == 403
    assert "二要素認証" in api.json()["detail"]


def test_with_a_valid_code_the_rights_take_effect(mfa_on, client, hr):
    client.force_login(hr)
    page = client.get("/mfa/setup/?next=/hr/training/").content.decode()
    secret = _secret(page)
    assert "<svg" in page  # the QR code, drawn here (no image from elsewhere)

    wrong = client.post("/mfa/setup/", {"code": "000000", "next": "/hr/training/"})
    assert wrong.status_code == 400
    assert "確認コードが正しくない" in wrong.content.decode()
    assert not Authenticator.objects.exists()

    right = client.post("/mfa/setup/", {"code": pyotp.TOTP(secret).now(), "next": "/hr/training/"})

    assert right["Location"] == "/hr/training/"
    assert client.get("/hr/training/").status_code == 200
    stored = Authenticator.objects.get(user=hr, type=Authenticator.Type.TOTP)
    assert secret not in str(stored.data)  # sealed at rest


def test_each_later_session_asks_for_a_code_and_a_code_counts_once(mfa_on, client, hr):
    client.force_login(hr)
    secret = _set_up(client)
    code = pyotp.TOTP(secret).now()

    later = Client()
    later.force_login(hr)
    assert later.get("/hr/training/")["Location"] == "/mfa/verify/?next=%2Fhr%2Ftraining%2F"
    assert later.post("/mfa/verify/", {"code": code, "next": "/hr/training/"})["Location"] == "/hr/training/"
    assert later.get("/hr/training/").status_code == 200

    replay = Client()
    replay.force_login(hr)
    refused = replay.post("/mfa/verify/", {"code": code, "next": "/hr/training/"})
    assert refused.status_code == 400
    assert replay.get("/hr/training/").status_code == 302


def test_five_wrong_codes_end_the_session(mfa_on, client, hr):
    client.force_login(hr)
    for _ in range(4):
        assert client.post("/mfa/setup/", {"code": "123456"}).status_code == 400
    assert client.post("/mfa/setup/", {"code": "123456"})["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_a_learner_needs_no_second_factor(mfa_on, client, learner):
    client.force_login(learner)

    assert client.get("/me/").status_code == 200


def test_an_external_redirect_after_the_code_is_not_followed(mfa_on, client, hr):
    client.force_login(hr)
    secret = _secret(client.get("/mfa/setup/").content.decode())

    response = client.post("/mfa/setup/", {"code": pyotp.TOTP(secret).now(), "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_an_administrator_resets_a_lost_authenticator_and_ends_the_sessions(mfa_on, client, hr):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    client.force_login(hr)
    _set_up(client)
    assert client.get("/hr/training/").status_code == 200

    call_command("mfa_reset", "--user", "jinji", stdout=None)

    assert not Authenticator.objects.filter(user=hr).exists()
    assert client.get("/hr/training/")["Location"].startswith("/login/")  # signed out
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("mfa_reset", "--user", "jinji")

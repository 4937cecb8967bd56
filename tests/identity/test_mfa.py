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


def _codes(page: str) -> list[str]:
    return re.findall(r"<li><code>(\d+)</code></li>", page)


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


def test_the_case_provider_at_the_site_root_answers_a_machine_not_a_redirect(mfa_on, client, hr):
    """/ims/case/v1p0/ is the API's too (ADR 0021): JSON 403 at either base, never the setup page."""
    client.force_login(hr)

    for base in ("/ims/case/v1p0", "/api/ims/case/v1p0"):
        response = client.get(f"{base}/CFDocuments")
        assert response.status_code == 403, base
        assert "二要素認証" in response.json()["detail"]


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

    assert right["Location"] == "/mfa/recovery-codes/?next=%2Fhr%2Ftraining%2F"  # first the recovery codes
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

    assert response["Location"] == "/mfa/recovery-codes/?next=%2F"
    assert 'href="/"' in client.get(response["Location"]).content.decode()


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


# --- Recovery codes: a lost or replaced phone -------------------------------------------------------------


def test_setting_up_the_app_shows_ten_one_time_recovery_codes_sealed_at_rest(mfa_on, client, hr):
    client.force_login(hr)
    _set_up(client)

    page = client.get("/mfa/recovery-codes/?next=/hr/training/")

    codes = _codes(page.content.decode())
    assert len(codes) == 10 and all(len(code) == 8 for code in codes) and len(set(codes)) == 10
    assert page["Cache-Control"] == "no-store"
    assert 'href="/hr/training/"' in page.content.decode()  # then on to where the person was going
    stored = Authenticator.objects.get(user=hr, type=Authenticator.Type.RECOVERY_CODES)
    assert not any(code in str(stored.data) for code in codes)
    download = client.get("/mfa/recovery-codes/?download=1")
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert "attachment" in download["Content-Disposition"]
    assert all(code in download.content.decode() for code in codes)


def test_a_lost_phone_is_replaced_by_one_recovery_code_which_works_once(mfa_on, client, hr, caplog):
    client.force_login(hr)
    _set_up(client)
    code = _codes(client.get("/mfa/recovery-codes/").content.decode())[0]

    phone_lost = Client()
    phone_lost.force_login(hr)
    assert phone_lost.get("/hr/training/")["Location"] == "/mfa/verify/?next=%2Fhr%2Ftraining%2F"
    assert "/mfa/recover/" in phone_lost.get("/mfa/verify/?next=/hr/training/").content.decode()
    with caplog.at_level("WARNING", logger="lms_site.identity"):
        proved = phone_lost.post("/mfa/recover/", {"code": f"{code[:4]}-{code[4:]}", "next": "/hr/training/"})

    assert proved["Location"] == "/mfa/recovery-codes/?next=%2Fhr%2Ftraining%2F"
    assert phone_lost.get("/hr/training/").status_code == 200
    assert f"recovery code used: user={hr.pk} codes_left=9" in caplog.text
    left = phone_lost.get("/mfa/recovery-codes/").content.decode()
    assert code not in _codes(left) and len(_codes(left)) == 9
    again = Client()
    again.force_login(hr)
    refused = again.post("/mfa/recover/", {"code": code, "next": "/hr/training/"})
    assert refused.status_code == 400
    assert "すでに使われています" in refused.content.decode()
    assert again.get("/hr/training/").status_code == 302


def test_a_password_alone_never_shows_the_recovery_codes(mfa_on, client, hr):
    client.force_login(hr)
    _set_up(client)

    stolen_password = Client()
    stolen_password.force_login(hr)

    for url in ("/mfa/recovery-codes/", "/mfa/recovery-codes/?download=1"):
        response = stolen_password.get(url)
        assert response["Location"] == "/mfa/verify/?next=%2Fmfa%2Frecovery-codes%2F"
    before = Authenticator.objects.get(user=hr, type=Authenticator.Type.RECOVERY_CODES).data
    assert stolen_password.post("/mfa/recovery-codes/").status_code == 302
    assert Authenticator.objects.get(user=hr, type=Authenticator.Type.RECOVERY_CODES).data == before


def test_new_recovery_codes_replace_all_the_old_ones(mfa_on, client, hr):
    client.force_login(hr)
    _set_up(client)
    old = _codes(client.get("/mfa/recovery-codes/").content.decode())

    client.post("/mfa/recovery-codes/", {"next": "/hr/training/"})

    new = _codes(client.get("/mfa/recovery-codes/").content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    other = Client()
    other.force_login(hr)
    assert other.post("/mfa/recover/", {"code": old[1]}).status_code == 400
    assert other.post("/mfa/recover/", {"code": new[1]}).status_code == 302


def test_a_recovery_code_proves_only_its_own_account(mfa_on, client, hr, municipality, departments):
    other_hr = _staff(municipality, departments, Role.HR, "jinji2")
    client.force_login(hr)
    _set_up(client)
    code = _codes(client.get("/mfa/recovery-codes/").content.decode())[0]
    other = Client()
    other.force_login(other_hr)
    _set_up(other)

    attacker = Client()
    attacker.force_login(other_hr)
    assert attacker.post("/mfa/recover/", {"code": code}).status_code == 400
    assert attacker.get("/hr/training/").status_code == 302


@pytest.mark.parametrize(
    ("code", "message"),
    [("1234", "回復コードは8桁の数字です。"), ("abcdefgh", "回復コードは8桁の数字です。"),
     ("１２３４５６７８", "回復コードは8桁の数字です。"), ("12345678", "すでに使われています")],
)  # fmt: skip
def test_a_wrong_recovery_code_is_refused_by_name_and_counts_toward_five(mfa_on, client, hr, code, message):
    client.force_login(hr)
    _set_up(client)
    guesser = Client()
    guesser.force_login(hr)

    refused = guesser.post("/mfa/recover/", {"code": code})

    assert refused.status_code == 400
    assert message in refused.content.decode()
    if message.startswith("すでに"):  # a well-formed guess counts; with TOTP guesses, five end the session
        for _ in range(3):
            assert guesser.post("/mfa/verify/", {"code": "000000"}).status_code == 400
        assert guesser.post("/mfa/recover/", {"code": "87654321"})["Location"] == "/login/"


# --- Security keys (WebAuthn; the browser side is in tests/browser/test_identity.py) --------------------


def test_a_password_alone_cannot_add_a_security_key(mfa_on, client, hr):
    """Else a stolen password would add the thief's key and skip the code from then on."""
    client.force_login(hr)
    _set_up(client)
    stolen_password = Client()
    stolen_password.force_login(hr)

    assert stolen_password.get("/mfa/keys/")["Location"] == "/mfa/verify/?next=%2Fmfa%2Fkeys%2F"
    added = stolen_password.post("/mfa/keys/", {"name": "thief", "credential": "{}"})

    assert added["Location"] == "/mfa/verify/?next=%2Fmfa%2Fkeys%2F"
    assert not Authenticator.objects.filter(type=Authenticator.Type.WEBAUTHN).exists()


@pytest.mark.parametrize("credential", ["", "not json", "[]", '{"id": "x", "response": {}}', "{" * 20_000])
def test_a_credential_that_is_not_a_new_key_for_this_challenge_is_refused(mfa_on, client, hr, credential):
    client.force_login(hr)
    _set_up(client)
    client.get("/mfa/keys/")  # the page's challenge

    refused = client.post("/mfa/keys/", {"name": "USB キー", "credential": credential})

    assert refused.status_code == 400
    assert "セキュリティキーを登録できませんでした" in refused.content.decode()
    assert not Authenticator.objects.filter(type=Authenticator.Type.WEBAUTHN).exists()


def test_nobody_removes_another_persons_key(mfa_on, client, hr, municipality, departments):
    other = _staff(municipality, departments, Role.HR, "jinji2")
    key = Authenticator.objects.create(user=other, type=Authenticator.Type.WEBAUTHN, data={"name": "k"})
    client.force_login(hr)
    _set_up(client)

    for value in (str(key.pk), "x", "1e3", "-1"):
        assert client.post("/mfa/keys/", {"remove": value}).status_code == 404
    assert Authenticator.objects.filter(pk=key.pk).exists()


def test_a_made_up_assertion_proves_nothing_and_counts_toward_the_five(mfa_on, client, hr):
    client.force_login(hr)
    _set_up(client)
    guesser = Client()
    guesser.force_login(hr)

    refused = guesser.post("/mfa/verify/key/", {"credential": '{"id": "AAAA", "response": {}}'})

    assert refused.status_code == 400
    assert "セキュリティキーで確認できませんでした" in refused.content.decode()
    assert guesser.get("/hr/training/").status_code == 302
    for _ in range(3):
        guesser.post("/mfa/verify/key/", {"credential": "{}"})
    assert guesser.post("/mfa/verify/key/", {"credential": "{}"})["Location"] == "/login/"

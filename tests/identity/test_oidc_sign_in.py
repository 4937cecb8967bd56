"""Issue 14: staff sign in with their municipality's OpenID Connect provider, linked to the HR record.

The provider is real (panva's oidc-provider, tests/identity/conftest.py): the authorisation-code flow
with PKCE and a nonce runs between our views (Django's test client), the provider's pages (an HTTP client
playing the browser) and our server's own calls to the provider's token, key and UserInfo endpoints.
"""

import logging
import re
from urllib.parse import urljoin

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from lms_site.identity.models import IdentityProvider
from tests.factories import AssignmentFactory, StaffProfileFactory, UserFactory
from tests.identity.conftest import CITY, TOWN, callback_path, refused, sign_in_at_provider, slug

pytestmark = pytest.mark.django_db


def start(client, code: str, next_url: str = "/me/") -> str:
    """Press the municipality's sign-in button; the provider's authorisation URL we are sent to."""
    response = client.post(f"/accounts/oidc/{slug(code)}/login/", {"next": next_url})
    assert response.status_code == 302, response.content.decode()
    return response["Location"]


def sign_in(client, code: str, subject: str):
    return client.get(callback_path(sign_in_at_provider(start(client, code), subject)))


def test_first_sign_in_links_the_hr_record_by_employee_number_and_signs_in(client, register, city, hanako):
    register(city)
    users_before = get_user_model().objects.count()
    authorisation = start(client, CITY)
    assert "code_challenge_method=S256" in authorisation
    assert "nonce=" in authorisation

    response = client.get(callback_path(sign_in_at_provider(authorisation, "u-hanako")))

    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert client.get("/me/").context["user"] == hanako.user
    account = SocialAccount.objects.get()
    assert (account.provider, account.uid, account.user) == (slug(CITY), "u-hanako", hanako.user)
    assert get_user_model().objects.count() == users_before  # nobody was created


def test_a_second_sign_in_uses_the_link_without_matching_again(client, register, city, hanako):
    register(city)
    sign_in(client, CITY, "u-hanako")
    client.logout()
    hanako.employee_number = "100009"  # renumbered in HR: the link is by the provider's subject
    hanako.save()

    response = sign_in(client, CITY, "u-hanako")

    assert response.status_code == 302
    assert client.get("/me/").context["user"] == hanako.user
    assert SocialAccount.objects.count() == 1


def test_an_employee_number_missing_from_hr_data_is_refused_with_a_message_and_nothing_created(
    client, register, city, hanako, caplog
):
    register(city)
    users_before = get_user_model().objects.count()
    with caplog.at_level(logging.WARNING, logger="lms_site.identity"):
        response = sign_in(client, CITY, "u-unknown")

    page = refused(response, caplog, "no_record")
    assert "職員番号 999999" in page
    assert "人事課にお問い合わせください" in page
    assert get_user_model().objects.count() == users_before
    assert "_auth_user_id" not in client.session


def test_a_retired_person_isrefused(client, register, city, retired, caplog):
    register(city)
    with caplog.at_level(logging.WARNING, logger="lms_site.identity"):
        page = refused(sign_in(client, CITY, "u-retired"), caplog, "left")
    assert "退職" in page


def test_a_linked_person_who_has_left_since_isrefused(client, register, city, hanako, caplog):
    register(city)
    sign_in(client, CITY, "u-hanako")
    client.logout()
    hanako.is_active = False
    hanako.save()

    with caplog.at_level(logging.WARNING, logger="lms_site.identity"):
        response = sign_in(client, CITY, "u-hanako")

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_another_municipalitys_provider_cannot_sign_in_a_city_employee(
    client, register, city, town, hanako, caplog
):
    """青葉町's provider states employee number 100001, which is 若葉市's 花子: it names nobody in 青葉町."""
    register(town)
    with caplog.at_level(logging.WARNING, logger="lms_site.identity"):
        page = refused(sign_in(client, TOWN, "u-hanako"), caplog, "no_record")
    assert "青葉町" in page


def test_without_an_employee_number_claim_a_verified_email_matches_only_where_allowed(
    client, register, city, departments, caplog
):
    saburo = StaffProfileFactory(
        municipality=city, user=UserFactory(username="saburo", email="Saburo@city.example.lg.jp")
    )
    AssignmentFactory(staff=saburo, department=departments["020100"])
    provider = register(city)
    with caplog.at_level(logging.WARNING, logger="lms_site.identity"):
        refused(sign_in(client, CITY, "u-mail-only"), caplog, "no_employee_number")

    provider.email_fallback = True
    provider.save()
    response = sign_in(client, CITY, "u-mail-only")
    assert response.status_code == 302
    assert client.get("/me/").context["user"] == saburo.user


def test_a_replayed_callback_isrefused(client, register, city, hanako):
    register(city)
    location = sign_in_at_provider(start(client, CITY), "u-hanako")
    assert client.get(callback_path(location)).status_code == 302
    client.logout()

    replay = client.get(callback_path(location))

    assert replay.status_code == 401
    assert "_auth_user_id" not in client.session


def test_an_authorisation_code_that_expired_before_use_isrefused(client, oidc_issuer, city, hanako, caplog):
    """The provider's codes for this client last one second: one used later signs nobody in."""
    import time

    from lms_site.identity.services import oidc_provider_add
    from tests.identity.conftest import SECRETS, SHORT_CODE_CLIENT

    oidc_provider_add(
        municipality=city,
        issuer=oidc_issuer,
        client_id=SHORT_CODE_CLIENT,
        client_secret=SECRETS[CITY],
        slug=SHORT_CODE_CLIENT,
        scopes=["openid", "profile", "email", "employee"],
    )
    authorisation = client.post(f"/accounts/oidc/{SHORT_CODE_CLIENT}/login/")["Location"]
    location = sign_in_at_provider(authorisation, "u-hanako")
    time.sleep(2.2)

    with caplog.at_level(logging.WARNING, logger="lms_site.identity"):
        response = client.get(callback_path(location))

    assert response.status_code == 401
    assert "sign-in failed" in caplog.text
    assert "_auth_user_id" not in client.session
    assert SocialAccount.objects.count() == 0


def test_a_callback_in_another_browser_isrefused(client, register, city, hanako):
    """The state is kept in the session that started the sign-in: a code carried to another browser
    (a link sent by an attacker) signs nobody in."""
    from django.test import Client

    register(city)
    location = sign_in_at_provider(start(client, CITY), "u-hanako")
    other = Client()

    assert other.get(callback_path(location)).status_code == 401
    assert "_auth_user_id" not in other.session
    assert SocialAccount.objects.count() == 0


def test_an_id_token_with_another_sign_ins_nonce_isrefused(client, register, city, hanako, caplog):
    register(city)
    authorisation = start(client, CITY)
    session = client.session
    states = session["socialaccount_states"]
    (state_id,) = states
    states[state_id][0]["nonce"] = "a-nonce-of-another-sign-in"
    session["socialaccount_states"] = states
    session.save()

    with caplog.at_level(logging.WARNING, logger="lms_site.identity"):
        response = client.get(callback_path(sign_in_at_provider(authorisation, "u-hanako")))

    assert response.status_code == 401
    assert "nonce" in caplog.text
    assert SocialAccount.objects.count() == 0


def test_a_disabled_provider_has_no_sign_in(client, register, city):
    provider = register(city)
    provider.is_enabled = False
    provider.save()

    assert client.post(f"/accounts/oidc/{slug(CITY)}/login/").status_code == 404
    assert provider.app.name not in client.get("/login/").content.decode()


def test_the_login_page_offers_the_municipalitys_button_first_and_keeps_the_local_form(
    client, register, city
):
    register(city, name="若葉市 職員アカウント")

    page = client.get("/login/").content.decode()

    assert page.index("若葉市 職員アカウント") < page.index('name="password"')
    assert f'action="/accounts/oidc/{slug(CITY)}/login/"' in page


# --- registering a provider ------------------------------------------------------------------------------


def test_registering_checks_the_discovery_document_names_exactly_that_issuer(oidc_issuer, city):
    from lms_site.identity.services import oidc_provider_add

    other_spelling = oidc_issuer.replace("127.0.0.1", "localhost")
    with pytest.raises(ValidationError) as refused:
        oidc_provider_add(municipality=city, issuer=other_spelling, client_id="x", client_secret="y")

    assert "一致しません" in " ".join(refused.value.message_dict["issuer"])
    assert not IdentityProvider.objects.exists()


def test_the_command_registers_prints_the_callback_url_and_lists(oidc_issuer, city, capsys):
    call_command(
        "identity_provider",
        "add",
        "--municipality",
        CITY,
        "--protocol",
        "oidc",
        "--issuer",
        oidc_issuer,
        "--client-id",
        f"dx-{CITY}",
        "--client-secret",
        "secret",
        "--employee-number-claim",
        "employeeId",
    )
    out = capsys.readouterr().out
    assert f"/accounts/oidc/{slug(CITY)}/login/callback/" in out

    call_command("identity_provider", "list")
    listed = capsys.readouterr().out
    assert slug(CITY) in listed
    assert "claim=employeeId" in listed


def test_the_command_lists_every_problem_and_registers_nothing(city):
    with pytest.raises(CommandError) as refused:
        call_command(
            "identity_provider",
            "add",
            "--municipality",
            CITY,
            "--protocol",
            "oidc",
            "--issuer",
            "http://idp.example.lg.jp",
            "--client-id",
            " ",
            "--client-secret",
            "",
            "--slug",
            "Bad Slug",
        )

    message = str(refused.value)
    for option in ("--issuer", "--client-id", "--client-secret", "--slug"):
        assert option in message
    assert not IdentityProvider.objects.exists()


def test_signing_out_ends_the_providers_session_too(client, register, city, hanako, oidc_issuer):
    """A counter PC is shared: after 花子 signs out, the next person is asked to sign in at the provider,
    not signed straight back in as 花子."""
    from django.test import Client

    register(city)
    browser = requests.Session()
    client.get(callback_path(sign_in_at_provider(start(client, CITY), "u-hanako", browser)))
    # while the provider's session lasts, another sign-in comes straight back (an unknown account
    # typed into a sign-in form would never get there)
    assert sign_in_at_provider(start(Client(), CITY), "nobody", browser).startswith("http://testserver/")

    response = client.post("/logout/")

    assert "_auth_user_id" not in client.session
    end_session = response["Location"]
    assert end_session.startswith(f"{oidc_issuer}/session/end?")
    assert f"client_id=dx-{CITY}" in end_session
    assert "post_logout_redirect_uri=http%3A%2F%2Ftestserver%2F" in end_session
    confirm = browser.get(end_session, timeout=10)
    action = re.search(r'<form id="op.logoutForm" method="post" action="([^"]+)"', confirm.text).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', confirm.text))
    done = browser.post(urljoin(end_session, action), data={**fields, "logout": "yes"}, allow_redirects=False)
    assert done.headers["Location"] == "http://testserver/"

    again = browser.get(start(Client(), CITY), timeout=10)
    assert again.status_code == 200
    assert 'name="login"' in again.text


def test_signing_out_of_a_local_account_stays_on_the_site(client, hanako):
    client.force_login(hanako.user)

    response = client.post("/logout/")

    assert response["Location"] == "/"


def test_a_session_from_the_municipalitys_provider_needs_no_second_factor(
    client, register, city, hanako, settings
):
    from lms_site.organisation.roles import Role, role_group

    settings.MFA_REQUIRED = True
    hanako.user.groups.add(role_group(Role.HR))
    register(city)

    sign_in(client, CITY, "u-hanako")

    assert client.get("/hr/training/").status_code == 200


def test_forms_may_post_to_the_provider_only_where_a_page_leads_there(
    client, register, city, hanako, oidc_issuer
):
    """Chromium applies form-action to the redirect after a form is sent: the login page (its buttons) and
    the pages of a session from the provider (signing out) allow its origin; no other page does."""
    register(city)
    assert f"form-action 'self' {oidc_issuer}" in client.get("/login/")["Content-Security-Policy"]

    sign_in(client, CITY, "u-hanako")
    assert f"form-action 'self' {oidc_issuer}" in client.get("/me/")["Content-Security-Policy"]

    local = type(client)()
    local.force_login(hanako.user)
    assert "form-action 'self';" in local.get("/me/")["Content-Security-Policy"]

"""Issue 14: staff sign in with their municipality's SAML 2.0 identity provider, linked to the HR record.

The IdP is real (pysaml2, tests/identity/conftest.py): our AuthnRequest (HTTP-Redirect) goes from our
start view to the IdP's sign-in page (an HTTP client playing the browser), and the IdP's signed response
comes back by the browser's POST to our assertion consumer service (Django's test client), where
python3-saml checks it against the certificate from the IdP's metadata.
"""

import base64
import logging

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from lms_site.identity.models import IdentityProvider, Protocol
from lms_site.identity.services import saml_provider_add
from tests.identity.conftest import CITY, SP_HOST, TOWN, refused, saml_slug, sign_in_at_idp

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """The browser, at our site's public host name."""
    from django.test import Client

    return Client(HTTP_HOST=SP_HOST)


@pytest.fixture
def register(saml_metadata):
    """register(municipality, variant="") -> IdentityProvider: its SP as the IdP knows it (conftest)."""

    def register(municipality, variant: str = "", **options):
        return saml_provider_add(
            municipality=municipality,
            metadata_xml=saml_metadata,
            slug=saml_slug(municipality.code, variant),
            **options,
        )

    return register


def start(client, slug: str, next_url: str = "/me/") -> str:
    """Press the municipality's sign-in button; the IdP's sign-on URL (with our AuthnRequest)."""
    response = client.post(f"/accounts/saml/{slug}/login/", {"next": next_url})
    assert response.status_code == 302, response.content.decode()
    return response["Location"]


def post_to_acs(client, acs_url: str, fields: dict):
    """The browser's POST of the IdP's response to our ACS, and the redirect to where it is checked."""
    assert acs_url.startswith(f"http://{SP_HOST}/accounts/saml/")
    response = client.post(acs_url.removeprefix(f"http://{SP_HOST}"), fields)
    assert response.status_code == 302, response.content.decode()
    return client.get(response["Location"])


def sign_in(client, slug: str, subject: str):
    return post_to_acs(client, *sign_in_at_idp(start(client, slug), subject))


def test_first_sign_in_links_the_hr_record_by_employee_number_attribute(
    client, register, city, hanako, saml_idp
):
    register(city)
    users_before = get_user_model().objects.count()
    sso = start(client, saml_slug(CITY))
    assert sso.startswith(f"{saml_idp['base']}/sso/redirect?SAMLRequest=")

    response = post_to_acs(client, *sign_in_at_idp(sso, "nid-7f3a-hanako"))

    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == "/me/"
    assert client.get("/me/").context["user"] == hanako.user
    account = SocialAccount.objects.get()
    assert (account.provider, account.uid, account.user) == (saml_slug(CITY), "nid-7f3a-hanako", hanako.user)
    assert account.extra_data["employee_number"] == ["100001"]
    assert get_user_model().objects.count() == users_before  # nobody was created

    client.logout()
    hanako.employee_number = "100009"  # renumbered in HR: the link is by the persistent NameID
    hanako.save()
    assert sign_in(client, saml_slug(CITY), "nid-7f3a-hanako").status_code == 302
    assert client.get("/me/").context["user"] == hanako.user
    assert SocialAccount.objects.count() == 1


def test_an_employee_number_missing_from_hr_data_isrefused(client, register, city, hanako, caplog):
    register(city)
    users_before = get_user_model().objects.count()
    with caplog.at_level(logging.WARNING, logger="lms_site.identity"):
        page = refused(sign_in(client, saml_slug(CITY), "nid-9d2e-unknown"), caplog, "no_record")
    assert "職員番号 999999" in page
    assert "人事課にお問い合わせください" in page
    assert get_user_model().objects.count() == users_before
    assert "_auth_user_id" not in client.session


def test_a_retired_person_isrefused(client, register, city, retired, caplog):
    register(city)
    with caplog.at_level(logging.WARNING, logger="lms_site.identity"):
        page = refused(sign_in(client, saml_slug(CITY), "nid-51c0-retired"), caplog, "left")
    assert "退職" in page


def test_another_municipalitys_provider_cannot_sign_in_a_city_employee(
    client, register, city, town, hanako, caplog
):
    """青葉町's IdP states employee number 100001, which is 若葉市's 花子: it names nobody in 青葉町."""
    register(town)
    with caplog.at_level(logging.WARNING, logger="lms_site.identity"):
        page = refused(sign_in(client, saml_slug(TOWN), "nid-7f3a-hanako"), caplog, "no_record")
    assert "青葉町" in page
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("variant", ["unsigned", "response-only"])
def test_an_unsigned_assertion_isrefused(client, register, city, hanako, caplog, variant):
    """Nothing signed, or only the Response around the assertion: the assertion itself must be signed."""
    register(city, variant)
    with caplog.at_level(logging.WARNING, logger="lms_site.identity"):
        page = refused(sign_in(client, saml_slug(CITY, variant), "nid-7f3a-hanako"), caplog, "unsigned")
    assert "署名がない" in page
    assert "_auth_user_id" not in client.session


def test_a_tampered_assertion_isrefused(client, register, city, hanako, caplog):
    """The IdP signs 次郎's unknown number; the browser changes it to 花子's before posting it on."""
    register(city)
    acs_url, fields = sign_in_at_idp(start(client, saml_slug(CITY)), "nid-9d2e-unknown")
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert xml.count(">999999<") == 1
    fields["SAMLResponse"] = base64.b64encode(xml.replace(">999999<", ">100001<").encode()).decode()

    with caplog.at_level(logging.WARNING, logger="lms_site.identity"):
        page = refused(post_to_acs(client, acs_url, fields), caplog, "bad_signature")
    assert "署名を確認できませんでした" in page
    assert "_auth_user_id" not in client.session


def test_an_assertion_for_another_service_provider_isrefused(client, register, city, hanako, caplog):
    """The IdP signs the assertion properly, but for another SP's entity id (its audience)."""
    register(city, "other-sp")
    with caplog.at_level(logging.WARNING, logger="lms_site.identity"):
        page = refused(
            sign_in(client, saml_slug(CITY, "other-sp"), "nid-7f3a-hanako"), caplog, "wrong_audience"
        )
    assert "このサイトあてではありません" in page
    assert "_auth_user_id" not in client.session


def test_a_replayed_response_signs_nobody_in(client, register, city, hanako):
    """The response answers one AuthnRequest (InResponseTo), kept in the session that sent it: posted
    again, or in another browser, it signs nobody in."""
    from django.test import Client

    register(city)
    acs_url, fields = sign_in_at_idp(start(client, saml_slug(CITY)), "nid-7f3a-hanako")
    assert post_to_acs(client, acs_url, fields).status_code == 302
    client.logout()

    for browser in (client, Client(HTTP_HOST=SP_HOST)):
        replay = post_to_acs(browser, acs_url, fields)
        assert replay.status_code == 403  # allauth: no sign-in of this session awaits that response
        assert "_auth_user_id" not in browser.session
    assert SocialAccount.objects.count() == 1


def test_a_transient_nameid_isrefused(client, register, city, hanako, caplog):
    """The account's uid is the NameID: a new one at each sign-in would link a new account each time."""
    register(city, "transient")
    with caplog.at_level(logging.WARNING, logger="lms_site.identity"):
        page = refused(
            sign_in(client, saml_slug(CITY, "transient"), "nid-7f3a-hanako"), caplog, "not_persistent"
        )
    assert "persistent" in page


def test_a_disabled_providers_urls_are_404_and_its_button_is_gone(client, register, city):
    provider = register(city)
    slug = saml_slug(CITY)
    page = client.get("/login/").content.decode()
    assert f'action="/accounts/saml/{slug}/login/"' in page
    assert client.get(f"/accounts/saml/{slug}/metadata/").status_code == 200

    provider.is_enabled = False
    provider.save()

    for path in ("login/", "acs/", "acs/finish/", "sls/", "metadata/"):
        assert client.post(f"/accounts/saml/{slug}/{path}").status_code == 404, path
    assert provider.app.name not in client.get("/login/").content.decode()


def test_no_single_logout_request_is_taken_and_the_login_page_may_lead_to_the_idp(client, register, city):
    """An unsigned logout request would let any page end a person's session: none is taken. The login
    page's policy lets its button's form lead to the IdP's single sign-on service, and nowhere else."""
    provider = register(city)
    slug = saml_slug(CITY)

    assert client.post(f"/accounts/saml/{slug}/sls/", {"SAMLRequest": "x"}).status_code == 400
    policy = client.get("/login/")["Content-Security-Policy"]
    assert f"form-action 'self' {provider.form_origin};" in policy
    assert provider.form_origin.startswith("http://127.0.0.1:")


def test_our_sp_metadata_names_our_entity_id_acs_and_a_persistent_nameid(client, register, city):
    register(city)
    slug = saml_slug(CITY)

    metadata = client.get(f"/accounts/saml/{slug}/metadata/").content.decode()

    assert f'entityID="http://{SP_HOST}/accounts/saml/{slug}/metadata/"' in metadata
    assert f'Location="http://{SP_HOST}/accounts/saml/{slug}/acs/"' in metadata
    assert "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" in metadata
    assert 'WantAssertionsSigned="true"' in metadata


# --- registering a provider ------------------------------------------------------------------------------


def test_the_command_registers_from_the_metadata_prints_the_urls_and_lists(
    city, saml_idp, saml_metadata, tmp_path, capsys
):
    metadata = tmp_path / "idp-metadata.xml"
    metadata.write_text(saml_metadata, encoding="utf-8")

    call_command(
        "identity_provider",
        "add",
        "--municipality",
        CITY,
        "--protocol",
        "saml",
        "--metadata",
        str(metadata),
        "--employee-number-attribute",
        "employeeNumber",
    )

    out = capsys.readouterr().out
    slug = saml_slug(CITY)
    assert f"/accounts/saml/{slug}/acs/" in out
    assert f"/accounts/saml/{slug}/metadata/" in out
    provider = IdentityProvider.objects.get()
    assert (provider.protocol, provider.employee_number_claim) == (Protocol.SAML, "employeeNumber")
    assert provider.issuer == saml_idp["entity_id"]
    assert provider.app.settings["idp"]["sso_url"] == f"{saml_idp['base']}/sso/redirect"
    assert provider.app.settings["advanced"]["want_assertion_signed"] is True

    call_command("identity_provider", "list")
    listed = capsys.readouterr().out
    assert slug in listed
    assert "saml" in listed
    assert "claim=employeeNumber" in listed


BAD_METADATA = """<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="https://idp/soap"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"""


def test_the_command_lists_every_problem_and_registers_nothing(city, tmp_path):
    metadata = tmp_path / "bad.xml"
    metadata.write_text(BAD_METADATA, encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        call_command(
            "identity_provider",
            "add",
            "--municipality",
            CITY,
            "--protocol",
            "saml",
            "--metadata",
            str(metadata),
            "--employee-number-attribute",
            "employee number",
            "--slug",
            "Bad Slug",
        )

    message = str(refused.value)
    for problem in (
        "--employee-number-attribute",
        "--slug",
        "entityID",
        "SingleSignOnService",
        "署名用の証明書",
    ):
        assert problem in message
    assert not IdentityProvider.objects.exists()
    assert not SocialApp.objects.exists()


@pytest.mark.parametrize(
    ("metadata", "problem"),
    [
        ("not xml at all", "XML として読めませんでした"),
        (
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>',
            "IDPSSODescriptor",
        ),
    ],
)
def test_metadata_that_is_not_an_idps_isrefused(city, metadata, problem):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        saml_provider_add(municipality=city, metadata_xml=metadata)

    assert problem in " ".join(refused.value.message_dict["metadata"])
    assert not IdentityProvider.objects.exists()

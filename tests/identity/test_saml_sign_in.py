"""Issue 14: staff sign in with their municipality's SAML 2.0 identity provider, linked to the HR record.

The IdP is real (pysaml2, tests/identity/conftest.py): our AuthnRequest (HTTP-Redirect) goes from our
start view to the IdP's sign-in page (an HTTP client playing the browser), and the IdP's signed response
comes back by the browser's POST to our assertion consumer service (Django's test client), where
python3-saml checks it against the certificate from the IdP's metadata.
"""

import base64
import logging

import pytest
import requests
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


def test_a_posted_logout_request_is_refused_and_the_login_page_may_lead_to_the_idp(client, register, city):
    """Logout messages come by the HTTP-Redirect binding, signed (see single logout below). The login
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


# --- single logout ---------------------------------------------------------------------------------------

SLO_SLUG = saml_slug(CITY, "slo")
SLO_ENTITY = f"http://{SP_HOST}/accounts/saml/{SLO_SLUG}/metadata/"


@pytest.fixture
def slo_provider(client, register, city, saml_idp):
    """The city's provider, registered at the IdP from our own SP metadata (our certificate, our logout
    service), as the IdP's administrator does with the metadata URL the command prints."""
    provider = register(city, "slo")
    metadata = client.get(f"/accounts/saml/{SLO_SLUG}/metadata/").content
    assert requests.post(f"{saml_idp['base']}/sp-metadata", data=metadata, timeout=10).status_code == 204
    return provider


def signed_out_at_idp(saml_idp) -> list[str]:
    return requests.get(f"{saml_idp['base']}/slo/log", timeout=10).json()


def idp_logout_request(saml_idp, name_id: str, *, signed: bool = True) -> str:
    """The path on our site of the IdP's LogoutRequest, as when the person signs out elsewhere."""
    params = {"sp": SLO_ENTITY, "name_id": name_id, **({} if signed else {"unsigned": "1"})}
    url = requests.get(f"{saml_idp['base']}/slo/initiate", params=params, timeout=10).text
    assert url.startswith(f"http://{SP_HOST}/accounts/saml/{SLO_SLUG}/sls/?SAMLRequest="), url
    return url.removeprefix(f"http://{SP_HOST}")


def test_our_metadata_offers_signed_single_logout_and_the_key_is_sealed(client, slo_provider):
    metadata = client.get(f"/accounts/saml/{SLO_SLUG}/metadata/").content.decode()

    assert f'Location="http://{SP_HOST}/accounts/saml/{SLO_SLUG}/sls/"' in metadata
    assert 'use="signing"' in metadata and "<ds:X509Certificate>" in metadata
    stored = SocialApp.objects.get(provider_id=SLO_SLUG).settings
    assert "PRIVATE KEY" not in str(stored) and "private_key" not in stored["advanced"]
    assert stored["idp"]["slo_url"].endswith("/slo/redirect")


def test_signing_out_ends_the_idp_session_with_a_signed_request_and_checks_its_answer(
    client, slo_provider, hanako, saml_idp
):
    sign_in(client, SLO_SLUG, "nid-7f3a-hanako")
    assert client.get("/me/").status_code == 200
    policy = client.get("/me/")["Content-Security-Policy"]
    assert f"form-action 'self' {saml_idp['base']};" in policy  # the sign-out form leads to the IdP

    response = client.post("/logout/")

    to_idp = response["Location"]
    assert to_idp.startswith(f"{saml_idp['base']}/slo/redirect?SAMLRequest=") and "&Signature=" in to_idp
    assert client.get("/me/").status_code == 302  # our session has ended already
    at_idp = requests.get(to_idp, allow_redirects=False, timeout=10)  # the IdP checks our signature
    assert at_idp.status_code == 302, at_idp.text
    assert signed_out_at_idp(saml_idp)[-1] == "nid-7f3a-hanako"
    answer = at_idp.headers["Location"]
    assert answer.startswith(f"http://{SP_HOST}/accounts/saml/{SLO_SLUG}/sls/?SAMLResponse=")
    tampered = answer.replace("&Signature=", "&Signature=AAAA")
    assert client.get(tampered.removeprefix(f"http://{SP_HOST}")).status_code == 400
    done = client.get(answer.removeprefix(f"http://{SP_HOST}"))
    assert done.status_code == 302 and done["Location"] == "/"


def test_a_forged_logout_request_is_refused_by_the_idp(client, slo_provider, hanako, saml_idp):
    sign_in(client, SLO_SLUG, "nid-7f3a-hanako")
    to_idp = client.post("/logout/")["Location"]
    before = signed_out_at_idp(saml_idp)

    forged = requests.get(to_idp.replace("&Signature=", "&Signature=AAAA"), allow_redirects=False, timeout=10)

    assert forged.status_code == 400
    assert signed_out_at_idp(saml_idp) == before


def test_the_idps_signed_logout_request_ends_this_session(client, slo_provider, hanako, saml_idp, caplog):
    sign_in(client, SLO_SLUG, "nid-7f3a-hanako")

    with caplog.at_level(logging.INFO, logger="lms_site.identity"):
        response = client.get(idp_logout_request(saml_idp, "nid-7f3a-hanako"))

    assert response.status_code == 302
    assert response["Location"].startswith(f"{saml_idp['base']}/slo/redirect?SAMLResponse=")
    assert "&Signature=" in response["Location"]  # our answer is signed too
    assert client.get("/me/").status_code == 302
    assert f"SAML single logout from the IdP: provider={SLO_SLUG} ended=True" in caplog.text


def test_an_unsigned_logout_request_ends_nobodys_session(client, slo_provider, hanako, saml_idp, caplog):
    sign_in(client, SLO_SLUG, "nid-7f3a-hanako")

    response = client.get(idp_logout_request(saml_idp, "nid-7f3a-hanako", signed=False))

    assert response.status_code == 400
    assert "署名のないログアウト" in response.content.decode()
    assert client.get("/me/").status_code == 200
    assert "SAML logout message refused" in caplog.text


def test_a_signed_logout_request_for_someone_else_leaves_this_session(client, slo_provider, hanako, saml_idp):
    sign_in(client, SLO_SLUG, "nid-7f3a-hanako")

    response = client.get(idp_logout_request(saml_idp, "nid-9d2e-unknown"))

    assert response.status_code == 302  # answered, as the IdP expects
    assert client.get("/me/").status_code == 200


def test_a_provider_without_a_logout_service_signs_out_here_only(client, register, city, hanako, saml_idp):
    provider = register(city)
    provider.app.settings["idp"].pop("slo_url")
    provider.app.save()
    sign_in(client, saml_slug(CITY), "nid-7f3a-hanako")

    response = client.post("/logout/")

    assert response.status_code == 302 and not response["Location"].startswith(saml_idp["base"])
    assert client.get("/me/").status_code == 302


# --- the IdP's certificate rollover ---------------------------------------------------------------------


def test_at_the_idps_certificate_rollover_its_new_metadata_is_taken_by_command(
    client, city, hanako, tmp_path
):
    """The IdP (one of this test's own) signs with a new key: its assertions are refused until its new
    metadata is taken with `identity_provider update`; the account and our own key stay."""
    from tests.identity.conftest import running_saml_idp

    with running_saml_idp(tmp_path) as idp:
        old = requests.get(idp["metadata_url"], timeout=10).text
        provider = saml_provider_add(municipality=city, metadata_xml=old, slug=saml_slug(CITY))
        our_key = provider.app.settings["advanced"]["sealed_private_key"]
        assert sign_in(client, saml_slug(CITY), "nid-7f3a-hanako").status_code == 302
        client.logout()

        assert requests.post(f"{idp['base']}/rollover", timeout=10).status_code == 204
        refused_response = sign_in(client, saml_slug(CITY), "nid-7f3a-hanako")
        assert refused_response.status_code == 403, refused_response.content.decode()
        assert "署名" in refused_response.content.decode()

        (tmp_path / "new.xml").write_text(requests.get(idp["metadata_url"], timeout=10).text)
        call_command("identity_provider", "update", "--provider", saml_slug(CITY), "--metadata",
                     str(tmp_path / "new.xml"), stdout=None)  # fmt: skip

        assert sign_in(client, saml_slug(CITY), "nid-7f3a-hanako").status_code == 302
        assert client.get("/me/").context["user"] == hanako.user
        assert SocialAccount.objects.count() == 1
        provider.app.refresh_from_db()
        assert provider.app.settings["advanced"]["sealed_private_key"] == our_key


def test_metadata_of_another_idp_or_broken_metadata_changes_nothing(register, city, tmp_path):
    provider = register(city)
    before = SocialApp.objects.get(pk=provider.app.pk).settings
    other = tmp_path / "other.xml"
    other.write_text(
        provider_metadata_of("https://idp.other-town.example.lg.jp/adfs/services/trust", before["idp"])
    )
    broken = tmp_path / "broken.xml"
    broken.write_text("<md:EntityDescriptor")

    with pytest.raises(CommandError, match="別の IdP のメタデータです"):
        call_command("identity_provider", "update", "--provider", provider.slug, "--metadata", str(other))
    with pytest.raises(CommandError, match="XML として読めませんでした"):
        call_command("identity_provider", "update", "--provider", provider.slug, "--metadata", str(broken))
    with pytest.raises(CommandError, match="no SAML provider is called 'nobody'"):
        call_command("identity_provider", "update", "--provider", "nobody", "--metadata", str(other))
    assert SocialApp.objects.get(pk=provider.app.pk).settings == before


def provider_metadata_of(entity_id: str, idp: dict) -> str:
    """IdP metadata naming ``entity_id``, with the sign-on URL and certificate of ``idp``."""
    return (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity_id}">'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
        f"{idp['x509cert']}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        f'Location="{idp["sso_url"]}"/></md:IDPSSODescriptor></md:EntityDescriptor>'
    )


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

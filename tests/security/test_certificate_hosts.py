"""Issue 13: a municipality's certificates answer only on its own host (ADR 0016, ``certification.hosts``).

The attack: one deployment serves the city (city.example.jp) and the town (town.example.jp), each on its
own Wagtail Site. Every public verification address (the page, the OB 2.0 assertion, the OB 3.0
credential, its status list, the issuer profile, its keys, the badge class) answered on every host, so
the town's site could present the city's certificates as its own, and a credential named one host while
another served it. Now the city's documents answer on the city's host only, and what a credential names
is the host that serves it.
"""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from assessments.certification import services
from assessments.certification.models import Certificate
from assessments.certification.services import credentials
from lms_site.home.services import municipality_site_ensure
from lms_site.organisation.roles import Role
from tests.certification.conftest import (  # noqa: F401
    competency,
    framework,
    framework_csv,
    other_city,
    person,
    programs,
)
from tests.certification.factories import EvidenceFactory
from tests.certification.test_certificates import BASIC, TODAY, basic_holder  # noqa: F401
from tests.openbadges.test_dcc_verifier import dcc_verify  # noqa: F401

CITY, TOWN, PLATFORM, UNKNOWN = "city.example.jp", "town.example.jp", "testserver", "unknown.example.jp"


@pytest.fixture
def sites(municipality, other_city):  # noqa: F811
    municipality_site_ensure(municipality=municipality, hostname=CITY)
    municipality_site_ensure(municipality=other_city, hostname=TOWN)


def _holder(username, municipality, framework):  # noqa: F811
    user = person(username, municipality, Role.LEARNER)
    for code in BASIC:
        EvidenceFactory(user=user, competency=competency(framework, code), level=2)
    return user


def _issue(holder) -> Certificate:
    certificate = services.certificates_issue_due(user=holder, on=TODAY)[0]
    return Certificate.objects.select_related("status_list", "municipality").get(pk=certificate.pk)


def _addresses(certificate: Certificate) -> dict[str, str]:
    """Every public verification address of the certificate and of its issuer (paths)."""
    code, uuid = certificate.municipality.code, certificate.uuid
    return {
        "page": reverse("certification:certificate", args=[uuid]),
        "assertion": reverse("certification:certificate_assertion", args=[uuid]),
        "credential": reverse("certification:certificate_credential", args=[uuid]),
        "status list": reverse("certification:certificate_status_list", args=[certificate.status_list.uuid]),
        "issuer": reverse("certification:certificate_issuer", args=[code]),
        "keys": reverse("certification:certificate_keys", args=[code]),
        "badge": reverse("certification:certificate_badge", args=[code, certificate.program.code]),
    }


def _statuses(client, certificate: Certificate, host: str) -> dict[str, int]:
    return {
        name: client.get(path, HTTP_HOST=host).status_code for name, path in _addresses(certificate).items()
    }


def test_the_citys_certificate_is_not_found_on_the_towns_host(client, sites, basic_holder):  # noqa: F811
    certificate = _issue(basic_holder)
    everything = set(_addresses(certificate))

    assert _statuses(client, certificate, TOWN) == dict.fromkeys(everything, 404)
    assert _statuses(client, certificate, TOWN.upper()) == dict.fromkeys(everything, 404)
    assert _statuses(client, certificate, CITY) == dict.fromkeys(everything, 200)
    # published under the city's host, so not under the platform's, nor a host nobody claims (which
    # Wagtail answers with the default site)
    assert _statuses(client, certificate, PLATFORM) == dict.fromkeys(everything, 404)
    assert _statuses(client, certificate, UNKNOWN) == dict.fromkeys(everything, 404)


def test_the_town_cannot_show_the_citys_certificate_even_signed_in_as_its_hr(
    client,
    sites,
    basic_holder,  # noqa: F811
    other_city,  # noqa: F811
):
    certificate = _issue(basic_holder)
    client.force_login(person("town-hr", other_city, Role.HR))
    assert _statuses(client, certificate, TOWN) == dict.fromkeys(_addresses(certificate), 404)


def test_what_the_credential_names_is_the_host_that_serves_it(client, sites, basic_holder, dcc_verify):  # noqa: F811
    certificate = _issue(basic_holder)
    credential = client.get(_addresses(certificate)["credential"], HTTP_HOST=CITY).json()
    named = [
        credential["id"],
        credential["credentialStatus"]["statusListCredential"],
        credential["credentialSubject"]["achievement"]["id"],
    ]
    assert {urlsplit(url).netloc for url in named} == {CITY}

    list_url = credential["credentialStatus"]["statusListCredential"]
    status_list = client.get(urlsplit(list_url).path, HTTP_HOST=CITY).json()
    assert status_list["id"] == list_url
    code, result = dcc_verify(credential, {list_url: status_list})
    assert (code, result["verified"], result["errors"]) == (0, True, [])

    assertion = client.get(_addresses(certificate)["assertion"], HTTP_HOST=CITY).json()
    badge = client.get(urlsplit(assertion["badge"]).path, HTTP_HOST=CITY).json()
    assert {urlsplit(url).netloc for url in (assertion["id"], assertion["badge"], badge["issuer"])} == {CITY}
    assert certificate.get_absolute_url() == f"http://{CITY}{_addresses(certificate)['page']}"


def test_hrs_list_links_to_the_page_on_the_citys_host(client, sites, basic_holder, municipality):  # noqa: F811
    certificate = _issue(basic_holder)
    client.force_login(person("city-hr", municipality, Role.HR))
    page = client.get(reverse("certification:hr_certificates"), HTTP_HOST=CITY).content.decode()
    assert f'href="http://{CITY}/certificates/{certificate.uuid}/"' in page


def test_a_certificate_issued_before_the_city_had_its_own_site_keeps_its_addresses(
    client,
    municipality,
    framework,  # noqa: F811
    other_city,  # noqa: F811
    basic_holder,  # noqa: F811
):
    """Published under the platform's address (what its signed credential names, as every credential
    did before): it keeps answering there, and on the city's own host, never on the town's."""
    before = _issue(basic_holder)
    assert before.status_list.base_url == ""
    assert credentials.status_list_url(before.status_list).startswith("http://127.0.0.1:8000/")
    municipality_site_ensure(municipality=municipality, hostname=CITY)
    municipality_site_ensure(municipality=other_city, hostname=TOWN)
    everything = set(_addresses(before))

    assert _statuses(client, before, PLATFORM) == dict.fromkeys(everything, 200)
    assert _statuses(client, before, UNKNOWN) == dict.fromkeys(everything, 200)
    assert _statuses(client, before, CITY) == dict.fromkeys(everything, 200)
    assert _statuses(client, before, TOWN) == dict.fromkeys(everything, 404)

    # a certificate issued now goes on a new list, published under the city's host
    after = _issue(_holder("second-holder", municipality, framework))
    assert after.status_list_id != before.status_list_id
    assert after.status_list.base_url == f"http://{CITY}"
    assert _statuses(client, after, PLATFORM)["credential"] == 404
    # the issuer's documents answer on both hosts, since its certificates are published under both
    assert _statuses(client, after, PLATFORM)["issuer"] == 200
    issuer = client.get(_addresses(after)["issuer"], HTTP_HOST=CITY).json()
    assert urlsplit(issuer["id"]).netloc == CITY


def test_without_sites_every_certificate_answers_on_the_platforms_host(
    client,
    basic_holder,  # noqa: F811
):
    """A deployment of one municipality, the demo, the tests: nothing moves."""
    certificate = _issue(basic_holder)
    assert _statuses(client, certificate, PLATFORM) == dict.fromkeys(_addresses(certificate), 200)

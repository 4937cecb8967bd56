"""A municipality's OpenID Connect provider, run for real: panva's ``oidc-provider`` (tools/oidc-provider).

Started once per test session on a free loopback port, with two clients (若葉市 and 青葉町, the second
municipality) and a few accounts; its Node packages are installed by ``install.sh`` on first use, as the
credential verifier's are. Only a machine without ``node`` skips.
"""

import html
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from lms_site.organisation.models import Municipality
from tests.factories import AssignmentFactory, MunicipalityFactory, StaffProfileFactory, UserFactory

PEER = Path(__file__).resolve().parents[2] / "tools" / "oidc-provider"
CITY, TOWN = "999991", "999992"
SHORT_CODE_CLIENT = "dx-999991-short"  # its authorisation codes last one second
SECRETS = {CITY: "city-secret-5f0c2a9b71d34e8a", TOWN: "town-secret-0b7e61c4d2a94f35"}

# The provider's accounts: subject -> claims. Employee numbers are the HR system's.
ACCOUNTS = {
    "u-hanako": {"employee_number": "100001", "name": "若葉 花子", "email": "hanako@city.example.lg.jp"},
    "u-retired": {"employee_number": "100002", "name": "退職 一郎"},
    "u-unknown": {"employee_number": "999999", "name": "不明 次郎"},
    "u-mail-only": {"name": "メール 三郎", "email": "saburo@city.example.lg.jp", "email_verified": True},
}


# The people of both protocols' tests: 若葉市 (the ``departments`` tree), 青葉町, and two of 若葉市's staff.


@pytest.fixture
def city(departments):
    return Municipality.objects.get(code=CITY)


@pytest.fixture
def town(db):
    return MunicipalityFactory(code=TOWN, name="青葉町")


@pytest.fixture
def hanako(city, departments):
    staff = StaffProfileFactory(
        municipality=city, employee_number="100001", user=UserFactory(username="hanako", email="")
    )
    AssignmentFactory(staff=staff, department=departments["020100"])
    return staff


@pytest.fixture
def retired(city, departments):
    staff = StaffProfileFactory(municipality=city, employee_number="100002", is_active=False)
    AssignmentFactory(staff=staff, department=departments["020100"])
    return staff


def refused(response, caplog, code: str) -> str:
    """Assert a sign-in was refused with ``code`` (403, a log record) and no account linked; the page."""
    from allauth.socialaccount.models import SocialAccount

    assert response.status_code == 403, response.content.decode()
    assert any(getattr(r, "refusal", None) == code for r in caplog.records), caplog.text
    assert SocialAccount.objects.count() == 0
    return response.content.decode()


def slug(code: str) -> str:
    return f"{code}-oidc"


@contextmanager
def running_provider(
    clients: list[dict], accounts: dict, directory: Path, short_code_clients: tuple[str, ...] = ()
) -> Iterator[str]:
    """Start the provider with these clients and accounts; yields its issuer URL, stops it after."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH, so the OpenID Connect provider (tools/oidc-provider) cannot run")
    subprocess.run(["bash", str(PEER / "install.sh")], check=True, timeout=600)
    path = directory / "config.json"
    config = {"clients": clients, "accounts": accounts, "short_code_clients": list(short_code_clients)}
    path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    process = subprocess.Popen(
        [node, str(PEER / "server.mjs"), str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line, "the OpenID Connect provider did not start"
        yield json.loads(line)["issuer"]
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def oidc_issuer(tmp_path_factory):
    """The running provider's issuer URL (a client for 若葉市 and one for 青葉町)."""
    clients = [
        {
            "client_id": f"dx-{code}",
            "client_secret": SECRETS[code],
            "redirect_uris": [f"http://testserver/accounts/oidc/{slug(code)}/login/callback/"],
            "post_logout_redirect_uris": ["http://testserver/"],
            "scope": "openid profile email employee",
        }
        for code in (CITY, TOWN)
    ]
    clients.append(
        {
            "client_id": SHORT_CODE_CLIENT,
            "client_secret": SECRETS[CITY],
            "redirect_uris": [f"http://testserver/accounts/oidc/{SHORT_CODE_CLIENT}/login/callback/"],
            "scope": "openid profile email employee",
        }
    )
    directory = tmp_path_factory.mktemp("oidc")
    with running_provider(clients, ACCOUNTS, directory, short_code_clients=(SHORT_CODE_CLIENT,)) as issuer:
        yield issuer


@pytest.fixture
def register(oidc_issuer):
    """register(municipality, **options) -> IdentityProvider: the municipality's client at the peer."""
    from lms_site.identity.services import oidc_provider_add

    def register(municipality, **options):
        code = municipality.code
        options.setdefault("scopes", ["openid", "profile", "email", "employee"])
        return oidc_provider_add(
            municipality=municipality,
            issuer=oidc_issuer,
            client_id=f"dx-{code}",
            client_secret=SECRETS[code],
            **options,
        )

    return register


def sign_in_at_provider(authorisation_url: str, subject: str, browser=None) -> str:
    """Play the person at the provider: open the authorisation URL, sign in as ``subject`` if asked, and
    return the URL the provider sends the browser back to (our callback, with code and state).
    ``browser``: a ``requests.Session`` that keeps the provider's cookies between calls."""
    browser = browser or requests.Session()
    url, method, data = authorisation_url, "GET", None
    for _ in range(12):
        response = browser.request(method, url, data=data, allow_redirects=False, timeout=10)
        if response.is_redirect:
            location = urljoin(url, response.headers["Location"])
            if urlsplit(location).netloc == "testserver":
                return location
            url, method, data = location, "GET", None
            continue
        assert response.status_code == 200, response.text
        action = re.search(r'<form method="post" action="([^"]+)"', response.text)
        assert action, response.text
        url, method, data = urljoin(url, action.group(1)), "POST", {"login": subject}
    raise AssertionError("the provider never sent the browser back")


def callback_path(location: str) -> str:
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


# --- a municipality's SAML 2.0 identity provider ---------------------------------------------------------
# pysaml2's IdP (tools/saml-idp/server.py) in its own virtual environment, signing with Debian's xmlsec1;
# install.sh makes both on first use. Only a machine where they cannot be installed skips.

SAML_PEER = Path(__file__).resolve().parents[2] / "tools" / "saml-idp"
# Our site as the IdP knows it: python3-saml takes no single-label host (such as "testserver") in a URL.
SP_HOST = "lms.example.lg.jp"
OTHER_AUDIENCE = "https://another-sp.example.lg.jp/saml/metadata"

# The IdP's accounts: persistent NameID -> attributes.
SAML_ACCOUNTS = {
    "nid-7f3a-hanako": {"employee_number": "100001", "displayName": "若葉 花子"},
    "nid-51c0-retired": {"employee_number": "100002", "displayName": "退職 一郎"},
    "nid-9d2e-unknown": {"employee_number": "999999", "displayName": "不明 次郎"},
}

# Our service providers as the IdP knows them, by slug: what it signs, and for whom.
SAML_SPS = {
    f"{CITY}-saml": {},
    f"{TOWN}-saml": {},
    f"{CITY}-saml-unsigned": {"sign_assertion": False},
    f"{CITY}-saml-response-only": {"sign_assertion": False, "sign_response": True},
    f"{CITY}-saml-other-sp": {"audience": OTHER_AUDIENCE},
    f"{CITY}-saml-transient": {"transient": True},
}


def saml_slug(code: str, variant: str = "") -> str:
    return f"{code}-saml{'-' + variant if variant else ''}"


@contextmanager
def running_saml_idp(folder: Path) -> Iterator[dict]:
    """A pysaml2 IdP of its own, running until the block ends: {"base", "entity_id", "metadata_url"}."""
    try:
        subprocess.run(
            ["bash", str(SAML_PEER / "install.sh")], check=True, timeout=600, capture_output=True, text=True
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"the SAML IdP (tools/saml-idp) could not be installed: {exc.stderr or exc}")
    config = {
        "sps": [
            {
                "entity_id": f"http://{SP_HOST}/accounts/saml/{name}/metadata/",
                "acs_url": f"http://{SP_HOST}/accounts/saml/{name}/acs/",
                **options,
            }
            for name, options in SAML_SPS.items()
        ],
        "accounts": SAML_ACCOUNTS,
    }
    path = folder / "config.json"
    path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    process = subprocess.Popen(
        [
            str(SAML_PEER / ".venv" / "bin" / "python"),
            "-W",
            "ignore",
            str(SAML_PEER / "server.py"),
            str(path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line, "the SAML IdP did not start"
        yield json.loads(line)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def saml_idp(tmp_path_factory):
    """The IdP every SAML test of the session shares."""
    with running_saml_idp(tmp_path_factory.mktemp("saml")) as idp:
        yield idp


@pytest.fixture(scope="session")
def saml_metadata(saml_idp) -> str:
    """The IdP's metadata, as its administrator hands it over."""
    response = requests.get(saml_idp["metadata_url"], timeout=10)
    response.raise_for_status()
    return response.text


def sign_in_at_idp(sso_url: str, subject: str) -> tuple[str, dict]:
    """Play the person at the IdP: open the sign-on URL (our AuthnRequest), sign in as ``subject``, and
    return where the browser's auto-submitting form POSTs (our ACS URL) with its fields (SAMLResponse,
    RelayState)."""
    browser = requests.Session()
    form = browser.get(sso_url, timeout=10)
    assert form.status_code == 200, form.text
    fields = {
        k: html.unescape(v)
        for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.text)
    }
    action = re.search(r'<form method="post" action="([^"]+)"', form.text).group(1)
    posted = browser.post(urljoin(sso_url, action), data={**fields, "login": subject}, timeout=10)
    assert posted.status_code == 200, posted.text
    action = re.search(r'<form method="post" action="([^"]+)"', posted.text)
    assert action, posted.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', posted.text))
    return html.unescape(action.group(1)), {k: html.unescape(v) for k, v in fields.items()}

"""A municipality's SAML 2.0 identity provider for the sign-in tests: pysaml2's IdP (with Debian's xmlsec1
signing), configured from a JSON file and started on a free loopback port.

    tools/saml-idp/.venv/bin/python server.py CONFIG.json

CONFIG: {"sps": [{"entity_id", "acs_url", "audience"?, "sign_assertion"?, "sign_response"?, "transient"?}],
         "accounts": {"<persistent NameID>": {"employee_number": "...", <other attributes>}}}

- ``audience``: the entity id the assertion is issued for, where it is not the requesting SP's own (an IdP
  set up for another SP); ``sign_assertion`` (default true) and ``sign_response`` (default false): what
  is signed, as an IdP's relying-party settings say; ``transient`` (default false): the NameID is a
  new transient one at each sign-in instead of the account's persistent one.

Prints one line, {"base": URL, "entity_id": ..., "metadata_url": ...}, once it listens; stops on SIGTERM.
Pages: GET /metadata (the IdP's metadata), GET /sso/redirect (an AuthnRequest, HTTP-Redirect binding: a
sign-in form with one field, the account), POST /sso/login (the form: a page whose form POSTs the
response to the SP's assertion consumer service, as a browser would run it). The signing key and its
certificate are generated at start into a temporary directory, so nothing secret is kept on disk.

Single logout (HTTP-Redirect binding): POST /sp-metadata registers an SP from its own metadata (its
certificate and logout service), as an IdP administrator does; GET /slo/redirect takes that SP's
LogoutRequest, which must be signed with the certificate of its metadata (else 400), and redirects to
the SP's logout service with a signed LogoutResponse; GET /slo/initiate?sp=ENTITY&name_id=ID[&unsigned=1]
answers 200 with the URL of a LogoutRequest to that SP (signed unless ``unsigned``), as when the person
signs out at another application. GET /slo/log lists the NameIDs signed out so far (JSON).
POST /rollover: a new signing key and certificate from then on (GET /metadata then names the new one),
as at an IdP's certificate rollover.
"""

from __future__ import annotations

import base64
import datetime
import html
import json
import re
import secrets
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server
from saml2.sigver import verify_redirect_signature
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

PASSWORD_CONTEXT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"  # noqa: S105 - an authentication context class, no password


def make_key(folder: Path) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test municipality IdP")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / "idp.key", folder / "idp.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


def sp_metadata(sp: dict) -> str:
    entity_id, acs = html.escape(sp["entity_id"]), html.escape(sp["acs_url"])
    return (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'entityID="{entity_id}"><md:SPSSODescriptor AuthnRequestsSigned="false" '
        'WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f"<md:NameIDFormat>{NAMEID_FORMAT_PERSISTENT}</md:NameIDFormat>"
        f'<md:AssertionConsumerService Binding="{BINDING_HTTP_POST}" Location="{acs}" index="1"/>'
        "</md:SPSSODescriptor></md:EntityDescriptor>"
    )


def page(title: str, body: str) -> bytes:
    return (
        f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"</head><body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    ).encode()


def hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{name}" value="{html.escape(value)}">'


class Quiet(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    accounts: dict = config.get("accounts", {})
    sps = {sp["entity_id"]: sp for sp in config.get("sps", [])}
    folder = Path(tempfile.mkdtemp(prefix="saml-idp-"))
    key_file, cert_file = make_key(folder)

    server = make_server("127.0.0.1", 0, lambda e, s: app(e, s), WSGIServer, handler_class=Quiet)
    base = f"http://127.0.0.1:{server.server_port}"
    entity_id = f"{base}/metadata"

    def build() -> tuple[Server, str]:
        """The IdP from its configuration and its current key files, and its metadata."""
        idp_config = IdPConfig()
        idp_config.load(
            {
                "entityid": entity_id,
                "service": {
                    "idp": {
                        "name": "Test municipality IdP",
                        "endpoints": {
                            "single_sign_on_service": [
                                (f"{base}/sso/redirect", BINDING_HTTP_REDIRECT),
                                (f"{base}/sso/post", BINDING_HTTP_POST),
                            ],
                            "single_logout_service": [(f"{base}/slo/redirect", BINDING_HTTP_REDIRECT)],
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "want_authn_requests_signed": False,
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": 5},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_BASIC,
                            }
                        },
                    }
                },
                "key_file": key_file,
                "cert_file": cert_file,
                "xmlsec_binary": shutil.which("xmlsec1"),
                "metadata": {"inline": [sp_metadata(sp) for sp in sps.values()]},
                "allow_unknown_attributes": True,
            }
        )
        return Server(config=idp_config), create_metadata_string(None, config=idp_config).decode()

    idp, metadata = build()
    signed_out: list[str] = []

    def app(environ, start_response):
        nonlocal idp, metadata
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        body = b""
        if method == "POST":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            form = parse_qs(body.decode(), keep_blank_values=True) if path != "/sp-metadata" else {}
        else:
            form = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        field = {k: v[0] for k, v in form.items()}
        try:
            if path == "/sp-metadata" and method == "POST":  # replaces what an earlier one said of that SP
                sp_entity_id = re.search(r'entityID="([^"]+)"', body.decode()).group(1)
                for key, source in list(idp.metadata.metadata.items()):
                    if sp_entity_id in source:
                        del idp.metadata.metadata[key]
                idp.metadata.load("inline", body.decode())
                start_response("204 No Content", [])
                return [b""]
            if path == "/rollover" and method == "POST":  # a new signing key and certificate from now on
                make_key(folder)
                idp, metadata = build()
                start_response("204 No Content", [])
                return [b""]
            if path == "/slo/redirect" and method == "GET":
                return single_logout(field, start_response)
            if path == "/slo/initiate" and method == "GET":
                return initiate_logout(field, start_response)
            if path == "/slo/log" and method == "GET":
                start_response("200 OK", [("Content-Type", "application/json")])
                return [json.dumps(signed_out).encode()]
            if path == "/metadata":
                start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
                return [metadata.encode()]
            if path == "/sso/redirect" and method == "GET":
                request = idp.parse_authn_request(field["SAMLRequest"], BINDING_HTTP_REDIRECT)
                sp = request.message.issuer.text
                body = (
                    f"<p>{html.escape(sp)}</p>"
                    '<form method="post" action="/sso/login">'
                    + hidden("SAMLRequest", field["SAMLRequest"])
                    + hidden("RelayState", field.get("RelayState", ""))
                    + '<label>アカウント <input name="login" autofocus></label>'
                    "<button>サインイン</button></form>"
                )
                start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
                return [page("サインイン", body)]
            if path == "/sso/login" and method == "POST":
                return login(field, start_response)
        except Exception as exc:  # a bad request from a test: say why, as an IdP's error page does
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [f"{type(exc).__name__}: {exc}".encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def login(field: dict, start_response):
        subject = field.get("login", "")
        if subject not in accounts:
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [page("サインイン", "<p>アカウントが違います。</p>")]
        request = idp.parse_authn_request(field["SAMLRequest"], BINDING_HTTP_REDIRECT)
        args = idp.response_args(request.message, [BINDING_HTTP_POST])
        sp = sps.get(args["sp_entity_id"], {})
        audience = sp.get("audience") or args["sp_entity_id"]
        if sp.get("transient"):
            name_id = NameID(format=NAMEID_FORMAT_TRANSIENT, text=f"_{secrets.token_hex(16)}")
        else:
            name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject, name_qualifier=entity_id)
        identity = {name: [value] for name, value in accounts[subject].items()}
        response = idp.create_authn_response(
            identity,
            in_response_to=args["in_response_to"],
            destination=args["destination"],
            sp_entity_id=audience,
            name_id=name_id,
            authn={"class_ref": PASSWORD_CONTEXT, "authn_auth": entity_id},
            sign_assertion=sp.get("sign_assertion", True),
            sign_response=sp.get("sign_response", False),
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        encoded = base64.b64encode(str(response).encode()).decode()
        body = (
            f'<form method="post" action="{html.escape(args["destination"])}">'
            + hidden("SAMLResponse", encoded)
            + hidden("RelayState", field.get("RelayState", ""))
            + "<button>続ける</button></form>"
        )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page("サインインしました", body)]

    def redirect(info: dict, start_response):
        location = dict(info["headers"])["Location"]
        start_response("302 Found", [("Location", location)])
        return [b""]

    def single_logout(field: dict, start_response):
        request = idp.parse_logout_request(field["SAMLRequest"], BINDING_HTTP_REDIRECT)
        sp_entity_id = request.message.issuer.text.strip()
        message = {k: field[k] for k in ("SAMLRequest", "RelayState", "SigAlg", "Signature") if k in field}
        certificates = idp.metadata.certs(sp_entity_id, "any", "signing")
        if "Signature" not in message or not any(
            verify_redirect_signature(message, idp.sec.sec_backend, cert) for _name, cert in certificates
        ):
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            known = len(certificates)
            return [f"LogoutRequest of {sp_entity_id} not signed by its certificate ({known})".encode()]
        signed_out.append(request.message.name_id.text)
        response = idp.create_logout_response(
            request.message, [BINDING_HTTP_REDIRECT], status=None, sign_alg=SIG_RSA_SHA256
        )
        destination = response.destination
        info = idp.apply_binding(
            BINDING_HTTP_REDIRECT, str(response), destination, field.get("RelayState", ""),
            response=True, sign=True, sigalg=SIG_RSA_SHA256,
        )  # fmt: skip
        return redirect(info, start_response)

    def initiate_logout(field: dict, start_response):
        sp_entity_id = field["sp"]
        destination = idp.metadata.single_logout_service(sp_entity_id, BINDING_HTTP_REDIRECT, "spsso")[0][
            "location"
        ]
        name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text=field["name_id"], name_qualifier=entity_id)
        _id, request = idp.create_logout_request(destination, entity_id, name_id=name_id, sign=False)
        sign = field.get("unsigned") != "1"
        info = idp.apply_binding(
            BINDING_HTTP_REDIRECT, str(request), destination, "", sign=sign, sigalg=SIG_RSA_SHA256
        )
        start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
        return [dict(info["headers"])["Location"].encode()]

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    print(json.dumps({"base": base, "entity_id": entity_id, "metadata_url": entity_id}), flush=True)
    try:
        server.serve_forever()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

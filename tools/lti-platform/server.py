"""A small LMS acting as an LTI 1.3 platform, built on lti1p3platform (PyPI), for the tool's tests.

    .venv/bin/python server.py CONFIG.json

CONFIG: {"port": 0, "registrations": [{"client_id", "deployment_id", "issuer_path", "tool": {"login",
"launch", "jwks"}}]}. Prints one JSON line {"base": URL} when it listens. The platform's issuer is
base + issuer_path (default ""), so one server can play two LMSs.

Endpoints (the library does the protocol; this file only routes):
- GET /initiate?client_id=…&spec=JSON: third-party login initiation to the tool. spec: sub, name, roles,
  target (custom parameter), deep_link (bool), employee_number (lis person_sourcedid), claims (merged over
  the launch message: a wrong aud or deployment), expires_in (seconds; negative: already expired), forge
  (sign with a key that is not in this platform's JWKS, under its key id).
- GET /auth: the tool's authentication request; answers with the auto-posting form of the id_token.
- GET /jwks, POST /token (client credentials with the tool's signed assertion).
- POST /lineitems/<id>/scores (AGS), GET /scores: what was received.
- Line items made by the tool (AGS line item service): spec resource_link sets the resource link id
  (default link-<hint>); spec claims can replace the AGS claim (a lineitems URL, no lineitem, the scopes).
  GET /lineitems (?resource_link_id, resource_id, tag) lists them and POST /lineitems makes one, to a
  bearer token this platform issued (the library checks it; POST also needs the lineitem scope);
  GET /lineitems_made: what was made (no token: for the tests).
- GET /requests: every service request received (method, path, whether it carried a bearer token),
  accepted or not: a host the tool must never call can show it was not.
- POST /deep_link_return (validated by the library), GET /deep_links: what was accepted.
- NRPS: spec nrps (bool) and context (default "course-1") put the namesroleservice claim in the launch;
  POST /contexts/<context>/members (JSON {"members": [...], "page_size": n, "refuse": bool}) sets who is
  in a context; GET /contexts/<context>/memberships?page=k answers one page of them with a Link
  rel="next" header, to a bearer token this platform issued with the contextmembership scope (the
  library checks it), or 401 ("refuse": every token is refused, as a platform that revoked it would).
"""

import html
import json
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService

LOCK = threading.Lock()
SPECS: dict[str, dict] = {}
SCORES: list[dict] = []
DEEP_LINKS: list[dict] = []
MEMBERS: dict[str, dict] = {}
LINEITEMS: dict[str, dict] = {}
REQUESTS: list[dict] = []  # id -> line item made by the tool, with the client id that made it
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def new_key() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


PLATFORM_PRIVATE, PLATFORM_PUBLIC = new_key()
ROGUE_PRIVATE, _ = new_key()


class Platform(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, *, base: str, entry: dict) -> None:
        tool = entry["tool"]
        self._registration = (
            Registration()
            .set_iss(base + entry.get("issuer_path", ""))
            .set_client_id(entry["client_id"])
            .set_deployment_id(entry["deployment_id"])
            .set_oidc_login_url(tool["login"])
            .set_launch_url(tool["launch"])
            .set_deeplink_launch_url(tool["launch"])
            .set_tool_key_set_url(tool["jwks"])
            .set_platform_public_key(PLATFORM_PUBLIC)
            .set_platform_private_key(PLATFORM_PRIVATE)
        )

    def get_registration_by_params(self, **kwargs):
        return self._registration


class PlainRequest(Request):
    def build_metadata(self, request):
        return request


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str):
        return 302, {"Location": url}, b""


class Launch(LTIAdvantageMessageLaunchAbstract):
    spec: dict = {}
    base = ""

    def prepare_launch(self, preflight_response) -> None:
        spec, hint = self.spec, preflight_response.get("lti_message_hint", "")
        self.set_user_data(
            spec.get("sub", "lms-user-1"),
            spec.get("roles", ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]),
            full_name=spec.get("name"),
        )
        self.set_resource_link_claim(spec.get("resource_link") or f"link-{hint}", title="DX")
        if spec.get("target"):
            self.set_custom_parameters_claim({"target": spec["target"]})
        if spec.get("employee_number"):
            self.set_extra_claims(
                {
                    "https://purl.imsglobal.org/spec/lti/claim/lis": {
                        "person_sourcedid": spec["employee_number"]
                    }
                }
            )
        if spec.get("nrps"):
            self.set_nrps(self.base + f"/contexts/{spec.get('context', 'course-1')}/memberships")
        if spec.get("deep_link"):
            self.set_dl(self.base + "/deep_link_return", accept_types={"ltiResourceLink"})
        else:
            self.set_ags(
                self.base + "/lineitems", self.base + f"/lineitems/{hint}", allow_creating_lineitems=False
            )
        if spec.get("expires_in") is not None:
            self.set_id_token_expiration(int(spec["expires_in"]))
        self.set_extra_claims(spec.get("claims", {}))

    def generate_launch_request(self):
        data = super().generate_launch_request()
        if self.spec.get("forge"):
            header = jwt.get_unverified_header(data["id_token"])
            body = jwt.decode(data["id_token"], options={"verify_signature": False})
            data["id_token"] = jwt.encode(
                body, ROGUE_PRIVATE, algorithm="RS256", headers={"kid": header["kid"]}
            )
        return data

    def render_launch_form(self, launch_data, **kwargs):
        fields = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(launch_data[name])}">'
            for name in ("id_token", "state")
        )
        page = f'<form method="post" action="{html.escape(launch_data["launch_url"])}">{fields}</form>'
        return 200, {"Content-Type": "text/html"}, page.encode()


class Grades(AssignmentsGradesService):
    base = ""
    client_id = ""

    def find_lineitems(self, **kwargs):
        with LOCK:
            items = [
                {k: v for k, v in item.items() if k != "client_id"}
                for item in LINEITEMS.values()
                if item["client_id"] == self.client_id
                and all(
                    kwargs.get(param) in (None, item.get(field))
                    for param, field in (
                        ("resource_link_id", "resourceLinkId"),
                        ("resource_id", "resourceId"),
                        ("tag", "tag"),
                    )
                )
            ]
        return {"content": items, "has_next": False}

    def find_lineitem(self, line_item_id):
        return {"id": line_item_id}

    def create_lineitem(self, lineitem):
        line_item_id = f"made-{uuid.uuid4().hex[:12]}"
        item = {**lineitem, "id": f"{self.base}/lineitems/{line_item_id}"}
        with LOCK:
            LINEITEMS[line_item_id] = {**item, "client_id": self.client_id}
        return item

    def update_lineitem(self, lineitem):
        return lineitem

    def delete_lineitem(self, line_item_id):
        return None

    def update_score(self, line_item_id, score):
        with LOCK:
            SCORES.append({"lineitem": line_item_id, **score})
        return UpdateScoreStatus.SUCCESS

    def get_results(self, line_item_id, **kwargs):
        return {"content": [], "has_next": False}


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    entries = {entry["client_id"]: entry for entry in config["registrations"]}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def platform(self, client_id: str) -> Platform:
            return Platform(base=self.server.base, entry=entries[client_id])

        def request_of(self, form: dict, body: bytes = b"") -> PlainRequest:
            query = dict(parse_qsl(urlsplit(self.path).query))
            is_json = "json" in self.headers.get("Content-Type", "")
            return PlainRequest(
                {
                    "method": self.command,
                    "form_data": form,
                    "get_data": query,
                    "headers": dict(self.headers),
                    "content_type": self.headers.get("Content-Type"),
                    "path": urlsplit(self.path).path,
                    "json": json.loads(body) if is_json and body else None,
                }
            )

        def answer(self, status: int, headers: dict, body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def json(self, status: int, data) -> None:
            self.answer(status, {"Content-Type": "application/json"}, json.dumps(data).encode())

        def note(self, path: str) -> None:
            if path.startswith(("/lineitems", "/token", "/contexts/")) and path != "/lineitems_made":
                with LOCK:
                    bearer = self.headers.get("Authorization", "").lower().startswith("bearer ")
                    REQUESTS.append({"method": self.command, "path": path, "bearer": bearer})

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            query = dict(parse_qsl(urlsplit(self.path).query))
            self.note(path)
            if path == "/requests":
                with LOCK:
                    return self.json(200, REQUESTS)
            if path == "/jwks":
                return self.json(200, {"keys": [Registration.get_jwk(PLATFORM_PUBLIC)]})
            if path == "/scores":
                with LOCK:
                    return self.json(200, SCORES)
            if path == "/deep_links":
                with LOCK:
                    return self.json(200, DEEP_LINKS)
            if path == "/lineitems_made":
                with LOCK:
                    return self.json(200, list(LINEITEMS.values()))
            if path == "/lineitems":
                return self.lineitems(b"")
            if path.startswith("/contexts/") and path.endswith("/memberships"):
                return self.memberships(path.split("/")[2], int(query.get("page", "0")))
            if path == "/initiate":
                hint = uuid.uuid4().hex
                with LOCK:
                    SPECS[hint] = {**json.loads(query.get("spec", "{}")), "client_id": query["client_id"]}
                login = Login(self.request_of({}), self.platform(query["client_id"]))
                login.set_lti_message_hint(hint=hint)
                if SPECS[hint].get("deep_link"):
                    login.set_deeplinking_launch_url()
                return self.answer(*login.initiate_login(SPECS[hint].get("sub", "lms-user-1")))
            if path == "/auth":
                with LOCK:
                    spec = SPECS.get(query.get("lti_message_hint", ""))
                if spec is None:
                    return self.json(400, {"error": "unknown lti_message_hint"})
                launch = Launch(self.request_of({}), self.platform(spec["client_id"]))
                launch.spec, launch.base = spec, self.server.base
                try:
                    return self.answer(*launch.lti_launch())
                except Exception as error:
                    return self.json(400, {"error": f"{type(error).__name__}: {error}"})
            return self.json(404, {"error": "not found"})

        def memberships(self, context: str, page: int) -> None:
            with LOCK:
                setting = dict(MEMBERS.get(context, {}))
            auth = self.headers.get("Authorization", "").split()
            token = auth[1] if len(auth) == 2 and auth[0].lower() == "bearer" else ""
            valid = False
            for client_id in entries:
                try:
                    platform = self.platform(client_id)
                    platform.get_registration()
                    valid = valid or bool(platform.validate_token(token, [NRPS_SCOPE]))
                except Exception:  # noqa: S112 - another registration's token, or none
                    continue
            if setting.get("refuse") or not valid:
                return self.json(401, {"error": "Invalid LTI 1.3 authentication token"})
            size = int(setting.get("page_size", 100))
            members = setting.get("members", [])
            body = {
                "id": self.server.base + self.path,
                "context": {"id": context},
                "members": members[page * size : (page + 1) * size],
            }
            headers = {"Content-Type": "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"}
            if (page + 1) * size < len(members):
                headers["Link"] = (
                    f'<{self.server.base}/contexts/{context}/memberships?page={page + 1}>; rel="next"'
                )
            return self.answer(200, headers, json.dumps(body).encode())

        def lineitems(self, body: bytes) -> None:
            """The line items container: list (GET) or make (POST), for the registration whose token it is."""
            auth = self.headers.get("Authorization", "").split()
            try:
                token = jwt.decode(auth[1], options={"verify_signature": False}) if len(auth) == 2 else {}
            except jwt.InvalidTokenError:
                token = {}
            client_id = token.get("sub") if token.get("sub") in entries else next(iter(entries))
            if self.command == "POST" and LINEITEM_SCOPE not in str(token.get("scopes", "")).split():
                return self.json(401, {"error": "the token has no lineitem scope"})
            service = Grades(
                self.request_of({}, body), self.platform(client_id), self.server.base + "/lineitems"
            )
            service.base, service.client_id = self.server.base, client_id
            handler = (
                service.handle_create_lineitem if self.command == "POST" else service.handle_get_lineitems
            )
            response = service.handle_resp(handler)
            if response.code >= 400:
                return self.json(response.code, {"message": response.message})
            result = response.result
            return self.json(response.code, result["content"] if self.command == "GET" else result)

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.note(path)
            if path == "/lineitems":
                return self.lineitems(body)
            if path.startswith("/contexts/") and path.endswith("/members"):
                with LOCK:
                    MEMBERS[path.split("/")[2]] = json.loads(body or b"{}")
                return self.json(200, {"ok": True})
            is_form = "form-urlencoded" in self.headers.get("Content-Type", "")
            form = dict(parse_qsl(body.decode())) if is_form else {}
            if path == "/token":
                try:
                    assertion = jwt.decode(
                        form.get("client_assertion", ""), options={"verify_signature": False}
                    )
                    token = self.platform(assertion["iss"]).get_access_token(form)
                except Exception as error:
                    return self.json(400, {"error": f"{type(error).__name__}: {error}"})
                return self.json(200, token)
            if path.startswith("/lineitems/") and path.endswith("/scores"):
                line_item_id = path.split("/")[2]
                with LOCK:
                    # a line item of a launch before a restart belongs to the first registration
                    client_id = (
                        SPECS.get(line_item_id, {}).get("client_id")
                        or LINEITEMS.get(line_item_id, {}).get("client_id")
                        or next(iter(entries))
                    )
                service = Grades(
                    self.request_of(form, body),
                    self.platform(client_id),
                    self.server.base + "/lineitems",
                    self.server.base + f"/lineitems/{line_item_id}",
                )
                response = service.handle_resp(service.handle_update_score, line_item_id=line_item_id)
                return self.json(response.code, {"message": response.message})
            if path == "/deep_link_return":
                try:
                    token = jwt.decode(form.get("JWT", ""), options={"verify_signature": False})
                    platform = self.platform(token["iss"])
                    platform.get_registration()
                    items = platform.validate_deeplinking_resp({"JWT": form.get("JWT", "")})
                except Exception as error:
                    return self.json(400, {"error": f"{type(error).__name__}: {error}"})
                with LOCK:
                    DEEP_LINKS.append({"client_id": token["iss"], "items": items, "at": time.time()})
                return self.json(200, {"accepted": len(items)})
            return self.json(404, {"error": "not found"})

    server = ThreadingHTTPServer(("127.0.0.1", int(config.get("port", 0))), Handler)
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    print(json.dumps({"base": server.base}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

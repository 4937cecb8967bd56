"""``manage.py lti_registration add|list``: a municipality's LMS as an LTI 1.3 platform (ADR 0023).

``add`` writes the registration and its deployments (nothing when any value is wrong) and prints the
tool's URLs to enter at the LMS (Moodle: Site administration > Plugins > Activity modules > External tool >
Manage tools > Configure a tool manually).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lms_site.organisation.api import Municipality
from lti.models import Registration
from lti.services import registration_add, tool_urls

LABELS = {
    "login": "Initiate login URL / ログイン開始 URL",
    "launch": "Redirection URI(s), Tool URL / 起動(リダイレクト)URL",
    "jwks": "Public keyset URL / 公開鍵セット URL",
    "deep_linking": "Content Selection URL (deep linking) / ディープリンク URL",
}


class Command(BaseCommand):
    help = "Register or list the LMSs (LTI 1.3 platforms) of municipalities, and print the tool's URLs."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Register a municipality's LMS.")
        add.add_argument("--municipality", required=True, help="団体コード of the municipality.")
        add.add_argument("--issuer", required=True, help="The platform's issuer (Moodle: its site URL).")
        add.add_argument("--client-id", required=True, help="The client id the platform gave the tool.")
        add.add_argument("--auth-login-url", required=True, help="The platform's OIDC authentication URL.")
        add.add_argument("--auth-token-url", required=True, help="The platform's access token URL.")
        add.add_argument("--keyset-url", required=True, help="The platform's public keyset (JWKS) URL.")
        add.add_argument(
            "--deployment-id", required=True, action="append", help="A deployment id (repeat for more)."
        )
        add.add_argument("--auth-audience", default="", help="The token request's audience, if not its URL.")
        add.add_argument("--name", default="", help="A label (default: 〇〇市の LMS).")
        add.add_argument(
            "--match-staff",
            action="store_true",
            help="Trusted LMS: sign launched users in as the municipality's staff, by employee number.",
        )
        add.add_argument(
            "--employee-number-claim",
            default="person_sourcedid",
            help="Claim, custom parameter or lis field with the employee number (Moodle: person_sourcedid).",
        )
        show = sub.add_parser("list", help="List the registrations and print the tool's URLs.")
        show.add_argument("--municipality", help="Only this municipality's.")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"handle_{action}")(**options)

    def handle_add(self, *, municipality, deployment_id, **options) -> None:
        place = Municipality.objects.filter(code=municipality).first()
        if place is None:
            raise CommandError(f"--municipality: no municipality has the code '{municipality}'.")
        try:
            registration = registration_add(
                municipality=place, deployment_ids=deployment_id, **{k: options[k] for k in ADD_FIELDS}
            )
        except ValidationError as error:
            lines = [
                f"--{field.replace('_', '-')}: {message}"
                for field, messages in error.message_dict.items()
                for message in messages
            ]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(
            f"registered: {registration.name} ({registration.issuer}, {registration.client_id})"
        )
        self.print_urls()

    def handle_list(self, *, municipality=None, **options) -> None:
        registrations = Registration.objects.select_related("municipality").prefetch_related("deployments")
        if municipality:
            registrations = registrations.filter(municipality__code=municipality)
        for r in registrations:
            deployments = ",".join(d.deployment_id for d in r.deployments.all())
            state = "active" if r.is_active else "inactive"
            staff = " match-staff" if r.match_staff else ""
            self.stdout.write(
                f"{r.municipality.code}\t{r.name}\t{r.issuer}\t{r.client_id}\t{deployments}\t{state}{staff}"
            )
        self.print_urls()

    def print_urls(self) -> None:
        for key, url in tool_urls(settings.WAGTAILADMIN_BASE_URL).items():
            self.stdout.write(f"{LABELS[key]}: {url}")


ADD_FIELDS = (
    "issuer",
    "client_id",
    "auth_login_url",
    "auth_token_url",
    "keyset_url",
    "auth_audience",
    "name",
    "match_staff",
    "employee_number_claim",
)

"""``manage.py identity_provider add|list``: a municipality's own sign-in (issue 14, ADR 0020).

``add`` asks the provider's discovery document before writing anything and prints the redirect (callback)
URL to register at the provider (Entra ID: "Web" redirect URI; AD FS: the application group's redirect URI)
and the URL it may send the browser to after signing out (RP-initiated logout).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lms_site.identity.models import IdentityProvider, Protocol
from lms_site.identity.services import callback_path, oidc_provider_add
from lms_site.organisation.models import Municipality


class Command(BaseCommand):
    help = "Register or list the identity providers (OpenID Connect) that sign in a municipality's staff."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Register a municipality's OpenID Connect provider.")
        add.add_argument("--municipality", required=True, help="団体コード of the municipality.")
        add.add_argument("--protocol", required=True, choices=["oidc", "saml"])
        add.add_argument(
            "--issuer", required=True, help="The provider's issuer URL (exactly as it states it)."
        )
        add.add_argument("--client-id", required=True)
        add.add_argument("--client-secret", required=True)
        add.add_argument(
            "--employee-number-claim",
            default="employee_number",
            help="The claim (ID token or UserInfo) that holds the HR system's employee number.",
        )
        add.add_argument(
            "--name", default="", help="The sign-in button's label (default: 〇〇市の職員アカウント)."
        )
        add.add_argument("--slug", default="", help="The provider id in its URLs (default: CODE-oidc).")
        add.add_argument(
            "--scopes", default="openid,profile,email", help="Comma-separated scopes to ask for."
        )
        add.add_argument(
            "--allow-email",
            action="store_true",
            help="Match by an e-mail address the provider states as verified when no employee number comes.",
        )
        show = sub.add_parser("list", help="List the registered providers.")
        show.add_argument("--municipality", help="Only this municipality's.")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"handle_{action}")(**options)

    def handle_add(self, *, municipality, protocol, issuer, client_id, client_secret, **options) -> None:
        place = Municipality.objects.filter(code=municipality).first()
        if place is None:
            raise CommandError(f"--municipality: no municipality has the code '{municipality}'.")
        if protocol != Protocol.OIDC:
            raise CommandError("--protocol saml: SAML 2.0 providers are not supported yet; use oidc.")
        try:
            provider = oidc_provider_add(
                municipality=place,
                issuer=issuer,
                client_id=client_id,
                client_secret=client_secret,
                name=options["name"],
                slug=options["slug"],
                employee_number_claim=options["employee_number_claim"],
                scopes=[s.strip() for s in options["scopes"].split(",") if s.strip()],
                email_fallback=options["allow_email"],
            )
        except ValidationError as exc:
            lines = [
                f"--{field.replace('_', '-')}: {m}" for field, ms in exc.message_dict.items() for m in ms
            ]
            raise CommandError("\n".join(["the provider was not registered:", *lines])) from None
        self.stdout.write(f"registered {provider.slug} for {place.name} ({place.code}): {provider.issuer}")
        self.stdout.write(f"redirect (callback) URL: {_absolute(callback_path(provider.slug))}")
        self.stdout.write(f"post-logout redirect URL: {_absolute('/')}")

    def handle_list(self, *, municipality, **options) -> None:
        providers = IdentityProvider.objects.select_related("municipality", "app")
        if municipality:
            providers = providers.filter(municipality__code=municipality)
        for provider in providers:
            state = "enabled" if provider.is_enabled else "disabled"
            self.stdout.write(
                "\t".join(
                    [
                        provider.municipality.code,
                        provider.slug,
                        provider.protocol,
                        provider.issuer,
                        f"claim={provider.employee_number_claim}",
                        state,
                        _absolute(callback_path(provider.slug)),
                    ]
                )
            )


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path

"""``manage.py identity_provider add|update|list``: a municipality's own sign-in (issue 14, ADR 0020).

OpenID Connect: ``add`` asks the provider's discovery document before writing anything and prints the
redirect (callback) URL to register at the provider (Entra ID: "Web" redirect URI; AD FS: the application
group's redirect URI) and the URL it may send the browser to after signing out (RP-initiated logout).

SAML 2.0: ``add --metadata FILE`` reads the IdP's metadata file before writing anything and prints what
to register at the IdP: our entity id and SP metadata URL (one URL) and the assertion consumer service
(ACS, HTTP-POST) URL. ``update --provider SLUG --metadata FILE`` takes the same IdP's new metadata, e.g.
its new signing certificate at rollover (AD FS publishes it in its metadata before switching to it).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lms_site.identity.models import IdentityProvider, Protocol
from lms_site.identity.services import (
    callback_path,
    oidc_provider_add,
    saml_paths,
    saml_provider_add,
    saml_provider_update_metadata,
)
from lms_site.organisation.api import Municipality


class Command(BaseCommand):
    help = "Register or list the identity providers (OpenID Connect, SAML 2.0) of municipalities' staff."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Register a municipality's OpenID Connect or SAML 2.0 provider.")
        add.add_argument("--municipality", required=True, help="団体コード of the municipality.")
        add.add_argument("--protocol", required=True, choices=["oidc", "saml"])
        add.add_argument("--issuer", help="oidc: the provider's issuer URL (exactly as it states it).")
        add.add_argument("--client-id", help="oidc: the client id.")
        add.add_argument("--client-secret", help="oidc: the client secret.")
        add.add_argument(
            "--employee-number-claim",
            default="employee_number",
            help="oidc: the claim (ID token or UserInfo) that holds the HR system's employee number.",
        )
        add.add_argument("--metadata", help="saml: the IdP's metadata file (XML).")
        add.add_argument(
            "--employee-number-attribute",
            default="employee_number",
            help="saml: the assertion's attribute (its Name) that holds the HR system's employee number.",
        )
        add.add_argument(
            "--name", default="", help="The sign-in button's label (default: 〇〇市の職員アカウント)."
        )
        add.add_argument(
            "--slug", default="", help="The provider id in its URLs (default: CODE-oidc or CODE-saml)."
        )
        add.add_argument(
            "--scopes", default="openid,profile,email", help="Comma-separated scopes to ask for."
        )
        add.add_argument(
            "--allow-email",
            action="store_true",
            help="Match by an e-mail address the provider states as verified when no employee number comes.",
        )
        update = sub.add_parser("update", help="saml: take the IdP's new metadata (e.g. a new certificate).")
        update.add_argument("--provider", required=True, help="The provider id (its slug, see list).")
        update.add_argument("--metadata", required=True, help="The IdP's new metadata file (XML).")
        show = sub.add_parser("list", help="List the registered providers.")
        show.add_argument("--municipality", help="Only this municipality's.")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"handle_{action}")(**options)

    def handle_add(self, *, municipality, protocol, **options) -> None:
        place = Municipality.objects.filter(code=municipality).first()
        if place is None:
            raise CommandError(f"--municipality: no municipality has the code '{municipality}'.")
        if protocol == Protocol.SAML:
            self.add_saml(place, **options)
        else:
            self.add_oidc(place, **options)

    def add_oidc(self, place, *, issuer, client_id, client_secret, **options) -> None:
        missing = [
            f"--{name}: required with --protocol oidc."
            for name, value in (
                ("issuer", issuer),
                ("client-id", client_id),
                ("client-secret", client_secret),
            )
            if value is None
        ]
        if missing:
            raise CommandError("\n".join(["the provider was not registered:", *missing]))
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
            raise _not_registered(exc) from None
        self.stdout.write(f"registered {provider.slug} for {place.name} ({place.code}): {provider.issuer}")
        self.stdout.write(f"redirect (callback) URL: {_absolute(callback_path(provider.slug))}")
        self.stdout.write(f"post-logout redirect URL: {_absolute('/')}")

    def add_saml(self, place, *, metadata, employee_number_attribute, **options) -> None:
        if not metadata:
            raise CommandError("the provider was not registered:\n--metadata: required with --protocol saml.")
        try:
            with open(metadata, "rb") as file:
                metadata_xml = file.read()
        except OSError as exc:
            raise CommandError(f"the provider was not registered:\n--metadata: {exc}") from None
        try:
            provider = saml_provider_add(
                municipality=place,
                metadata_xml=metadata_xml,
                employee_number_attribute=employee_number_attribute,
                name=options["name"],
                slug=options["slug"],
                email_fallback=options["allow_email"],
            )
        except ValidationError as exc:
            raise _not_registered(exc) from None
        urls = saml_paths(provider.slug)
        self.stdout.write(f"registered {provider.slug} for {place.name} ({place.code}): {provider.issuer}")
        self.stdout.write(f"SP entity id and metadata URL: {_absolute(urls['metadata'])}")
        self.stdout.write(f"assertion consumer service (ACS, HTTP-POST) URL: {_absolute(urls['acs'])}")
        self.stdout.write(
            f"NameID: persistent; the employee number in the attribute: {provider.employee_number_claim}"
        )
        if provider.app.settings["idp"].get("slo_url"):
            self.stdout.write(
                f"single logout (HTTP-Redirect, signed both ways) URL: {_absolute(urls['sls'])}; "
                "our signing certificate is in the metadata"
            )
        else:
            self.stdout.write("single logout: none in the IdP's metadata; signing out ends our session only")

    def handle_update(self, *, provider, metadata, **options) -> None:
        found = IdentityProvider.objects.select_related("app").filter(app__provider_id=provider).first()
        if found is None or found.protocol != Protocol.SAML:
            raise CommandError(f"--provider: no SAML provider is called '{provider}'; nothing was changed.")
        try:
            with open(metadata, "rb") as file:
                metadata_xml = file.read()
        except OSError as exc:
            raise CommandError(f"nothing was changed:\n--metadata: {exc}") from None
        try:
            change = saml_provider_update_metadata(found, metadata_xml=metadata_xml)
        except ValidationError as exc:
            lines = [
                f"--{field}: {message}"
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
            raise CommandError("\n".join(["nothing was changed:", *lines])) from None
        before, after = change["before"], change["after"]
        for key in ("sso_url", "slo_url", "x509cert"):
            if before.get(key) != after.get(key):
                self.stdout.write(f"{key}: changed")
        self.stdout.write(f"updated {provider} from {metadata}")

    def handle_list(self, *, municipality, **options) -> None:
        providers = IdentityProvider.objects.select_related("municipality", "app")
        if municipality:
            providers = providers.filter(municipality__code=municipality)
        for provider in providers:
            state = "enabled" if provider.is_enabled else "disabled"
            if provider.protocol == Protocol.SAML:
                url = _absolute(saml_paths(provider.slug)["acs"])
            else:
                url = _absolute(callback_path(provider.slug))
            self.stdout.write(
                "\t".join(
                    [
                        provider.municipality.code,
                        provider.slug,
                        provider.protocol,
                        provider.issuer,
                        f"claim={provider.employee_number_claim}",
                        state,
                        url,
                    ]
                )
            )


def _not_registered(exc: ValidationError) -> CommandError:
    lines = [f"--{field.replace('_', '-')}: {m}" for field, ms in exc.message_dict.items() for m in ms]
    return CommandError("\n".join(["the provider was not registered:", *lines]))


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path

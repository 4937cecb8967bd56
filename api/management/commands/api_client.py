"""``manage.py api_client add --municipality CODE --name NAME --scopes read[,write]`` | ``list`` |
``revoke --municipality CODE --name NAME``. ``add`` prints the client id and secret once."""

from django.core.management.base import BaseCommand, CommandError

from api.models import ApiClient
from api.services import ApiClientError, api_client_create, api_client_revoke
from lms_site.organisation.api import Municipality, platform_wide


class Command(BaseCommand):
    help = "Register, list or revoke a machine client of the REST API (OAuth 2.0 client credentials)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="register a client and print its id and secret once")
        add.add_argument("--municipality", required=True, help="6-digit 団体コード")
        add.add_argument("--name", required=True)
        add.add_argument("--scopes", default="read", help="read, or read,write")
        actions.add_parser("list", help="every client, with its municipality and scopes")
        revoke = actions.add_parser("revoke", help="void the client and every token it holds")
        revoke.add_argument("--municipality", required=True)
        revoke.add_argument("--name", required=True)

    @platform_wide()
    def handle(self, *args, action, **options):
        if action == "list":
            for client in ApiClient.objects.select_related("municipality", "application").order_by("pk"):
                state = f"revoked {client.revoked_at:%Y-%m-%d}" if client.revoked_at else "active"
                self.stdout.write(
                    f"{client.municipality.code} {client.municipality.name}\t{client.name}\t"
                    f"{client.application.client_id}\t{client.scopes}\t{state}"
                )
            return
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"no municipality has the code {options['municipality']!r}")
        if action == "revoke":
            client = ApiClient.objects.filter(municipality=municipality, name=options["name"]).first()
            if client is None:
                raise CommandError(f"{municipality.name} has no client named {options['name']!r}")
            api_client_revoke(client=client)
            self.stdout.write(f"revoked: {client.name}")
            return
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        try:
            client, secret = api_client_create(municipality=municipality, name=options["name"], scopes=scopes)
        except ApiClientError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"client_id:     {client.application.client_id}")
        self.stdout.write(f"client_secret: {secret}")
        self.stdout.write(f"scopes:        {client.scopes}")
        self.stdout.write("The secret is shown only now; it is stored hashed. Token: POST /api/oauth/token/")

"""``manage.py lrs add --municipality CODE --name NAME --endpoint URL --key KEY --secret SECRET`` | ``list``
| ``send [--municipality CODE]``: a municipality's xAPI Learning Record Store (issue 16, ``api.xapi``)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from api import xapi
from api.models import LrsEndpoint
from api.services import LrsEndpointError, lrs_endpoint_add
from lms_site.organisation.api import Municipality, municipality_scope, platform_wide


class Command(BaseCommand):
    help = "Register or list a municipality's xAPI LRS, or send it the learning records not sent yet."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="register an LRS (basic authentication)")
        add.add_argument("--municipality", required=True, help="6-digit 団体コード")
        add.add_argument("--name", required=True)
        add.add_argument(
            "--endpoint", required=True, help="the statements URL, https (http on loopback only)"
        )
        add.add_argument("--key", required=True)
        add.add_argument("--secret", required=True)
        actions.add_parser("list", help="every LRS with its state")
        send = actions.add_parser(
            "send", help="send what is pending to every enabled LRS (or one municipality's)"
        )
        send.add_argument("--municipality", help="6-digit 団体コード")

    def handle(self, *args, action, **options):
        with platform_wide():
            if action == "list":
                return self._list()
            code = options.get("municipality")
            municipality = Municipality.objects.filter(code=code).first() if code else None
        if action == "add":
            try:
                with platform_wide():
                    endpoint = lrs_endpoint_add(
                        municipality=municipality,
                        name=options["name"],
                        statements_url=options["endpoint"],
                        key=options["key"],
                        secret=options["secret"],
                    )
            except LrsEndpointError as error:
                raise CommandError("\n".join([_("登録しませんでした:"), *error.problems])) from None
            self.stdout.write(
                f"registered: {endpoint.municipality.code} {endpoint.name} {endpoint.statements_url}"
            )
            return
        if code and municipality is None:
            raise CommandError(_("団体コード %(code)s の自治体はありません") % {"code": code})
        with platform_wide():
            endpoints = LrsEndpoint.objects.filter(enabled=True).select_related("municipality").order_by("pk")
            if municipality:
                endpoints = endpoints.filter(municipality=municipality)
            endpoints = list(endpoints)
        total = 0
        for endpoint in endpoints:
            with municipality_scope(endpoint.municipality):
                sent = xapi.send_pending(endpoint)
            total += sent
            state = f"error: {endpoint.last_error}" if endpoint.last_error else "ok"
            self.stdout.write(f"{endpoint.municipality.code}\t{endpoint.name}\t{sent} sent\t{state}")
        self.stdout.write(f"{total} statements sent")

    def _list(self):
        for endpoint in LrsEndpoint.objects.select_related("municipality").order_by("pk"):
            mark = f"{endpoint.sent_until:%Y-%m-%d %H:%M:%S}" if endpoint.sent_until else "-"
            state = "enabled" if endpoint.enabled else "disabled"
            error = (
                f"\terror {endpoint.last_error_at:%Y-%m-%d %H:%M}: {endpoint.last_error}"
                if endpoint.last_error
                else ""
            )
            self.stdout.write(
                f"{endpoint.municipality.code} {endpoint.municipality.name}\t{endpoint.name}\t"
                f"{endpoint.statements_url}\t{state}\tsent until {mark}{error}"
            )

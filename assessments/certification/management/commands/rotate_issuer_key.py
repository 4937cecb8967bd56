"""manage.py rotate_issuer_key [--municipality CODE]: a new signing key for certificates (ADR 0015)."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from lms_site.organisation.api import Municipality, platform_wide

from ...models import IssuerKey
from ...openbadges.keys import InvalidKey
from ...services.credentials import issuer_key_rotate


class Command(BaseCommand):
    help = (
        "Retire each municipality's active certificate signing key and create a new one. New certificates "
        "are signed with the new key; the retired key is kept, so what it signed still verifies."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--municipality",
            metavar="CODE",
            help="only this municipality (its code); default: every municipality that has a signing key",
        )

    @platform_wide()  # a platform job: every municipality's rows (ADR 0016)
    def handle(self, *args, **options) -> None:
        code = options["municipality"]
        if code:
            municipalities = list(Municipality.objects.filter(code=code))
            if not municipalities:
                raise CommandError(f"No municipality has the code {code!r}.")
        else:
            with_keys = IssuerKey.objects.values("municipality")
            municipalities = list(Municipality.objects.filter(pk__in=with_keys).order_by("code"))
        for municipality in municipalities:
            try:
                retired, new = issuer_key_rotate(municipality=municipality)
            except (InvalidKey, ImproperlyConfigured) as error:
                raise CommandError(f"{municipality.code} {municipality.name}: {error}") from error
            was = retired.did if retired else "-"
            self.stdout.write(f"{municipality.code} {municipality.name}: retired {was}; active {new.did}")
        if not municipalities:
            self.stdout.write("No municipality has a signing key yet (one is created at the first issue).")

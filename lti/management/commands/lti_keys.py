"""``manage.py lti_keys rotate|list``: the tool's signing keys (ADR 0023).

``rotate`` makes a new key that signs from now on; the previous one stays in the published JWKS for
``LTI_KEY_GRACE_DAYS`` days, so that platforms that cached it still check what it signed.
"""

from django.core.management.base import BaseCommand

from lti.keys import key_create
from lti.models import ToolKey


class Command(BaseCommand):
    help = "Rotate or list the LTI tool's signing keys."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "rotate", help="Make a new signing key; the old one stays published for the grace period."
        )
        sub.add_parser("list", help="List the keys and whether each is published.")

    def handle(self, *args, action: str, **options) -> None:
        if action == "rotate":
            key = key_create()
            self.stdout.write(f"new signing key: {key.kid}")
        published = set(ToolKey.objects.published().values_list("pk", flat=True))
        for key in ToolKey.objects.all():
            state = (
                "signing" if key.retired_at is None else ("published" if key.pk in published else "withdrawn")
            )
            self.stdout.write(f"{key.kid}\t{key.created_at:%Y-%m-%d %H:%M}\t{state}")

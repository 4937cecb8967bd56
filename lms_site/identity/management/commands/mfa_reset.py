"""``manage.py mfa_reset --user NAME``: remove a person's second factor (a lost or replaced phone).

The person sets up a new authenticator at their next sign-in (ADR 0020). Their sessions end, so that a
session proved with the old factor does not outlive it. Ask who they are by a channel other than the
account itself before running this.
"""

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lms_site.organisation.api import sessions_end


class Command(BaseCommand):
    help = "Remove a user's TOTP authenticator and end their sessions, so that they set up a new one."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", required=True, help="The user name.")

    @transaction.atomic
    def handle(self, *args, user: str, **options) -> None:
        person = get_user_model().objects.filter(username=user).first()
        if person is None:
            raise CommandError(f"--user: no user is called '{user}'.")
        removed, _ = Authenticator.objects.filter(user=person).delete()
        if not removed:
            raise CommandError(f"--user: '{user}' has no second factor set up; nothing was changed.")
        sessions_end(user_ids={person.pk})
        self.stdout.write(f"removed the second factor of {user}; their sessions have ended")

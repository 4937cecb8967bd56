"""manage.py notifications_send [--today YYYY-MM-DD] [--dry-run]: the morning notification job by hand."""

import datetime

from django.core.management.base import BaseCommand

from lms_site.notifications import services
from lms_site.organisation.api import platform_wide


class Command(BaseCommand):
    help = (
        "Create today's notifications (reminders, digests) and send the e-mail outbox; prints what it sends."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, help="Run as of this day (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Write and send nothing; print what would be sent."
        )

    def handle(self, *args, **options) -> None:
        with platform_wide():
            outcome = services.notifications_run(today=options["today"], dry_run=options["dry_run"])
        verb = "Would send" if options["dry_run"] else "Sent"
        for address, subject in outcome.sent:
            self.stdout.write(f"{verb}: {address}\t{subject}")
        self.stdout.write(
            f"{outcome.created} notifications created, {len(outcome.sent)} e-mails {verb.lower()}."
        )

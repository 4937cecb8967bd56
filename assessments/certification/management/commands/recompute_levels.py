"""manage.py recompute_levels [--user USERNAME] [--batch-size N]: rebuild the level table from evidence."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lms_site.organisation.api import platform_wide

from ... import services


class Command(BaseCommand):
    help = "Recompute competency levels from verified evidence, for one person or everyone. Idempotent."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", metavar="USERNAME", help="Only this person (default: everyone).")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=services.level_table.DEFAULT_BATCH_SIZE,
            help="People per transaction (default %(default)s).",
        )

    @platform_wide()  # a platform job: every municipality's rows (ADR 0016)
    def handle(self, *args, user: str | None, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if user:
            person = get_user_model().objects.filter(username=user).first()
            if person is None:
                raise CommandError(f"no user {user!r}")
            outcome = services.levels_recompute(user=person)
        else:
            outcome = services.levels_recompute_all(batch_size=batch_size, progress=self._progress)
        self.stdout.write(self.style.SUCCESS(f"Done: {outcome.as_dict()}"))

    def _progress(self, done: int, total: int, outcome: services.RecomputeOutcome) -> None:
        self.stdout.write(
            f"  {done}/{total} people: {outcome.created} created, {outcome.updated} updated, "
            f"{outcome.deleted} deleted, {outcome.unchanged} unchanged"
        )

"""manage.py import_staff FILE [--effective-date YYYY-MM-DD] [--municipality CODE] [--async]"""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lms_site.organisation import services
from lms_site.organisation.models import ImportStatus, Municipality, MunicipalityKind
from lms_site.organisation.tenancy import municipality_scope


def municipality_from_option(code: str | None) -> Municipality:
    """The municipality to import into: the one named, or the only one there is. The import then runs
    scoped to it (ADR 0016): it can neither read nor retire another municipality's staff."""
    municipalities = Municipality.objects.exclude(kind=MunicipalityKind.PREFECTURE)
    if code:
        found = Municipality.objects.filter(code=code).first()
        if found is None:
            raise CommandError(f"--municipality: no municipality has the code '{code}'.")
        return found
    found = list(municipalities[:2])
    if len(found) != 1:
        raise CommandError("Give --municipality CODE: there is not exactly one municipality to import into.")
    return found[0]


class Command(BaseCommand):
    help = "Import staff from an HR-system CSV (UTF-8 or CP932). A file with any bad row changes nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--effective-date",
            type=datetime.date.fromisoformat,
            default=None,
            help="Date the assignments in the file take effect (default: today).",
        )
        parser.add_argument("--municipality", help="Municipality code (needed when there are several).")
        parser.add_argument(
            "--retire-missing",
            action="store_true",
            help="The file lists every employee: those absent retire the day before.",
        )
        parser.add_argument(
            "--async",
            dest="queue",
            action="store_true",
            help="Queue the import as a Celery task and return at once.",
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        municipality = municipality_from_option(options["municipality"])
        with municipality_scope(municipality):
            self.import_into(municipality, path, options)

    def import_into(self, municipality: Municipality, path: Path, options) -> None:
        effective_date = options["effective_date"] or timezone.localdate()
        content = path.read_bytes()
        if options["queue"]:
            job = services.staff_import_job_create(
                municipality=municipality,
                file_name=path.name,
                content=content,
                effective_date=effective_date,
                retire_missing=options["retire_missing"],
                run_async=True,
            )
            if job.status == ImportStatus.FAILED:  # the broker could not take it
                raise CommandError(f"Import #{job.pk} was not queued: {'; '.join(job.errors)}")
            self.stdout.write(f"Queued import #{job.pk}.")
            return
        outcome = services.staff_import(
            municipality=municipality,
            content=content,
            effective_date=effective_date,
            retire_missing=options["retire_missing"],
        )
        if not outcome.ok:
            for error in outcome.errors:
                self.stderr.write(f"{path.name}: {error}")
            raise CommandError(f"{path.name}: {len(outcome.errors)} problem(s); nothing was imported.")
        self.stdout.write(" ".join(f"{key}={value}" for key, value in outcome.as_dict().items()))

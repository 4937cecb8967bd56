"""manage.py import_departments FILE [--municipality CODE]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lms_site.organisation import services
from lms_site.organisation.tenancy import municipality_scope

from .import_staff import municipality_from_option


class Command(BaseCommand):
    help = "Create or update the department tree from a CSV (コード,上位コード,区分,名称,英語名称)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--municipality", help="Municipality code (needed when there are several).")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        municipality = municipality_from_option(options["municipality"])
        with municipality_scope(municipality):  # ADR 0016: reads and writes only this municipality's tree
            outcome = services.department_import(municipality=municipality, content=path.read_bytes())
        if not outcome.ok:
            for error in outcome.errors:
                self.stderr.write(f"{path.name}: {error}")
            raise CommandError(f"{path.name}: {len(outcome.errors)} problem(s); nothing was imported.")
        self.stdout.write(
            "created={created} updated={updated} moved={moved} unchanged={unchanged}".format(
                **outcome.as_dict()
            )
        )

"""manage.py import_framework FILE [--format csv|case] [--current]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.competencies import services


def format_of(path: Path, option: str | None) -> str:
    if option:
        return option
    return "case" if path.suffix.lower() == ".json" else "csv"


class Command(BaseCommand):
    help = (
        "Import a competency framework version from the project's CSV or a CASE 1.0 CFPackage (JSON). "
        "A file with any problem changes nothing; a version already registered is never rewritten."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--format",
            choices=["csv", "case"],
            help="File format (default: case for .json, otherwise csv).",
        )
        parser.add_argument("--current", action="store_true", help="Make the imported version current.")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        importer = {"csv": services.framework_import_csv, "case": services.framework_import_case}[
            format_of(path, options["format"])
        ]
        outcome = importer(content=path.read_bytes(), make_current=options["current"])
        if not outcome.ok:
            for error in outcome.errors:
                self.stderr.write(f"{path.name}: {error}")
            raise CommandError(f"{path.name}: {len(outcome.errors)} problem(s); nothing was imported.")
        self.stdout.write(outcome.summary())

"""manage.py import_questions FILE --format gift|moodlexml [--competency CODE]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import bank


class Command(BaseCommand):
    help = (
        "Import a Moodle GIFT or Moodle XML question file; a file with any broken question imports nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", dest="file_format", choices=bank.FORMATS, required=True)
        parser.add_argument("--competency", help="Competency code for questions whose category names none.")
        parser.add_argument("--draft", action="store_true", help="Import as drafts awaiting approval.")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        outcome = bank.questions_import(
            content=path.read_bytes(),
            file_format=options["file_format"],
            default_competency=options["competency"],
            publish=not options["draft"],
        )
        for warning in outcome.warnings:
            self.stderr.write(f"{path.name}: warning: {warning}")
        if not outcome.ok:
            for error in outcome.errors:
                self.stderr.write(f"{path.name}: {error}")
            raise CommandError(f"{path.name}: {len(outcome.errors)} problem(s); nothing was imported.")
        self.stdout.write(
            f"created={outcome.created} updated={outcome.updated} unchanged={outcome.unchanged}"
        )

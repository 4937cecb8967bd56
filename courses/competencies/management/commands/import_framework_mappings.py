"""manage.py import_framework_mappings FILE --reference TITLE [--reference-version V] [--title T --version V]
Our competencies mapped to a reference framework's items from a CSV of pairs (``mapping_csv``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.competencies import selectors, services
from courses.competencies.models import CompetencyFramework


class Command(BaseCommand):
    help = (
        "Map our framework's competencies (default: the current version) to a reference framework's items "
        "from a CSV (能力コード,参照項目,関係,メモ). A file with any problem changes nothing."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version names the framework version here, replacing Django's "print Django's version".
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--reference", required=True, help="Title of the reference framework.")
        parser.add_argument("--reference-version", help="Its version, if several are registered.")
        parser.add_argument("--title", help="Our framework's title (default: the current framework's).")
        parser.add_argument("--version", dest="framework_version", help="Our framework's version.")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        framework = self.ours(options["title"], options["framework_version"])
        references = CompetencyFramework.objects.filter(is_reference=True, title=options["reference"])
        if options["reference_version"]:
            references = references.filter(version=options["reference_version"])
        if references.count() != 1:
            raise CommandError(
                f"{references.count()} reference frameworks match {options['reference']!r}: "
                "give --reference-version."
            )
        outcome = services.mappings_import_csv(
            framework=framework, reference=references.get(), content=path.read_bytes()
        )
        if outcome.errors:
            for error in outcome.errors:
                self.stderr.write(f"{path.name}: {error}")
            raise CommandError(f"{path.name}: {len(outcome.errors)} problem(s); nothing was imported.")
        self.stdout.write(f"{outcome.created} mapping(s) added, {outcome.unchanged} already registered.")

    def ours(self, title: str | None, version: str | None) -> CompetencyFramework:
        if title is None and version is None:
            current = selectors.framework_current()
            if current is None:
                raise CommandError("There is no current framework: give --title and --version.")
            return current
        framework = selectors.framework_get(title=title or "", version=version or "")
        if framework is None or framework.is_reference:
            raise CommandError(f"No framework of ours {title!r} version {version!r}.")
        return framework

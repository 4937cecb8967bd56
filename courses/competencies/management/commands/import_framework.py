"""manage.py import_framework FILE [--format csv|case] [--current]
[--reference|--own] [--area-depth N] [--area-types T,...] [--competency-types T,...]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.competencies import case_io, services


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
        kind = parser.add_mutually_exclusive_group()
        kind.add_argument(
            "--reference",
            action="store_const",
            const=True,
            dest="reference",
            help="Read a CASE package as a reference framework (default: when its item types are not ours).",
        )
        kind.add_argument(
            "--own",
            action="store_const",
            const=False,
            dest="reference",
            help="Read a CASE package as one of our framework versions (items typed 領域 and 能力).",
        )
        parser.add_argument(
            "--area-depth",
            type=int,
            default=1,
            help="Reference framework: items this many steps under the document become areas (default 1); "
            "leaves become competencies.",
        )
        parser.add_argument(
            "--area-types",
            default="",
            help="Reference framework: CFItemTypes that are areas (comma-separated).",
        )
        parser.add_argument(
            "--competency-types",
            default="",
            help="Reference framework: CFItemTypes that are competencies (default: the leaves).",
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        if options["area_depth"] < 1:
            raise CommandError("--area-depth must be 1 or more.")
        content, make_current = path.read_bytes(), options["current"]
        if format_of(path, options["format"]) == "csv":
            outcome = services.framework_import_csv(content=content, make_current=make_current)
        else:
            hierarchy = case_io.Hierarchy.of(
                area_depth=options["area_depth"],
                area_types=options["area_types"].split(","),
                competency_types=options["competency_types"].split(","),
            )
            outcome = services.framework_import_case(
                content=content,
                make_current=make_current,
                reference=options["reference"],
                hierarchy=hierarchy,
            )
        if not outcome.ok:
            for error in outcome.errors:
                self.stderr.write(f"{path.name}: {error}")
            raise CommandError(f"{path.name}: {len(outcome.errors)} problem(s); nothing was imported.")
        self.stdout.write(outcome.summary())

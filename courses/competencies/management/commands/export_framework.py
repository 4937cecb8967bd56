"""manage.py export_framework [--format csv|case] [--title T] [--version V] [-o FILE]"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.competencies import selectors, services


class Command(BaseCommand):
    help = "Export a competency framework version (default: the current one) as CSV or a CASE 1.0 CFPackage."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version names the framework version here, replacing Django's "print Django's version".
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", choices=["csv", "case"], default="csv")
        parser.add_argument("--version", dest="framework_version", help="Version to export (e.g. 1.0).")
        parser.add_argument("--title", help="Framework title (default: the current framework's).")
        parser.add_argument("-o", "--output", type=Path, help="File to write (default: standard output).")

    def handle(self, *args, **options) -> None:
        framework = self.framework(title=options["title"], version=options["framework_version"])
        if options["format"] == "case":
            package = services.framework_export_case(framework=framework)
            content = (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode()
        else:
            content = services.framework_export_csv(framework=framework)
        if options["output"]:
            options["output"].write_bytes(content)
            self.stderr.write(f"Wrote {framework} to {options['output']}.")
        else:
            self.stdout.write(content.decode("utf-8-sig"), ending="")

    def framework(self, *, title: str | None, version: str | None):
        current = selectors.framework_current()
        if version is None and title is None:
            if current is None:
                raise CommandError("There is no current framework: give --version (and --title).")
            return current
        title = title or (current.title if current else None)
        if title is None or version is None:
            raise CommandError("Give --title and --version (no current framework to take the title from).")
        framework = selectors.framework_get(title=title, version=version)
        if framework is None:
            raise CommandError(f"No framework {title!r} version {version!r}.")
        return framework

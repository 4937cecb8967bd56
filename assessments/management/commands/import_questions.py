"""manage.py import_questions FILE --format gift|moodlexml [--competency CODE] [--user USERNAME] [--draft]
[--municipality CODE]"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from assessments import bank
from lms_site.organisation.api import Municipality, acting_as, platform_wide


class Command(BaseCommand):
    help = (
        "Import a Moodle GIFT or Moodle XML question file; a file with any broken question imports nothing. "
        "With --user, that person's permissions decide: without the publish permission every question "
        "becomes a draft submitted to the approval workflow. Without --user the import runs as the "
        "server's operator (like the system administrator) and publishes, unless --draft. The questions go "
        "into the shared library, or with --municipality into that municipality's own bank."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", dest="file_format", choices=bank.FORMATS, required=True)
        parser.add_argument("--competency", help="Competency code for questions whose category names none.")
        parser.add_argument("--user", help="Username of the person importing (their permissions apply).")
        parser.add_argument(
            "--draft", action="store_true", help="Submit every question to the approval workflow."
        )
        parser.add_argument(
            "--municipality", help="Code (団体コード) of the municipality whose own bank receives them."
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"{options['user']}: no such active user.")
        owner = None
        if options["municipality"]:
            owner = Municipality.objects.filter(code=options["municipality"]).first()
            if owner is None:
                code = options["municipality"]
                raise CommandError(f"--municipality: no municipality has the code '{code}'.")
        with acting_as(user) if user is not None else platform_wide():
            outcome = bank.questions_import(
                content=path.read_bytes(),
                file_format=options["file_format"],
                user=user,
                default_competency=options["competency"],
                draft=options["draft"],
                owner=owner,
            )
        for warning in outcome.warnings:
            self.stderr.write(f"{path.name}: warning: {warning}")
        if not outcome.ok:
            for error in outcome.errors:
                self.stderr.write(f"{path.name}: {error}")
            raise CommandError(f"{path.name}: {len(outcome.errors)} problem(s); nothing was imported.")
        for name in outcome.published:
            self.stdout.write(_("公開: %(name)s") % {"name": name})
        for name in outcome.in_review:
            self.stdout.write(
                _("承認待ち(%(workflow)s): %(name)s") % {"workflow": outcome.workflow_name, "name": name}
            )
        self.stdout.write(
            f"created={outcome.created} updated={outcome.updated} unchanged={outcome.unchanged} "
            f"published={len(outcome.published)} in_review={len(outcome.in_review)}"
        )

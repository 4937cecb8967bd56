"""manage.py export_questions --format gift|moodlexml [-o FILE] [--municipality CODE | --all]"""

import sys

from django.core.management.base import BaseCommand

from assessments import bank
from assessments.models import Question


class Command(BaseCommand):
    help = (
        "Export a live question bank as Moodle GIFT or Moodle XML: the shared library, a municipality's "
        "own bank (--municipality CODE), or every bank (--all)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", dest="file_format", choices=bank.FORMATS, required=True)
        parser.add_argument("-o", "--output")
        owner = parser.add_mutually_exclusive_group()
        owner.add_argument("--municipality", help="Only this municipality's own bank (団体コード).")
        owner.add_argument("--all", action="store_true", help="Every bank (default: the shared library).")

    def handle(self, *args, **options) -> None:
        questions = Question._base_manager.filter(live=True)  # the operator's: every bank
        if options["municipality"]:
            questions = questions.filter(municipality__code=options["municipality"])
        elif not options["all"]:
            questions = questions.filter(municipality__isnull=True)
        content = bank.questions_export(questions=questions, file_format=options["file_format"])
        if options["output"]:
            with open(options["output"], "wb") as handle:
                handle.write(content)
        else:
            sys.stdout.buffer.write(content)

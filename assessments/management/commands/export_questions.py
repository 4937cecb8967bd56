"""manage.py export_questions --format gift|moodlexml [-o FILE]"""

import sys

from django.core.management.base import BaseCommand

from assessments import bank
from assessments.models import Question


class Command(BaseCommand):
    help = "Export the live question bank as Moodle GIFT or Moodle XML."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", dest="file_format", choices=bank.FORMATS, required=True)
        parser.add_argument("-o", "--output")

    def handle(self, *args, **options) -> None:
        content = bank.questions_export(
            questions=Question.objects.filter(live=True), file_format=options["file_format"]
        )
        if options["output"]:
            with open(options["output"], "wb") as handle:
                handle.write(content)
        else:
            sys.stdout.buffer.write(content)

"""manage.py training_assign --municipality CODE --course SLUG|--quiz ID [--department CODE]
[--position 課長] [--job-type 技術] [--hire-year-from Y] [--hire-year-to Y] [--employee NUMBER ...]
(--due YYYY-MM-DD | --within-days N) [--every-year] [--title TITLE] [--today YYYY-MM-DD]"""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessments.api import Quiz
from courses.api import course_offered_by_slug
from lms_site.organisation.api import (
    Department,
    JobCategory,
    JobGrade,
    Municipality,
    StaffProfile,
    municipality_scope,
)
from training.services import RuleSpec, rule_create


def _choice(value: str, choices, option: str) -> str:
    """A 役職 or 職種 given by its code (kacho) or its Japanese label (課長)."""
    for code, label in choices:
        if value in (code, str(label)):
            return code
    known = "、".join(str(label) for _code, label in choices)
    raise CommandError(f"{option}: '{value}' is not one of {known}.")


class Command(BaseCommand):
    help = "Assign a course or a quiz to the staff matching a rule, with a due date; prints how many."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--municipality", required=True, help="Municipality code (団体コード).")
        item = parser.add_mutually_exclusive_group(required=True)
        item.add_argument("--course", help="Slug of a live course page.")
        item.add_argument("--quiz", type=int, help="Id of a live quiz.")
        parser.add_argument("--department", help="Department code: it and everything below it.")
        parser.add_argument("--position", action="append", default=[], help="役職 (repeatable), e.g. 課長.")
        parser.add_argument("--job-type", action="append", default=[], help="職種 (repeatable), e.g. 技術.")
        parser.add_argument("--hire-year-from", type=int)
        parser.add_argument("--hire-year-to", type=int)
        parser.add_argument("--employee", action="append", default=[], help="Employee number (repeatable).")
        due = parser.add_mutually_exclusive_group(required=True)
        due.add_argument("--due", type=datetime.date.fromisoformat, help="Due date, YYYY-MM-DD.")
        due.add_argument("--within-days", type=int, help="Due this many days after a person first matches.")
        parser.add_argument("--every-year", action="store_true", help="A new cycle each fiscal year.")
        parser.add_argument("--title", help="Name shown to staff (default: the course or quiz title).")
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, help="Evaluate as of this day (default: today)."
        )

    def handle(self, *args, **options) -> None:
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"--municipality: no municipality has the code '{options['municipality']}'.")
        with municipality_scope(municipality):
            spec = self._spec(municipality, options)
            try:
                rule, count = rule_create(spec=spec, municipality=municipality, today=options["today"])
            except ValidationError as exc:
                raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(f"Assigned '{rule.title}' (rule {rule.pk}) to {count} people.")

    def _spec(self, municipality: Municipality, options) -> RuleSpec:
        course = quiz = None
        if options["course"]:
            # offered to the municipality (ADR 0024), the most specific when a copy shares the slug; another
            # municipality's own course is refused like an unknown one
            course = course_offered_by_slug(slug=options["course"], municipality=municipality)
            if course is None:
                raise CommandError(
                    f"--course: no live course offered to {municipality.name} ({municipality.code}) has "
                    f"the slug '{options['course']}'."
                )
        else:
            quiz = Quiz.objects.filter(pk=options["quiz"], live=True).first()
            if quiz is None:
                raise CommandError(f"--quiz: no live quiz has the id {options['quiz']}.")
        department = None
        if options["department"]:
            department = Department.objects.filter(
                municipality=municipality, code=options["department"]
            ).first()
            if department is None:
                raise CommandError(
                    f"--department: {municipality.name} has no department '{options['department']}'."
                )
        people = []
        for number in options["employee"]:
            person = StaffProfile.objects.filter(municipality=municipality, employee_number=number).first()
            if person is None:
                raise CommandError(f"--employee: {municipality.name} has no employee '{number}'.")
            people.append(person)
        return RuleSpec(
            title=options["title"] or (course or quiz).title,
            course=course,
            quiz=quiz,
            department=department,
            job_grades=[_choice(v, JobGrade.choices, "--position") for v in options["position"]],
            job_categories=[_choice(v, JobCategory.choices, "--job-type") for v in options["job_type"]],
            hire_year_from=options["hire_year_from"],
            hire_year_to=options["hire_year_to"],
            people=people,
            due_on=options["due"],
            due_within_days=options["within_days"],
            every_year=options["every_year"],
        )

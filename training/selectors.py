"""Reads of assigned training: the status of each due, a learner's to-do list, and the report per
department. Status is derived from the learning records in the cycle's window (see ``models``)."""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from assessments.api import Attempt, AttemptStatus
from courses.api import CourseRetake, Enrollment
from lms_site.organisation.api import StaffProfile

from .models import TrainingDue, TrainingRule


class Status:
    COMPLETED = "completed"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    OVERDUE = "overdue"
    EXEMPT = "exempt"


STATUS_LABELS = {
    Status.COMPLETED: _("修了"),
    Status.IN_PROGRESS: _("受講中"),
    Status.NOT_STARTED: _("未着手"),
    Status.OVERDUE: _("期限切れ"),
    Status.EXEMPT: _("免除"),
}
STATUS_ORDER = [Status.COMPLETED, Status.IN_PROGRESS, Status.NOT_STARTED, Status.OVERDUE, Status.EXEMPT]


@dataclass(frozen=True)
class Progress:
    status: str
    completed_at: datetime.datetime | None
    # The course was completed in an earlier cycle and must be started again for this one.
    restart: bool = False

    @property
    def label(self) -> str:
        return _status_label(self.status, translation.get_language())


@functools.cache
def _status_label(status: str, language: str | None) -> str:
    """A status's label in a language, translated once per process (a report shows one per person)."""
    with translation.override(language):
        return str(STATUS_LABELS[status])


def _in_window(moment: datetime.datetime | None, window, zone=None) -> bool:
    """Whether a moment falls in a cycle's window (compared as a day in Japan; an open window takes any).
    ``zone``: the current time zone, when the caller has it at hand (a report asks hundreds of times)."""
    if moment is None:
        return False
    start, end = window
    if start is None:
        return True
    return start <= timezone.localtime(moment, zone).date() < end


# Above this many people, their records are read by municipality (a join) rather than by a list of ids:
# a report on a rule that assigns a whole city would otherwise send thousands of parameters.
PEOPLE_BY_ID_AT_MOST = 100


def _people_filter(user_ids: set[int], municipality_ids: set[int]) -> Q:
    """The records (enrolments, retakes, attempts) of these people: by id for a few, else every record of
    their municipalities' staff (the caller looks each person up; the others are never read)."""
    if len(user_ids) <= PEOPLE_BY_ID_AT_MOST:
        return Q(user_id__in=user_ids)
    return Q(user__staff_profile__municipality_id__in=municipality_ids)


def due_progress(dues: Iterable[TrainingDue], *, today: datetime.date) -> dict[int, Progress]:
    """Each due's status on ``today``: three queries at most (courses' enrolments and earlier completions,
    quizzes' attempts), whatever the number of dues and rules. ``dues`` need ``rule`` and ``staff``. The
    records are read unordered: what is kept of them (the one enrolment per course, the earliest completion,
    whether any attempt started) does not depend on their order."""
    dues = list(dues)
    course_ids = {d.rule.course_id for d in dues if d.rule.course_id}
    quiz_ids = {d.rule.quiz_id for d in dues if d.rule.quiz_id}
    people = _people_filter({d.staff.user_id for d in dues}, {d.staff.municipality_id for d in dues})
    enrolments: dict[tuple[int, int], tuple] = {}
    retakes: dict[tuple[int, int], list] = defaultdict(list)
    if course_ids:
        for user_id, course_id, enrolled_at, completed_at in (
            Enrollment.objects.filter(people, course_id__in=course_ids)
            .order_by()
            .values_list("user_id", "course_id", "enrolled_at", "completed_at")
        ):
            enrolments[(user_id, course_id)] = (enrolled_at, completed_at)
        for user_id, course_id, completed_at in (
            CourseRetake.objects.filter(people, course_id__in=course_ids)
            .order_by()
            .values_list("user_id", "course_id", "completed_at")
        ):
            retakes[(user_id, course_id)].append(completed_at)
    attempts: dict[tuple[int, int], list] = defaultdict(list)
    if quiz_ids:
        for user_id, quiz_id, started_at, finished_at, passed, status in (
            Attempt.objects.filter(people, quiz_id__in=quiz_ids)
            .order_by()
            .values_list("user_id", "quiz_id", "started_at", "finished_at", "passed", "status")
        ):
            attempts[(user_id, quiz_id)].append((started_at, finished_at, passed, status))
    found = {}
    zone = timezone.get_current_timezone()
    windows = {}
    for due in dues:
        window = windows.get((due.rule.pk, due.cycle))
        if window is None:
            window = windows[(due.rule.pk, due.cycle)] = due.rule.window(due.cycle)
        completed_at, started, restart = None, False, False
        if due.rule.course_id:
            key = (due.staff.user_id, due.rule.course_id)
            enrolled_at, done_at = enrolments.get(key, (None, None))
            done = [moment for moment in [done_at, *retakes.get(key, [])] if _in_window(moment, window, zone)]
            completed_at = min(done, default=None)
            started = enrolled_at is not None and done_at is None
            restart = done_at is not None and completed_at is None
        else:
            for started_at, finished_at, passed, status in attempts.get(
                (due.staff.user_id, due.rule.quiz_id), []
            ):
                if passed and status == AttemptStatus.SUBMITTED and _in_window(finished_at, window, zone):
                    completed_at = min(filter(None, [completed_at, finished_at]))
                elif _in_window(started_at, window, zone):
                    started = True
        if due.is_exempt:
            status = Status.EXEMPT
        elif completed_at is not None:
            status = Status.COMPLETED
        elif due.due_on < today:
            status = Status.OVERDUE
        elif started:
            status = Status.IN_PROGRESS
        else:
            status = Status.NOT_STARTED
        found[due.pk] = Progress(status=status, completed_at=completed_at, restart=restart)
    return found


def learner_dues(*, staff, today: datetime.date) -> list[tuple[TrainingDue, Progress]]:
    """A person's current dues (not left, not done, not exempt), overdue first, then by due date; each with
    its progress. Done ones of this fiscal year come last, for the record."""
    dues = list(
        TrainingDue.objects.filter(staff=staff, left_on__isnull=True, rule__withdrawn_at__isnull=True)
        .select_related("rule__course", "rule__quiz", "staff")
        .order_by("due_on", "pk")
    )
    current = {}
    for due in dues:  # the latest cycle of each rule
        if due.rule_id not in current or due.cycle > current[due.rule_id].cycle:
            current[due.rule_id] = due
    dues = [d for d in dues if current[d.rule_id] is d]
    progress = due_progress(dues, today=today)
    rank = {
        Status.OVERDUE: 0,
        Status.IN_PROGRESS: 1,
        Status.NOT_STARTED: 1,
        Status.COMPLETED: 2,
        Status.EXEMPT: 3,
    }
    rows = [(d, progress[d.pk]) for d in dues]
    rows.sort(key=lambda row: (rank[row[1].status], row[0].due_on, row[0].pk))
    return rows


def rules_for(*, municipality_id: int, subtree_path: str = "") -> list[TrainingRule]:
    """The rules a viewer manages: every rule of the municipality for HR; for a 所属長, those limited to
    their subtree (a rule for the whole municipality is HR's)."""
    rules = TrainingRule.objects.filter(municipality_id=municipality_id).select_related(
        "course", "quiz", "department"
    )
    if subtree_path:
        rules = rules.filter(department__path__startswith=subtree_path)
    return list(rules)


@dataclass(frozen=True, slots=True)
class DuePerson:
    """The person of a ``DueRow``: the fields of their ``StaffProfile`` a report shows or looks up by."""

    pk: int
    user_id: int
    municipality_id: int
    employee_number: str
    family_name: str
    given_name: str
    job_grade: str

    full_name = property(StaffProfile.full_name.fget)  # as the staff record writes it


@dataclass(frozen=True, slots=True)
class DueRow:
    """A ``TrainingDue`` as a report reads it (``rule_dues``): the due's fields a report shows and
    ``due_progress`` needs, with its rule (one object for every row of that rule), the person, and the
    department the person is in on the report's day. Plain data: a report of a few hundred people builds
    no model instance per person (it built three: the due, its rule and its staff record)."""

    pk: int
    rule: TrainingRule
    cycle: int
    due_on: datetime.date
    exempt_reason: str
    staff: DuePerson
    department_id: int | None

    @property
    def rule_id(self) -> int:
        return self.rule.pk

    is_exempt = property(TrainingDue.is_exempt.fget)  # as the due decides it


def rule_dues(*, rule: TrainingRule, cycle: int, subtree_path: str = "", on: datetime.date) -> list[DueRow]:
    """The dues of a rule's cycle that count (the person still matches), with the department each person is
    in on ``on``; a 所属長 sees only those in their subtree."""
    return dues_of_rules(rules=[rule], cycles={rule.pk: cycle}, subtree_path=subtree_path, on=on)[rule.pk]


def dues_of_rules(
    *, rules: list[TrainingRule], cycles: dict[int, int], subtree_path: str = "", on: datetime.date
) -> dict[int, list[DueRow]]:
    """``rule_dues`` of many rules at once, in two queries whatever their number: rule id -> its dues in
    the cycle ``cycles`` gives it, by employee number (``rules``: the rules of ``cycles``; every row of a
    rule holds that one object)."""

    from lms_site.organisation.api import Assignment

    found: dict[int, list[DueRow]] = {rule_id: [] for rule_id in cycles}
    if not cycles:
        return found
    by_id = {rule.pk: rule for rule in rules}
    which = Q()
    for rule_id, cycle in cycles.items():
        which |= Q(rule_id=rule_id, cycle=cycle)
    dues = TrainingDue.objects.filter(which, left_on__isnull=True)
    placed = Assignment.objects.on(on).filter(staff__in=dues.values("staff_id"))
    if subtree_path:
        placed = placed.filter(department__path__startswith=subtree_path)
        dues = dues.filter(staff__in=placed.values("staff_id"))
    departments = dict(placed.values_list("staff_id", "department_id"))
    rows = dues.order_by("staff__employee_number", "pk").values_list(
        "pk",
        "rule_id",
        "cycle",
        "due_on",
        "exempt_reason",
        "staff_id",
        "staff__user_id",
        "staff__municipality_id",
        "staff__employee_number",
        "staff__family_name",
        "staff__given_name",
        "staff__job_grade",
    )
    for pk, rule_id, cycle, due_on, exempt_reason, *person in rows:
        staff = DuePerson(*person)
        found[rule_id].append(
            DueRow(pk, by_id[rule_id], cycle, due_on, exempt_reason, staff, departments.get(staff.pk))
        )
    return found


def dues_history(
    *, cycles: dict[int, int], until: datetime.date
) -> tuple[dict[int, list[TrainingDue]], dict[int, list[tuple]]]:
    """What a report as of past days reads (the suppressed report, ``reports.published_reports``), in two
    queries whatever the number of rules: rule id -> the dues of its cycle in ``cycles`` that had begun by
    ``until`` (``matched_on``), those that have left since included, by employee number; and staff id ->
    their assignments ``(starts_on, ends_on, department_id)`` that began by ``until``, oldest first."""
    from lms_site.organisation.api import Assignment

    found: dict[int, list[TrainingDue]] = {rule_id: [] for rule_id in cycles}
    placements: dict[int, list[tuple]] = defaultdict(list)
    if not cycles:
        return found, placements
    which = Q()
    for rule_id, cycle in cycles.items():
        which |= Q(rule_id=rule_id, cycle=cycle)
    dues = TrainingDue.objects.filter(which, matched_on__lte=until).select_related("staff", "rule")
    for due in dues.order_by("staff__employee_number", "pk"):
        found[due.rule_id].append(due)
    for staff_id, starts_on, ends_on, department_id in (
        Assignment.objects.filter(staff__in=dues.values("staff_id"), starts_on__lte=until)
        .order_by("staff_id", "starts_on")
        .values_list("staff_id", "starts_on", "ends_on", "department_id")
    ):
        placements[staff_id].append((starts_on, ends_on, department_id))
    return found, placements

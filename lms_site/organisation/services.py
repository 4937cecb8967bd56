"""Writes to the organisation: staff imports, rotations and the department tree."""

import datetime
import logging
import secrets
import struct
import sys
from collections.abc import Callable
from contextlib import nullcontext
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, UNUSABLE_PASSWORD_SUFFIX_LENGTH
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q
from django.db.models.signals import m2m_changed
from django.utils import timezone
from django.utils.translation import gettext as _

from lms_site.bulk import insert_rows
from lms_site.imports import ImportOutcome, Line, Problem
from lms_site.jobs import JobStatus, job_enqueue, job_finish, job_progress_report, job_update

from . import department_csv, staff_csv
from .leavers import sessions_end
from .models import (
    Assignment,
    Department,
    Municipality,
    PersonalDataAccess,
    StaffImport,
    StaffProfile,
)
from .roles import Role, role_group
from .selectors import profile_of
from .signals import staff_changed_send
from .tenancy import municipality_scope

logger = logging.getLogger(__name__)
User = get_user_model()
Progress = Callable[[int], None]
PROFILE_FIELDS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "job_grade",
    "job_category",
    "hire_year",
)
USER_FIELDS = (
    "password",
    "is_superuser",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
)
BATCH = 2000  # rows written per statement; the import's queries grow by one set per batch, not per row

__all__ = ["ImportOutcome"]  # re-exported: what staff_import and department_import return


def staff_username(*, municipality: Municipality, employee_number: str) -> str:
    return f"{municipality.code}-{employee_number}"


def staff_import(
    *,
    municipality: Municipality,
    content: bytes | staff_csv.Source,
    effective_date: datetime.date,
    retire_missing: bool = False,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Validate every row and write the file in one transaction; any problem means nothing is written.

    Re-importing the same file changes nothing. A person whose department differs from their current one
    gets a new assignment from ``effective_date``; the previous one ends the day before. With
    ``retire_missing`` (the file is a full export), active staff absent from the file retire the day before.

    Set-based (ADR 0026, "Set-based writes"): the municipality's staff are read once, the file is read row
    by row, and what changed is written in batches of ``BATCH`` rows; once a problem is found nothing more
    is written and the transaction is rolled back at the end, after every row has been checked.
    """
    staff_file = staff_csv.StaffFile(content, current_year=timezone.localdate().year)
    if not staff_file.readable:
        return ImportOutcome.refused(staff_file.problems)
    try:
        with transaction.atomic():
            outcome = _StaffWriter(
                municipality=municipality, effective_date=effective_date, progress=progress
            ).run(staff_file, retire_missing=retire_missing)
            if outcome.problems:
                raise _Refused(outcome)
    except _Refused as refused:
        return refused.outcome
    if progress:
        progress(outcome.created + outcome.updated + outcome.moved + outcome.unchanged)
    return outcome


class _Refused(Exception):
    """Rolls the import's transaction back; carries the outcome listing the problems."""

    def __init__(self, outcome: ImportOutcome):
        self.outcome = outcome


class _Known(NamedTuple):
    """What the import compares a row with: one person already in the municipality, in a few numbers.

    Names, posts and addresses are kept as fingerprints (``hash`` of the values, 64 bits: a changed row
    that kept its fingerprint would have to beat odds of 2**-64) and a person is kept packed in 53 bytes
    between rows (``pack``/``unpack``): 300,000 people take about 55 MB, where tuples of their values took
    three times that and model instances far more. A row whose fingerprint differs is written whole."""

    profile_id: int
    user_id: int
    is_active: bool
    profile_print: int
    user_print: int
    assignment_id: int | None
    department_id: int | None
    starts_on: datetime.date | None

    def pack(self) -> bytes:
        return _PACKED.pack(
            self.profile_id,
            self.user_id,
            self.profile_print,
            self.user_print,
            self.assignment_id or 0,
            self.department_id or 0,
            self.starts_on.toordinal() if self.starts_on else 0,
            self.is_active,
        )

    @classmethod
    def unpack(cls, packed: bytes) -> "_Known":
        profile_id, user_id, profile_print, user_print, assignment_id, department_id, day, active = (
            _PACKED.unpack(packed)
        )
        return cls(
            profile_id,
            user_id,
            active,
            profile_print,
            user_print,
            assignment_id or None,
            department_id or None,
            datetime.date.fromordinal(day) if day else None,
        )


_PACKED = struct.Struct("<qqqqqqi?")


class _StaffWriter:
    """One staff import: the municipality's current state read once, then rows checked and written in
    batches (``BATCH``): bulk inserts of new people, bulk updates of what changed, nothing for the rest."""

    def __init__(
        self, *, municipality: Municipality, effective_date: datetime.date, progress: Progress | None
    ):
        self.municipality = municipality
        self.effective_date = effective_date
        self.progress = progress
        self.outcome = ImportOutcome()
        self.learners = role_group(Role.LEARNER)
        self.departments = {
            d.code: d.pk for d in Department.objects.filter(municipality=municipality, is_active=True)
        }
        self.known = self._known()
        self.left = self._left() if self.known else set()
        self.conflicts: list[tuple[int, int, Problem]] = []  # (line, rank, problem): file order, then rank
        self.email_checks: list[tuple[int, str, str]] = []  # (line, employee number, email) to look up
        self.email_owners: list[tuple[int, str]] = []  # (line, owner's number): a problem if not in the file
        self.batch: list[tuple[staff_csv.StaffRow, int, _Known | None]] = []
        self.failed = False
        self.read = 0

    def _known(self) -> dict[str, bytes]:
        """Every person of the municipality by employee number (``_Known``, packed): one query."""
        current = FilteredRelation("assignments", condition=Q(assignments__ends_on__isnull=True))
        rows = (
            StaffProfile.objects.filter(municipality=self.municipality)
            .annotate(current=current)
            .order_by()
            .values_list(
                "employee_number",
                "pk",
                "user_id",
                "is_active",
                *PROFILE_FIELDS,
                "user__email",
                "user__first_name",
                "user__last_name",
                "current__pk",
                "current__department",
                "current__starts_on",
            )
        )
        width = len(PROFILE_FIELDS)
        known = {}
        for number, pk, user_id, is_active, *rest in rows.iterator(chunk_size=BATCH):
            number = sys.intern(number)  # the file's reader interns its numbers too: one string each
            profile, user, (assignment_id, department_id, starts_on) = (
                tuple(rest[:width]),
                tuple(rest[width : width + 3]),
                rest[width + 3 :],
            )
            known[number] = _Known(
                pk, user_id, is_active, hash(profile), hash(user), assignment_id, department_id, starts_on
            ).pack()
        return known

    def _left(self) -> set[str]:
        """Employee numbers of 在職 people who have nevertheless left (``leavers.has_left``: their last
        assignment ended, none in force today or later), for all of them in one query."""
        today = timezone.localdate()
        assignments = Assignment._base_manager.filter(staff=OuterRef("pk"))
        in_force_or_later = assignments.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        return set(
            StaffProfile.objects.filter(municipality=self.municipality, is_active=True)
            .filter(Exists(assignments), ~Exists(in_force_or_later))
            .values_list("employee_number", flat=True)
        )

    def run(self, staff_file: staff_csv.StaffFile, *, retire_missing: bool) -> ImportOutcome:
        for row in staff_file.rows():
            self.read += 1
            self.failed = self.failed or bool(staff_file.problems)  # the file is refused: stop writing
            self._check(row)
            if len(self.email_checks) >= BATCH:
                self._emails_look_up()
            if len(self.batch) >= BATCH:
                self._flush()
        self._emails_look_up()
        self.conflicts += [
            (
                line,
                1,
                Problem(
                    Line(line),
                    _("メールアドレスは職員番号 %(number)s の職員が使用しています。") % {"number": owner},
                ),
            )
            for line, owner in self.email_owners
            if not staff_file.valid_number(owner)
        ]
        self.conflicts.sort(key=lambda conflict: conflict[:2])
        problems = staff_file.problems + [problem for _line, _rank, problem in self.conflicts]
        if problems:
            self.outcome.problems = sorted(problems, key=lambda p: p.line)
            return self.outcome
        self._flush()
        if retire_missing:
            self.outcome.retired = self._retire_missing(staff_file)
        outcome = self.outcome
        if outcome.created or outcome.updated or outcome.moved or outcome.retired:
            staff_changed_send(municipality_id=self.municipality.pk, on=self.effective_date)
        return outcome

    def _check(self, row: staff_csv.StaffRow) -> None:
        """The problems a row has with what the database holds; a row without any joins the batch."""
        department_id = self.departments.get(row.department_code)
        packed = self.known.get(row.employee_number)
        known = _Known.unpack(packed) if packed is not None else None
        problems = []
        if department_id is None:
            problems.append(
                (
                    0,
                    _("所属コード %(code)s は登録されていないか、廃止されています。")
                    % {"code": row.department_code},
                )
            )
        if row.email and self.known and (known is None or hash(_user_values(row)) != known.user_print):
            # A new address (or a new person): whose is it? Looked up in batches (``_emails_look_up``).
            self.email_checks.append((row.line, row.employee_number, row.email))
        if (
            known is not None
            and known.assignment_id is not None
            and department_id is not None
            and department_id != known.department_id
            and self.effective_date < known.starts_on
        ):
            problems.append(
                (
                    2,
                    _("発令日 %(date)s が現在の所属の開始日 %(start)s より前です。")
                    % {"date": self.effective_date, "start": known.starts_on},
                )
            )
        self.conflicts += [(row.line, rank, Problem(Line(row.line), message)) for rank, message in problems]
        if problems:
            self.failed = True
        if not self.failed:
            self.batch.append((row, department_id, known))

    def _emails_look_up(self) -> None:
        """Which of the batch's addresses other people of the municipality hold (one query). Read inside
        the import's transaction: an address this import already gave someone belongs to a person in
        the file, so it is never a conflict, and those it took from people in the file were theirs."""
        if not self.email_checks:
            return
        owners: dict[str, set[str]] = {}
        for email, number in User.objects.filter(
            email__in={email for _line, _number, email in self.email_checks},
            staff_profile__municipality=self.municipality,
        ).values_list("email", "staff_profile__employee_number"):
            owners.setdefault(email, set()).add(number)
        for line, number, email in self.email_checks:
            self.email_owners += [(line, owner) for owner in sorted(owners.get(email, ())) if owner != number]
        self.email_checks = []

    def _flush(self) -> None:
        """Write the batch: updates first (an assignment ends before its successor starts), then inserts."""
        batch, self.batch = self.batch, []
        if self.failed or not batch:
            return
        outcome, day = self.outcome, self.effective_date
        new_people, users, profiles, corrections, ending, rehired = [], [], [], [], [], []
        assignments = []
        for row, department_id, known in batch:
            if known is None:
                new_people.append((row, department_id))
                continue
            values = _profile_values(row)
            # Back after leaving (retired, or their last assignment ended): the learner role only (ADR 0013).
            if not known.is_active or (known.assignment_id is None and row.employee_number in self.left):
                rehired.append(known.user_id)
            changed = False
            if hash(values) != known.profile_print or not known.is_active:
                profiles.append(
                    StaffProfile(
                        pk=known.profile_id, is_active=True, **dict(zip(PROFILE_FIELDS, values, strict=True))
                    )
                )
                changed = True
            if hash(_user_values(row)) != known.user_print:
                users.append(
                    User(
                        pk=known.user_id,
                        email=row.email,
                        first_name=row.given_name,
                        last_name=row.family_name,
                    )
                )
                changed = True
            if known.assignment_id is None:
                assignments.append((known.profile_id, department_id, day))
                outcome.moved += 1
            elif known.department_id != department_id:
                if known.starts_on == day:
                    # A correction on the day itself: the assignment was wrong, not a move.
                    corrections.append(Assignment(pk=known.assignment_id, department_id=department_id))
                else:
                    ending.append(known.assignment_id)
                    assignments.append((known.profile_id, department_id, day))
                outcome.moved += 1
            elif changed:
                outcome.updated += 1
            else:
                outcome.unchanged += 1

        if rehired:
            User.objects.filter(pk__in=rehired, is_active=False).update(is_active=True)
            _groups_remove(user_ids=rehired, keep=self.learners)
            _groups_add(self.learners, user_ids=rehired)
        if users:
            User.objects.bulk_update(users, ["email", "first_name", "last_name"])
        if profiles:
            StaffProfile.objects.bulk_update(profiles, [*PROFILE_FIELDS, "is_active"])
        if corrections:
            Assignment.objects.bulk_update(corrections, ["department"])
        if ending:
            Assignment.objects.filter(pk__in=ending).update(ends_on=day - datetime.timedelta(days=1))
        if new_people:
            assignments += self._create(new_people)
            outcome.created += len(new_people)
        _insert(Assignment, ("staff", "department", "starts_on"), assignments, returning=False)
        if self.progress:
            self.progress(self.read)

    def _create(self, people: list[tuple[staff_csv.StaffRow, int]]) -> list[tuple]:
        """New users (an unusable password, as ``create_user`` gives), learners, profiles; their
        assignments are returned for the caller to insert with the others."""
        joined = timezone.now()
        user_ids = _insert(
            User,
            USER_FIELDS,
            [
                (
                    _unusable_password(),
                    False,
                    User.normalize_username(
                        staff_username(municipality=self.municipality, employee_number=row.employee_number)
                    ),
                    row.given_name,
                    row.family_name,
                    User.objects.normalize_email(row.email),
                    False,
                    True,
                    joined,
                )
                for row, _department in people
            ],
        )
        _groups_add(self.learners, user_ids=user_ids, new=True)
        profile_ids = _insert(
            StaffProfile,
            ("user", "municipality", "employee_number", *PROFILE_FIELDS, "is_active"),
            [
                (user_id, self.municipality.pk, row.employee_number, *_profile_values(row), True)
                for user_id, (row, _department) in zip(user_ids, people, strict=True)
            ],
        )
        return [
            (profile_id, department_id, self.effective_date)
            for profile_id, (_row, department_id) in zip(profile_ids, people, strict=True)
        ]

    def _retire_missing(self, staff_file: staff_csv.StaffFile) -> int:
        """Active staff absent from the file: their assignment ends the day before (not before it began),
        their profile is no longer 在職, and ``user_retire``'s work for all of them at once."""
        day_before = self.effective_date - datetime.timedelta(days=1)
        absent = (_Known.unpack(packed) for n, packed in self.known.items() if not staff_file.valid_number(n))
        leaving = [known for known in absent if known.is_active]
        for start in range(0, len(leaving), BATCH):
            chunk = leaving[start : start + BATCH]
            open_ids = [k.assignment_id for k in chunk if k.assignment_id is not None]
            Assignment.objects.filter(pk__in=open_ids, starts_on__lte=day_before).update(ends_on=day_before)
            Assignment.objects.filter(pk__in=open_ids, starts_on__gt=day_before).update(
                ends_on=F("starts_on")
            )
            StaffProfile.objects.filter(pk__in=[k.profile_id for k in chunk]).update(is_active=False)
            user_ids = [k.user_id for k in chunk]
            User.objects.filter(pk__in=user_ids, is_active=True).update(is_active=False)
            _groups_remove(user_ids=user_ids)
        sessions_end(user_ids={k.user_id for k in leaving})
        return len(leaving)


def _insert(model, fields: tuple[str, ...], rows: list[tuple], *, returning: bool = True) -> list[int]:
    """``lms_site.bulk.insert_rows``: one ``INSERT … SELECT * FROM unnest(…)`` on PostgreSQL, with no
    model instance per row. It sends no ``post_save``: see ADR 0026 for what listens and what the import
    does instead."""
    return insert_rows(model, fields, rows, returning=returning)


def _profile_values(row: staff_csv.StaffRow) -> tuple:
    return tuple(getattr(row, name) for name in PROFILE_FIELDS)


def _user_values(row: staff_csv.StaffRow) -> tuple:
    return (row.email, row.given_name, row.family_name)


def _unusable_password() -> str:
    """What ``make_password(None)`` stores (the prefix, then random characters), without its cost per
    character: for 300,000 new users at once."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(UNUSABLE_PASSWORD_SUFFIX_LENGTH // 2)


def _groups_add(group: Group, *, user_ids: list[int], new: bool = False) -> None:
    """``group.user_set.add(*user_ids)`` in one insert, with the same ``m2m_changed`` signals (the
    permission cache listens). ``new``: the users were just created and hold no group yet."""
    if not user_ids:
        return
    through = User.groups.through
    if not new:
        have = set(
            through.objects.filter(group_id=group.pk, user_id__in=user_ids).values_list("user_id", flat=True)
        )
        user_ids = [pk for pk in user_ids if pk not in have]
        if not user_ids:
            return
    signal = {"sender": through, "instance": group, "reverse": True, "model": User, "pk_set": set(user_ids)}
    m2m_changed.send(action="pre_add", using=through.objects.db, **signal)
    _insert(through, ("user", "group"), [(pk, group.pk) for pk in user_ids], returning=False)
    m2m_changed.send(action="post_add", using=through.objects.db, **signal)


def _groups_remove(*, user_ids: list[int], keep: Group | None = None) -> None:
    """Remove these users from every group (but ``keep``), as ``user.groups.clear()`` / ``.set([keep])``
    would, with one ``m2m_changed`` pair per group they left (the permission cache listens)."""
    through = User.groups.through
    links = through.objects.filter(user_id__in=user_ids)
    if keep is not None:
        links = links.exclude(group_id=keep.pk)
    members: dict[int, set[int]] = {}
    for group_id, user_id in links.values_list("group_id", "user_id"):
        members.setdefault(group_id, set()).add(user_id)
    if not members:
        return
    groups = list(Group.objects.filter(pk__in=members))
    for action in ("pre_remove", "post_remove"):
        if action == "post_remove":
            links.delete()
        for group in groups:
            m2m_changed.send(
                sender=through,
                instance=group,
                action=action,
                reverse=True,
                model=User,
                pk_set=members[group.pk],
                using=through.objects.db,
            )


def staff_import_job_create(
    *,
    municipality: Municipality,
    file_name: str,
    content: bytes,
    effective_date: datetime.date,
    retire_missing: bool = False,
    requested_by=None,
    run_async: bool | None = None,
) -> StaffImport:
    """Record an import and run it: at once for small files, as a Celery task for large ones (or if asked)."""
    job = StaffImport.objects.create(
        municipality=municipality,
        file_name=file_name[:255],
        content=content,
        effective_date=effective_date,
        retire_missing=retire_missing,
        requested_by=requested_by,
    )
    if run_async is None:
        run_async = content.count(b"\n") > settings.STAFF_IMPORT_ASYNC_ROWS
    if run_async:
        from .tasks import staff_import_run_task

        job_enqueue(
            staff_import_run_task,
            job,
            _(
                "バックグラウンド処理のサービスに接続できなかったため、取込を開始していません。"
                "しばらくしてから、もう一度取り込んでください。"
            ),
        )
    else:
        staff_import_job_run(job_id=job.pk)
        job.refresh_from_db()
    return job


def staff_import_job_run(*, job_id: int) -> None:
    """Run a queued import once; a finished job is left alone, so a retried task changes nothing twice.

    Progress is reported after every batch of rows (``BATCH``, ``lms_site.jobs``): the rows are written in
    one transaction, so other processes see it through the cache until the import commits. The stored
    file is held once (``_stored_content``) and parsed row by row from it.
    """
    with transaction.atomic():
        job = StaffImport.objects.select_for_update().defer("content").get(pk=job_id)
        if job.finished:
            return
        content = _stored_content(job_id)
        job_update(job, status=JobStatus.RUNNING, total_rows=max(content.count(b"\n") - 1, 0))

    outcome = staff_import(
        municipality=job.municipality,
        content=content,
        effective_date=job.effective_date,
        retire_missing=job.retire_missing,
        progress=lambda done: job_progress_report(job, done=done),
    )
    del content
    job_finish(
        job,
        failure=None if outcome.ok else outcome.errors[0],
        summary=outcome.as_dict(),
        errors=outcome.errors,
    )


def _stored_content(job_id: int) -> bytes:
    """A job's stored file. On PostgreSQL fetched in the binary format: in the text format a ``bytea``
    comes as hex, twice its size, and is unescaped, so a 30 MB file took 150 MB at once. Called inside
    the transaction whose ORM query just read the job in this scope, so row-level security's settings
    are the ones that query wrote (a driver's cursor is used directly, for ``binary=True``)."""
    if connection.vendor != "postgresql":
        return bytes(StaffImport._base_manager.filter(pk=job_id).values_list("content", flat=True).get())
    quote = connection.ops.quote_name
    table, column = quote(StaffImport._meta.db_table), quote(StaffImport._meta.get_field("content").column)
    import psycopg  # PostgreSQL only: a cursor with server-side parameters, which binary results need

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [job_id], binary=True)  # noqa: S608
        return bytes(cursor.fetchone()[0])


def department_import(*, municipality: Municipality, content: bytes) -> ImportOutcome:
    """Create or update the department tree from a department CSV, all or nothing."""
    rows, problems = department_csv.parse(content)
    if not rows and problems:
        return ImportOutcome.refused(problems)
    existing = {d.code: d for d in Department.objects.filter(municipality=municipality)}
    problems += department_csv.check_tree(rows, existing_kinds={code: d.kind for code, d in existing.items()})
    if problems:
        return ImportOutcome.refused(problems)

    outcome = ImportOutcome()
    with transaction.atomic():
        for row in rows:
            department = existing.get(row.code)
            parent = existing.get(row.parent_code) if row.parent_code else None
            if department is None:
                fields = {
                    "municipality": municipality,
                    "code": row.code,
                    "name": row.name,
                    "name_en": row.name_en,
                    "kind": row.kind,
                }
                department = parent.add_child(**fields) if parent else Department.add_root(**fields)
                existing[row.code] = department
                outcome.created += 1
                continue
            if parent is not None and department.get_parent() != parent:
                department.move(parent, pos="sorted-child")
                department.refresh_from_db()
                outcome.moved += 1
            if (department.name, department.name_en, department.kind, department.is_active) != (
                row.name,
                row.name_en,
                row.kind,
                True,
            ):
                department.name, department.name_en, department.kind = row.name, row.name_en, row.kind
                department.is_active = True
                department.save()
                outcome.updated += 1
            else:
                outcome.unchanged += 1
    return outcome


def personal_data_access_log(
    *,
    viewer,
    view: str,
    parameters: dict | None = None,
    rows: int = 0,
    subject: StaffProfile | None = None,
    subject_user=None,
    municipality_id: int | None = None,
) -> PersonalDataAccess | None:
    """Record that ``viewer`` saw or exported personal data (ADR 0014); ``subject`` (or the staff profile
    of ``subject_user``) when the view is about one person. People seeing their own data are not logged.

    The row belongs to the municipality whose data was seen: the subject's, else ``municipality_id``,
    else the viewer's own (none for an administrator without a staff profile: only administrators see it).
    It is written in that municipality's scope, which row-level security checks the new row against: the
    viewer's own scope may not include it (an LMS instructor without a staff record, ADR 0023).
    """
    if subject_user is not None:
        if subject_user.pk == viewer.pk:
            return None
        subject = subject or profile_of(subject_user)
    if subject is not None and subject.user_id == viewer.pk:
        return None
    if subject is not None:
        municipality_id = subject.municipality_id
    elif municipality_id is None:  # the viewer's staff record: loaded with the signed-in user, no query
        own = profile_of(viewer)
        municipality_id = own.municipality_id if own is not None else None
    with municipality_scope(municipality_id) if municipality_id is not None else nullcontext():
        return PersonalDataAccess.objects.create(
            viewer=viewer,
            subject=subject,
            municipality_id=municipality_id,
            view=view[:50],
            parameters=parameters or {},
            rows=rows,
        )

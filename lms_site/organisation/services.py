"""Writes to the organisation: staff imports, rotations and the department tree."""

import datetime
import logging
from collections.abc import Callable
from contextlib import nullcontext

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms_site.imports import ImportOutcome, Line, Problem
from lms_site.jobs import JobStatus, job_enqueue, job_finish, job_progress_report, job_update

from . import department_csv, staff_csv
from .leavers import has_left, user_rehire, user_retire
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

__all__ = ["ImportOutcome"]  # re-exported: what staff_import and department_import return


def staff_username(*, municipality: Municipality, employee_number: str) -> str:
    return f"{municipality.code}-{employee_number}"


def staff_import(
    *,
    municipality: Municipality,
    content: bytes,
    effective_date: datetime.date,
    retire_missing: bool = False,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Validate the whole file, then write it in one transaction; any problem means nothing is written.

    Re-importing the same file changes nothing. A person whose department differs from their current one
    gets a new assignment from ``effective_date``; the previous one ends the day before. With
    ``retire_missing`` (the file is a full export), active staff absent from the file retire the day before.
    """
    rows, problems = staff_csv.parse(content, current_year=timezone.localdate().year)
    if not rows:
        return ImportOutcome.refused(problems)
    departments = {d.code: d for d in Department.objects.filter(municipality=municipality, is_active=True)}
    profiles = {
        p.employee_number: p
        for p in StaffProfile.objects.filter(municipality=municipality).select_related("user")
    }
    current = {
        a.staff_id: a
        for a in Assignment.objects.filter(staff__municipality=municipality, ends_on__isnull=True)
    }
    email_owners = dict(
        User.objects.exclude(email="")
        .filter(staff_profile__municipality=municipality)
        .values_list("email", "staff_profile__employee_number")
    )
    numbers_in_file = {row.employee_number for row in rows}
    for row in rows:
        problems += _row_conflicts(
            row,
            departments=departments,
            profiles=profiles,
            current=current,
            email_owners=email_owners,
            numbers_in_file=numbers_in_file,
            effective_date=effective_date,
        )
    if problems:
        return ImportOutcome.refused(sorted(problems, key=lambda p: p.line))

    outcome = ImportOutcome()
    learners = role_group(Role.LEARNER)
    with transaction.atomic():
        for index, row in enumerate(rows, start=1):
            _apply_row(
                row,
                municipality=municipality,
                department=departments[row.department_code],
                profile=profiles.get(row.employee_number),
                current=current,
                effective_date=effective_date,
                learners=learners,
                outcome=outcome,
            )
            if progress and index % 200 == 0:
                progress(index)
        if retire_missing:
            outcome.retired = _retire_missing(profiles, numbers_in_file, current, effective_date)
        if outcome.created or outcome.updated or outcome.moved or outcome.retired:
            staff_changed_send(municipality_id=municipality.pk, on=effective_date)
    if progress:
        progress(len(rows))
    return outcome


def _retire_missing(profiles, numbers_in_file, current, effective_date) -> int:
    leaving = [p for number, p in profiles.items() if number not in numbers_in_file and p.is_active]
    for profile in leaving:
        assignment = current.get(profile.pk)
        if assignment is not None:
            assignment.ends_on = max(effective_date - datetime.timedelta(days=1), assignment.starts_on)
            assignment.save(update_fields=["ends_on"])
        profile.is_active = False
        profile.save(update_fields=["is_active"])
        user_retire(profile.user)
    return len(leaving)


def _row_conflicts(
    row,
    *,
    departments,
    profiles,
    current,
    email_owners,
    numbers_in_file,
    effective_date,
) -> list[Problem]:
    """Problems a row has with what the database already holds."""
    problems = []
    department = departments.get(row.department_code)
    if department is None:
        problems.append(
            Problem(
                Line(row.line),
                _("所属コード %(code)s は登録されていないか、廃止されています。")
                % {"code": row.department_code},
            )
        )
    owner = email_owners.get(row.email)
    if row.email and owner not in (None, row.employee_number) and owner not in numbers_in_file:
        problems.append(
            Problem(
                Line(row.line),
                _("メールアドレスは職員番号 %(number)s の職員が使用しています。") % {"number": owner},
            )
        )
    profile = profiles.get(row.employee_number)
    assignment = current.get(profile.pk) if profile else None
    if (
        assignment
        and department
        and department.pk != assignment.department_id
        and effective_date < assignment.starts_on
    ):
        problems.append(
            Problem(
                Line(row.line),
                _("発令日 %(date)s が現在の所属の開始日 %(start)s より前です。")
                % {"date": effective_date, "start": assignment.starts_on},
            )
        )
    return problems


def _apply_row(row, *, municipality, department, profile, current, effective_date, learners, outcome) -> None:
    values = {name: getattr(row, name) for name in PROFILE_FIELDS}
    if profile is None:
        user = User.objects.create_user(
            username=staff_username(municipality=municipality, employee_number=row.employee_number),
            email=row.email,
            first_name=row.given_name,
            last_name=row.family_name,
        )
        user.groups.add(learners)
        profile = StaffProfile.objects.create(
            user=user, municipality=municipality, employee_number=row.employee_number, **values
        )
        Assignment.objects.create(staff=profile, department=department, starts_on=effective_date)
        outcome.created += 1
        return

    changed = False
    if not profile.is_active or (current.get(profile.pk) is None and has_left(profile.user)):
        # Back after leaving (retired, or their last assignment ended): the learner role only (ADR 0013).
        user_rehire(profile.user, learners=learners)
    if any(getattr(profile, name) != value for name, value in values.items()) or not profile.is_active:
        for name, value in values.items():
            setattr(profile, name, value)
        profile.is_active = True
        profile.save()
        changed = True
    user = profile.user
    if (user.email, user.first_name, user.last_name) != (row.email, row.given_name, row.family_name):
        user.email, user.first_name, user.last_name = row.email, row.given_name, row.family_name
        user.save(update_fields=["email", "first_name", "last_name"])
        changed = True

    assignment = current.get(profile.pk)
    if assignment is None:
        Assignment.objects.create(staff=profile, department=department, starts_on=effective_date)
        outcome.moved += 1
    elif assignment.department_id != department.pk:
        if assignment.starts_on == effective_date:
            # A correction on the day itself: the assignment was wrong, not a move.
            assignment.department = department
            assignment.save(update_fields=["department"])
        else:
            assignment.ends_on = effective_date - datetime.timedelta(days=1)
            assignment.save(update_fields=["ends_on"])
            Assignment.objects.create(staff=profile, department=department, starts_on=effective_date)
        outcome.moved += 1
    elif changed:
        outcome.updated += 1
    else:
        outcome.unchanged += 1


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

    Progress is reported every 200 rows (``lms_site.jobs``): the rows are written in one transaction, so
    other processes see it through the cache until the import commits.
    """
    with transaction.atomic():
        job = StaffImport.objects.select_for_update().get(pk=job_id)
        if job.finished:
            return
        job_update(job, status=JobStatus.RUNNING, total_rows=max(bytes(job.content).count(b"\n") - 1, 0))

    outcome = staff_import(
        municipality=job.municipality,
        content=bytes(job.content),
        effective_date=job.effective_date,
        retire_missing=job.retire_missing,
        progress=lambda done: job_progress_report(job, done=done),
    )
    job_finish(
        job,
        failure=None if outcome.ok else outcome.errors[0],
        summary=outcome.as_dict(),
        errors=outcome.errors,
    )


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
    elif municipality_id is None:
        municipality_id = (
            StaffProfile.objects.filter(user_id=viewer.pk).values_list("municipality_id", flat=True).first()
        )
    with municipality_scope(municipality_id) if municipality_id is not None else nullcontext():
        return PersonalDataAccess.objects.create(
            viewer=viewer,
            subject=subject,
            municipality_id=municipality_id,
            view=view[:50],
            parameters=parameters or {},
            rows=rows,
        )

"""Writes of the analytics app: snapshots (idempotent), snapshot runs with progress, the audit log."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from lms_site.jobs import JobStatus, job_enqueue, job_finish, job_progress_report, job_update
from lms_site.organisation.api import Department, Municipality, PersonalDataAccess
from lms_site.organisation.api import personal_data_access_log as organisation_access_log

from . import selectors, stack_cache
from .models import (
    CoverageSnapshot,
    DepartmentSnapshot,
    DevelopmentTarget,
    SnapshotRun,
)

BATCH = 5000


def snapshot_take(
    *, municipality_id: int | None, on: datetime.date, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Store per-department counts and level distributions for ``on``: of one municipality, or of every
    municipality (``None``) in one pass — two aggregate queries read everything, then each municipality's
    rows are written in their own transaction. ``progress(done, total)`` is called after each step.

    Safe to run twice: the day's rows are replaced. Keeps one snapshot per municipality and month, the
    latest: older snapshots of the same month are removed when this one is stored.
    """
    report = progress or (lambda done, total: None)
    departments = selectors.people_rows(on=on, municipality_id=municipality_id)
    levels = selectors.level_distribution_rows(on=on, municipality_id=municipality_id)
    owners = Department.objects.all()
    if municipality_id is not None:
        owners = owners.filter(municipality_id=municipality_id)
    owner = dict(owners.values_list("pk", "municipality_id"))
    municipalities = sorted(set(owner.values()) | ({municipality_id} if municipality_id else set()))
    total = 1 + len(municipalities)
    report(1, total)
    department_rows: dict[int, list] = defaultdict(list)
    for row in departments:
        department_rows[owner[row["department_id"]]].append(row)
    level_rows: dict[int, list] = defaultdict(list)
    for row in levels:
        level_rows[owner[row[0]]].append(row)
    for done, municipality in enumerate(municipalities, start=2):
        _snapshot_write(municipality, on, department_rows[municipality], level_rows[municipality])
        report(done, total)
    return {
        "municipalities": len(municipalities),
        "departments": len(departments),
        "coverage_rows": len(levels),
    }


@transaction.atomic
def _snapshot_write(municipality_id: int, on: datetime.date, departments: list[dict], levels: list) -> None:
    month_start = on.replace(day=1)
    for model in (DepartmentSnapshot, CoverageSnapshot):
        model.objects.filter(
            municipality_id=municipality_id, taken_on__gte=month_start, taken_on__lte=on
        ).delete()
    DepartmentSnapshot.objects.bulk_create(
        [DepartmentSnapshot(municipality_id=municipality_id, taken_on=on, **row) for row in departments],
        batch_size=BATCH,
    )
    for start in range(0, len(levels), BATCH):
        CoverageSnapshot.objects.bulk_create(
            [
                CoverageSnapshot(
                    municipality_id=municipality_id,
                    taken_on=on,
                    department_id=department_id,
                    competency_id=competency_id,
                    level=level,
                    people=people,
                )
                for department_id, competency_id, level, people in levels[start : start + BATCH]
            ]
        )
    stack_cache.snapshots_changed(municipality_id)


def snapshot_run_create(*, municipality: Municipality | None, on: datetime.date, user=None) -> SnapshotRun:
    """Record a run and queue its task after commit (eager without a broker). If the broker cannot take
    the task, the run is marked failed (and the returned object says so when there was no transaction)."""
    from .tasks import snapshot_run_task

    run = SnapshotRun.objects.create(municipality=municipality, taken_on=on, requested_by=user)
    job_enqueue(
        snapshot_run_task,
        run,
        _(
            "バックグラウンド処理のサービスに接続できなかったため、集計を開始していません。"
            "しばらくしてから、もう一度お試しください。"
        ),
    )
    return run


def snapshot_run_execute(*, run_id: int) -> SnapshotRun | None:
    """Take the run's snapshot (its municipality, or all of them), reporting progress as it goes.

    Idempotent: a run already done is left alone; a redelivered run re-takes the same day's snapshots,
    which replace themselves.
    """
    run = SnapshotRun.objects.filter(pk=run_id).first()
    if run is None or run.status == JobStatus.DONE:
        return run
    job_update(run, status=JobStatus.RUNNING, done_steps=0)
    try:
        snapshot_take(
            municipality_id=run.municipality_id,
            on=run.taken_on,
            progress=lambda done, total: job_progress_report(run, done=done, total=total),
        )
    except Exception as exc:
        job_finish(run, failure=str(exc))
        raise
    job_finish(run)
    run.refresh_from_db()
    return run


def personal_data_access_log(
    *, user, view: str, parameters: dict, rows: int, municipality_id: int | None = None
) -> PersonalDataAccess:
    """Record that ``user`` saw personal data (names, or counts of fewer than five people); the log lives
    in the organisation app (ADR 0014), in the municipality whose data was seen (``municipality_id``, the
    viewer's own by default)."""
    return organisation_access_log(
        viewer=user, view=view, parameters=parameters, rows=rows, municipality_id=municipality_id
    )


@transaction.atomic
def targets_save(*, municipality_id: int, fiscal_year: int, rows: dict[int, dict]) -> int:
    """Set the year's targets: ``rows`` maps department id to {leaders, basic_share} or None (no target).
    Departments outside the municipality are ignored. Returns how many targets exist afterwards.
    """
    allowed = set(Department.objects.filter(municipality_id=municipality_id).values_list("pk", flat=True))
    clear = [pk for pk, row in rows.items() if row is None and pk in allowed]
    DevelopmentTarget.objects.filter(fiscal_year=fiscal_year, department_id__in=clear).delete()
    for pk, row in rows.items():
        if row is None or pk not in allowed:
            continue
        DevelopmentTarget.objects.update_or_create(
            department_id=pk,
            fiscal_year=fiscal_year,
            defaults={"leaders": row.get("leaders") or 0, "basic_share": row.get("basic_share") or 0},
        )
    return DevelopmentTarget.objects.filter(
        fiscal_year=fiscal_year, department__municipality_id=municipality_id
    ).count()

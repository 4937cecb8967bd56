"""Writes of the analytics app: snapshots (idempotent), snapshot runs with progress, the audit log."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from lms_site.organisation.models import Department, Municipality

from . import selectors
from .models import (
    CoverageSnapshot,
    DepartmentSnapshot,
    DevelopmentTarget,
    PersonalDataAccess,
    SnapshotRun,
    SnapshotStatus,
)

BATCH = 5000


@transaction.atomic
def snapshot_take(*, municipality_id: int, on: datetime.date) -> dict[str, int]:
    """Store the municipality's per-department counts and level distributions for ``on``.

    Safe to run twice: the day's rows are replaced. Keeps one snapshot per month, the latest: older
    snapshots of the same month are removed once this one is stored. Two aggregate queries read the data.
    """
    departments = selectors.people_rows(on=on, municipality_id=municipality_id)
    levels = selectors.level_distribution_rows(on=on, municipality_id=municipality_id)
    month_start = on.replace(day=1)
    for model in (DepartmentSnapshot, CoverageSnapshot):
        model.objects.filter(
            municipality_id=municipality_id, taken_on__gte=month_start, taken_on__lte=on
        ).delete()
    DepartmentSnapshot.objects.bulk_create(
        [DepartmentSnapshot(municipality_id=municipality_id, taken_on=on, **row) for row in departments],
        batch_size=BATCH,
    )
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
            for department_id, competency_id, level, people in levels
        ],
        batch_size=BATCH,
    )
    return {"departments": len(departments), "coverage_rows": len(levels)}


def snapshot_run_create(*, municipality: Municipality | None, on: datetime.date, user=None) -> SnapshotRun:
    """Record a run and queue its task after commit (eager without a broker)."""
    from .tasks import snapshot_run_task

    run = SnapshotRun.objects.create(municipality=municipality, taken_on=on, requested_by=user)
    transaction.on_commit(lambda: snapshot_run_task.delay(run.pk))
    return run


def snapshot_run_execute(*, run_id: int) -> SnapshotRun | None:
    """Take the run's snapshots, one municipality at a time, saving progress after each.

    Idempotent: a run already done is left alone; a redelivered run re-takes the same day's snapshots,
    which replace themselves.
    """
    run = SnapshotRun.objects.filter(pk=run_id).first()
    if run is None or run.status == SnapshotStatus.DONE:
        return run
    municipality_ids = (
        [run.municipality_id]
        if run.municipality_id
        else list(Municipality.objects.order_by("pk").values_list("pk", flat=True))
    )
    SnapshotRun.objects.filter(pk=run.pk).update(
        status=SnapshotStatus.RUNNING, total_steps=len(municipality_ids), done_steps=0
    )
    try:
        for done, municipality_id in enumerate(municipality_ids, start=1):
            snapshot_take(municipality_id=municipality_id, on=run.taken_on)
            SnapshotRun.objects.filter(pk=run.pk).update(done_steps=done)
    except Exception as exc:
        SnapshotRun.objects.filter(pk=run.pk).update(
            status=SnapshotStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    SnapshotRun.objects.filter(pk=run.pk).update(status=SnapshotStatus.DONE, finished_at=timezone.now())
    run.refresh_from_db()
    return run


def personal_data_access_log(*, user, view: str, parameters: dict, rows: int) -> PersonalDataAccess:
    """Record that ``user`` saw personal data (names, or counts of fewer than five people)."""
    return PersonalDataAccess.objects.create(user=user, view=view, parameters=parameters, rows=rows)


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

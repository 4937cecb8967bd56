"""Writes of the analytics app: snapshots (idempotent), snapshot runs with progress, the audit log."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import connections, router, transaction
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


def snapshot_take(
    *, municipality_id: int | None, on: datetime.date, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Store per-department counts and level distributions for ``on``: of one municipality, or of every
    municipality (``None``) one after another, each in its own transaction. ``progress(done, total)`` is
    called after each step. (The nightly task queues one run per municipality instead, for the workers to
    take in parallel: ``snapshot_runs_nightly``.)

    Safe to run twice: the day's rows are replaced. Keeps one snapshot per municipality and month, the
    latest: older snapshots of the same month are removed when this one is stored.
    """
    report = progress or (lambda done, total: None)
    if municipality_id is not None:
        municipalities = [municipality_id]
    else:
        municipalities = sorted(
            set(Department.objects.order_by().values_list("municipality_id", flat=True).distinct())
        )
    total = 1 + len(municipalities)
    report(1, total)
    counted = {"municipalities": len(municipalities), "departments": 0, "coverage_rows": 0}
    for done, municipality in enumerate(municipalities, start=2):
        departments, levels = _snapshot_write(municipality, on)
        counted["departments"] += departments
        counted["coverage_rows"] += levels
        report(done, total)
    return counted


@transaction.atomic
def _snapshot_write(municipality_id: int, on: datetime.date) -> tuple[int, int]:
    """Replace the month's snapshot of one municipality by ``on``'s: each table filled by one
    ``INSERT … SELECT`` of its aggregate query, so no row passes through Python (a city's 6,000 level rows
    took a second as model instances). Returns the rows written to each table."""
    month_start = on.replace(day=1)
    for model in (DepartmentSnapshot, CoverageSnapshot):
        # One statement: QuerySet.delete() would read every row to send its delete signals (nothing
        # listens for snapshots; the cache is told below), two thirds of a city's snapshot.
        _delete_where(model, municipality_id=municipality_id, since=month_start, until=on)
    constants = {"municipality_id": municipality_id, "taken_on": on}
    departments = _insert_select(
        DepartmentSnapshot,
        constants,
        ["department_id", *selectors.PEOPLE_COLUMNS],
        selectors.people_counts(on=on, municipality_id=municipality_id),
    )
    levels = _insert_select(
        CoverageSnapshot,
        constants,
        ["department_id", "competency_id", "level", "people"],
        selectors.level_distribution(on=on, municipality_id=municipality_id),
    )
    stack_cache.snapshots_changed(municipality_id)
    return departments, levels


def _delete_where(model, *, municipality_id: int, since: datetime.date, until: datetime.date) -> None:
    connection = connections[router.db_for_write(model)]
    table = connection.ops.quote_name(model._meta.db_table)
    statement = f"DELETE FROM {table} WHERE municipality_id = %s AND taken_on BETWEEN %s AND %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, [municipality_id, since, until])


def _insert_select(model, constants: dict, columns: list[str], query) -> int:
    """``INSERT INTO model (constants…, columns…) SELECT constant values, the query's columns``; the
    query's columns must come in the order of ``columns``."""
    connection = connections[query.db]
    quote = connection.ops.quote_name
    names = [*constants, *columns]
    sql, params = query.query.sql_with_params()
    statement = "INSERT INTO {table} ({names}) SELECT {values}, q.* FROM ({query}) q".format(  # noqa: S608
        table=quote(model._meta.db_table),  # names quoted, values bound
        names=", ".join(quote(n) for n in names),
        values=", ".join(["%s"] * len(constants)),
        query=sql,
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*constants.values(), *params])
        return cursor.rowcount


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


@transaction.atomic
def snapshot_runs_nightly(*, on: datetime.date) -> list[SnapshotRun]:
    """Queue ``on``'s snapshot of every municipality with departments, one run (and task) each, after
    commit: the workers take them in parallel, and each task runs in its own municipality's scope (under
    row-level security it could read no other). A municipality whose snapshot of ``on`` is already
    queued, running or done (HR's 「今すぐ再計算」, or this task delivered twice) is left alone.

    Called platform-wide (the beat's task): it reads which municipalities there are.
    """
    from .tasks import snapshot_run_task

    owners = set(Department.objects.order_by().values_list("municipality_id", flat=True).distinct())
    taken = set(
        SnapshotRun.objects.filter(taken_on=on, municipality_id__in=owners)
        .exclude(status=JobStatus.FAILED)
        .values_list("municipality_id", flat=True)
    )
    runs = SnapshotRun.objects.bulk_create(
        [SnapshotRun(municipality_id=m, taken_on=on) for m in sorted(owners - taken)]
    )
    for run in runs:
        job_enqueue(
            snapshot_run_task,
            run,
            _(
                "バックグラウンド処理のサービスに接続できなかったため、集計を開始していません。"
                "しばらくしてから、もう一度お試しください。"
            ),
        )
    return runs


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

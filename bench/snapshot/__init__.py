"""The nightly snapshot on real Celery workers, against hand-written per-municipality aggregates.

``python -m bench --suite snapshot [--staff 30000] [--concurrency 2] [--database-url postgres://…]
[--reuse-data] [--no-one-pass] [--nights 2]`` (``--reuse-data``: keep the synthetic data if the database
holds that size, see the analytics suite; ``--no-one-pass`` skips (c), ``--nights 1`` times the first
night: at national scale each is a quarter of an hour, and 1,000 runs amortise a process's first query).
For each size it loads synthetic staff (``fixtures.synthetic``: 3,000 people a municipality) into the
benchmark's own PostgreSQL database, starts a Celery worker with production settings on a queue of its
own (Redis, which must be up), then times, on the same data:

(a) the project: ``analytics.snapshot_nightly`` sent through the broker; it queues one run per
    municipality, which the worker's processes take in parallel, each in its municipality's scope, reading
    that municipality's counts and replacing its snapshot of the month. Timed from sending the task
    until every run is done, on the second of two nights (the first warms the worker's processes).
(b) the baseline: for each municipality in turn, the two hand-written aggregate queries that give the same
    numbers (per department: headcount, leaders, basic, enrolled, active, completed, certified; per
    department × competency × level: people), read only, no writes; the sum of their times.
(c) for reference, the platform-wide pass in this process (``snapshot_take(municipality_id=None)``: two
    aggregate queries over everyone before 2026-12-06, now each municipality in turn), run first: its
    rows are there for (a) to replace, as each night replaces the month's snapshot of the night before.

It checks that the stored snapshots equal (b)'s rows, then prints ``snapshot staff=N municipalities=M
workers_s=… sql_sum_s=… ratio=… one_pass_s=…`` (ratio = (a) ÷ (b); goal ≤ 2) and appends it to
``bench/results/snapshot-<date>.txt`` with the machine and its load.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.analytics import DEFAULT_URL, database_ensure, record_lines, synthetic_load

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379"

PEOPLE_SQL = """
WITH here AS (
    SELECT a.department_id, s.user_id
      FROM organisation_assignment a
      JOIN organisation_staffprofile s ON s.id = a.staff_id
     WHERE s.municipality_id = %(municipality)s
       AND a.starts_on <= %(day)s AND (a.ends_on IS NULL OR a.ends_on >= %(day)s)
), cert AS (
    SELECT c.user_id, bool_or(p.code = %(leader)s) AS leader, bool_or(p.code = ANY(%(basic)s)) AS basic
      FROM certification_certificate c
      JOIN certification_certificationprogram p ON p.id = c.program_id
     WHERE c.user_id IN (SELECT user_id FROM here) AND c.issued_on <= %(day)s
       AND (c.revoked_at IS NULL OR c.revoked_at >= %(end)s)
       AND (c.expires_on IS NULL OR c.expires_on >= %(day)s)
     GROUP BY c.user_id
), enrolment AS (
    SELECT e.user_id, bool_or(e.enrolled_at < %(end)s) AS enrolled, bool_or(e.completed_at < %(end)s) AS done
      FROM courses_enrollment e
     WHERE e.user_id IN (SELECT user_id FROM here)
     GROUP BY e.user_id
), active AS (
    SELECT DISTINCT l.user_id
      FROM courses_lessoncompletion l
     WHERE l.user_id IN (SELECT user_id FROM here)
       AND l.completed_at < %(end)s AND l.completed_at >= %(active_from)s
)
SELECT h.department_id, COUNT(*), COUNT(*) FILTER (WHERE cert.leader), COUNT(*) FILTER (WHERE cert.basic),
       COUNT(*) FILTER (WHERE enrolment.enrolled), COUNT(active.user_id),
       COUNT(*) FILTER (WHERE enrolment.done), COUNT(cert.user_id)
  FROM here h
  LEFT JOIN cert ON cert.user_id = h.user_id
  LEFT JOIN enrolment ON enrolment.user_id = h.user_id
  LEFT JOIN active ON active.user_id = h.user_id
 GROUP BY h.department_id
"""
LEVELS_SQL = """
SELECT a.department_id, cl.competency_id, cl.level, COUNT(*)
  FROM certification_competencylevel cl
  JOIN organisation_staffprofile s ON s.user_id = cl.user_id
  JOIN organisation_assignment a ON a.staff_id = s.id
 WHERE s.municipality_id = %(municipality)s AND cl.competency_id = ANY(%(competencies)s)
   AND a.starts_on <= %(day)s AND (a.ends_on IS NULL OR a.ends_on >= %(day)s)
 GROUP BY 1, 2, 3
"""


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench --suite snapshot")
    parser.add_argument(
        "--staff", action="append", default=None, help="people (repeatable); 30000 by default"
    )
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2, help="worker processes")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reuse-data", action="store_true", help="keep the synthetic data of that size")
    parser.add_argument("--no-one-pass", action="store_true", help="skip (c), the platform-wide pass")
    parser.add_argument("--nights", type=int, default=2, choices=(1, 2), help="time the last of these")
    args, _unknown = parser.parse_known_args(argv)
    args.sizes = [int(s) for v in (args.staff or ["30000"]) for s in str(v).split(",")]
    return args


def main(argv: list[str]) -> int:
    from bench.web import queue_drop, redis_up, server_env

    args = parse(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")) or not redis_up():
        print(
            "bench snapshot: needs PostgreSQL (--database-url) and Redis on 127.0.0.1:6379", file=sys.stderr
        )
        return 2
    database_ensure(args.database_url)
    worker_env = server_env(args.database_url)  # production settings; its broker and queue are ours too
    os.environ.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="lms_site.settings.test",
        CELERY_BROKER_URL=worker_env["CELERY_BROKER_URL"],
        CELERY_TASK_DEFAULT_QUEUE=worker_env["CELERY_TASK_DEFAULT_QUEUE"],
    )
    import django

    django.setup()
    from django.core.management import call_command

    from lms_site.celery import app
    from lms_site.organisation.tenancy import platform_wide

    call_command("migrate", verbosity=0, interactive=False)
    app.conf.task_always_eager = False  # (a) goes through the broker
    everywhere = platform_wide()  # the benchmark reads every municipality, as the nightly task does
    everywhere.__enter__()
    results = []
    try:
        for staff in args.sizes:
            result = run_size(
                staff,
                concurrency=args.concurrency,
                env=worker_env,
                reuse=args.reuse_data,
                one_pass_too=not args.no_one_pass,
                nights=args.nights,
            )
            results.append(result)
            print(line(result), flush=True)
    finally:
        queue_drop(worker_env["CELERY_TASK_DEFAULT_QUEUE"])
    record(results)
    return 0


def run_size(
    staff: int,
    *,
    concurrency: int,
    env: dict,
    reuse: bool = False,
    one_pass_too: bool = True,
    nights: int = 2,
) -> dict:
    synthetic_load(staff, reuse=reuse)
    municipalities = municipality_ids()
    sql_sum_s, expected_people, expected_levels = baseline(municipalities)

    one_pass_s = one_pass() if one_pass_too else None
    runs_clear()
    worker = worker_start(env, concurrency)
    try:
        # Two nights: the first is also each worker process's first database connection and first query
        # plans (a deployment's workers are long-lived); the second, replacing the first's rows, is (a).
        cold_s = nightly_on_workers(len(municipalities))
        workers_s = cold_s
        if nights == 2:
            runs_clear()
            workers_s = nightly_on_workers(len(municipalities))
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    stored_people, stored_levels = stored()
    if stored_people != expected_people or stored_levels != expected_levels:
        raise AssertionError("the snapshots the workers stored differ from the hand-written aggregates")
    return {
        "staff": staff,
        "municipalities": len(municipalities),
        "concurrency": concurrency,
        "workers_s": workers_s,
        "cold_s": cold_s,
        "sql_sum_s": sql_sum_s,
        "ratio": workers_s / sql_sum_s,
        "one_pass_s": one_pass_s,
        "department_rows": len(expected_people),
        "level_rows": len(expected_levels),
    }


def municipality_ids() -> list[int]:
    from lms_site.organisation.models import Department

    return sorted(set(Department.objects.order_by().values_list("municipality_id", flat=True).distinct()))


def today() -> datetime.date:
    """The nightly task's day (it snapshots today), so that all three read the same assignments."""
    from django.utils import timezone

    return timezone.localdate()


def baseline(municipalities: list[int]) -> tuple[float, dict, dict]:
    from django.db import connection

    from analytics import selectors

    day = today()
    end = selectors.day_end(day)
    competencies = [c["id"] for c in selectors.competencies_rows()]
    people, levels, total = {}, {}, 0.0
    with connection.cursor() as cursor:
        for municipality in municipalities:
            started = time.perf_counter()
            cursor.execute(
                PEOPLE_SQL,
                {
                    "municipality": municipality,
                    "day": day,
                    "end": end,
                    "active_from": end - datetime.timedelta(days=selectors.ACTIVE_DAYS),
                    "leader": selectors.LEADER,
                    "basic": list(selectors.BASIC_OR_ABOVE),
                },
            )
            people_rows = cursor.fetchall()
            cursor.execute(
                LEVELS_SQL, {"municipality": municipality, "day": day, "competencies": competencies}
            )
            level_rows = cursor.fetchall()
            total += time.perf_counter() - started
            people.update({row[0]: tuple(row[1:]) for row in people_rows})
            levels.update({tuple(row[:3]): row[3] for row in level_rows})
    return total, people, levels


def one_pass() -> float:
    from analytics import services

    started = time.perf_counter()
    services.snapshot_take(municipality_id=None, on=today())
    return time.perf_counter() - started


def runs_clear() -> None:
    """No run of today yet; (c)'s snapshot stays, for (a) to replace, as each night replaces the month's
    snapshot of the night before."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE analytics_snapshotrun")


def worker_start(env: dict, concurrency: int) -> subprocess.Popen:
    from lms_site.celery import app

    log = (ROOT / "var" / f"bench-snapshot-worker-{os.getpid()}.log").open("w")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lms_site",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "-Q",
            env["CELERY_TASK_DEFAULT_QUEUE"],
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 300  # a busy shared machine starts a worker slowly
    while True:  # every process up before the clock starts
        try:
            pongs = [
                app.send_task("lms_site.ping", queue=env["CELERY_TASK_DEFAULT_QUEUE"])
                for _ in range(concurrency)
            ]
            if all(p.get(timeout=10) == "pong" for p in pongs):
                return worker
        except Exception:
            if worker.poll() is not None or time.monotonic() > deadline:
                worker.terminate()  # not left behind, consuming nothing, when the run gives up
                worker.wait(timeout=60)
                raise RuntimeError(f"the benchmark's Celery worker did not start; see {log.name}") from None


def nightly_on_workers(municipalities: int) -> float:
    from analytics.models import SnapshotRun
    from analytics.tasks import snapshot_nightly
    from lms_site.jobs import JobStatus

    started = time.perf_counter()
    result = snapshot_nightly.delay()
    if result.get(timeout=600) != municipalities:
        raise AssertionError("the nightly task did not queue one run per municipality")
    while True:
        statuses = list(SnapshotRun.objects.values_list("status", flat=True))
        if JobStatus.FAILED in statuses:
            raise AssertionError("a snapshot run failed; see the worker's log in var/")
        if len(statuses) == municipalities and all(s == JobStatus.DONE for s in statuses):
            return time.perf_counter() - started
        time.sleep(0.05)


def stored() -> tuple[dict, dict]:
    from analytics.models import CoverageSnapshot, DepartmentSnapshot
    from analytics.selectors import PEOPLE_COLUMNS

    people = {
        row[0]: tuple(row[1:])
        for row in DepartmentSnapshot.objects.values_list("department_id", *PEOPLE_COLUMNS)
        if row[1]  # the hand-written query yields only departments with someone assigned
    }
    levels = {
        (d, c, level): n
        for d, c, level, n in CoverageSnapshot.objects.values_list(
            "department_id", "competency_id", "level", "people"
        )
    }
    return people, levels


def line(r: dict) -> str:
    return (
        f"snapshot staff={r['staff']} municipalities={r['municipalities']} concurrency={r['concurrency']} "
        f"workers_s={r['workers_s']:.2f} sql_sum_s={r['sql_sum_s']:.2f} ratio={r['ratio']:.2f} "
        f"one_pass_s={'skipped' if r['one_pass_s'] is None else format(r['one_pass_s'], '.2f')} "
        f"first_night_s={r['cold_s']:.2f}"
    )


def record(results: list[dict]) -> None:
    record_lines("snapshot", [line(r) for r in results])

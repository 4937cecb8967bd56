"""Coverage report benchmark: the project's report against one hand-written SQL query and a naive loop.

``python -m bench --suite analytics [--staff 3000 --staff 30000 | --staff 3000,30000]
[--database-url postgres://…] [--no-naive] [--reuse-data]``. For each size it loads synthetic staff
(``fixtures.synthetic``) into a dedicated PostgreSQL database (created and migrated here; SQLite is
refused: the numbers would say nothing about production), then times, side by side on the same data:

(a) ``analytics.reports.coverage_report`` for date D over the whole country (platform-wide, as the system
    administrator and the nightly task read): one aggregate query, pandas pivot and tree roll-up;
(b) one hand-written SQL query giving the same department × competency counts (and headcounts);
(c) a naive loop: two ORM queries per department.

It checks that (a), (b) and (c) give identical numbers, then prints
``coverage_report staff=N project_s=… sql_s=… naive_s=… ratio=… peak_mb=…`` (ratio = project ÷ sql; the
times are the best of three runs, the naive loop runs once; peak_mb is the peak Python heap, numpy and
pandas included, while (a) runs); a ``coverage_prefecture`` line: the same report in the scope of one
prefecture's municipalities (the first municipality's prefecture; ``municipality_scope``, as a query made
for the prefecture's municipalities reads) against the same SQL restricted to them, checked equal too; a
``dashboard`` line: the nightly snapshot of every municipality and /hr/ served from snapshots (server
time, median of five) for one municipality's HR user; and a ``prefecture`` line: the prefecture's view
(/pref/) against hand-written sums of the snapshots.
Results are appended to ``bench/results/analytics-<date>.json`` and ``.txt`` with the machine.

``--reuse-data`` keeps the synthetic data already in the database when it holds exactly that many staff
(loading 3,000,000 takes a quarter of an hour; the generator is deterministic, so the rows are the ones
a new load would make), emptying only what the suites themselves write (the snapshots and their runs).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dx_bench"
DEFAULT_SIZES = (3000, 30000)
REPORT_DAY = datetime.date(2026, 3, 31)  # before the 2026 rotation: people counted where they were then
LEVEL = 3
RESULTS = Path(__file__).resolve().parent.parent / "results"
ROOT = Path(__file__).resolve().parents[2]

SQL = """
SELECT a.department_id, cl.competency_id, COUNT(*)
  FROM certification_competencylevel cl
  JOIN organisation_staffprofile s ON s.user_id = cl.user_id
  JOIN organisation_assignment a ON a.staff_id = s.id
 WHERE a.starts_on <= %(day)s AND (a.ends_on IS NULL OR a.ends_on >= %(day)s)
   AND cl.level >= %(level)s AND cl.competency_id = ANY(%(competencies)s)
 GROUP BY a.department_id, cl.competency_id
UNION ALL
SELECT a.department_id, NULL, COUNT(*)
  FROM organisation_assignment a
 WHERE a.starts_on <= %(day)s AND (a.ends_on IS NULL OR a.ends_on >= %(day)s)
 GROUP BY a.department_id
"""
# The same counts for some municipalities' staff (the scope's filter: the staff record's municipality)
SQL_MUNICIPALITIES = """
SELECT a.department_id, cl.competency_id, COUNT(*)
  FROM certification_competencylevel cl
  JOIN organisation_staffprofile s ON s.user_id = cl.user_id
  JOIN organisation_assignment a ON a.staff_id = s.id
 WHERE a.starts_on <= %(day)s AND (a.ends_on IS NULL OR a.ends_on >= %(day)s)
   AND cl.level >= %(level)s AND cl.competency_id = ANY(%(competencies)s)
   AND s.municipality_id = ANY(%(municipalities)s)
 GROUP BY a.department_id, cl.competency_id
UNION ALL
SELECT a.department_id, NULL, COUNT(*)
  FROM organisation_assignment a
  JOIN organisation_staffprofile s ON s.id = a.staff_id
 WHERE a.starts_on <= %(day)s AND (a.ends_on IS NULL OR a.ends_on >= %(day)s)
   AND s.municipality_id = ANY(%(municipalities)s)
 GROUP BY a.department_id
"""
# Tables the synthetic data fills; emptied before each size (this database is the benchmark's own).
DATA_TABLES = [
    "analytics_coveragesnapshot",
    "analytics_departmentsnapshot",
    "analytics_developmenttarget",
    "analytics_snapshotrun",
    "organisation_personaldataaccess",
    "certification_certificate",
    "certification_competencylevel",
    "assessments_evidence",
    "organisation_assignment",
    "organisation_staffprofile",
    "organisation_department",
    "organisation_municipality",
    "auth_user",
]


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench --suite analytics", description=__doc__)
    parser.add_argument("--staff", action="append", help="staff count; repeatable or comma-separated")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--no-naive", action="store_true", help="skip the naive loop (slow at 300,000)")
    parser.add_argument(
        "--reuse-data", action="store_true", help="keep the synthetic data if the database holds that size"
    )
    args, _unknown = parser.parse_known_args(argv)  # the other suites' arguments pass through
    sizes = [int(p) for value in (args.staff or []) for p in value.replace("_", "").split(",") if p.strip()]
    args.sizes = sizes or list(DEFAULT_SIZES)
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        print(
            "bench analytics: needs PostgreSQL (--database-url postgres://…); SQLite timings would not "
            "say anything about production.",
            file=sys.stderr,
        )
        return 2
    database_ensure(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "lms_site.settings.test"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from lms_site.organisation.tenancy import platform_wide

    everywhere = platform_wide()  # the benchmark reads every municipality, as the nightly task does
    everywhere.__enter__()  # (kept referenced: a collected generator would leave the scope)
    results = []
    for staff in args.sizes:
        result = run_size(staff, naive=not args.no_naive, reuse=args.reuse_data)
        results.append(result)
        print(
            f"coverage_report staff={staff} project_s={result['project_s']:.3f} sql_s={result['sql_s']:.3f} "
            f"naive_s={result['naive_s'] if result['naive_s'] is None else round(result['naive_s'], 3)} "
            f"ratio={result['ratio']:.2f} peak_mb={result['peak_mb']:.1f}",
            flush=True,
        )
        print(coverage_prefecture_line(result), flush=True)
        print(
            f"dashboard staff={staff} municipalities={result['municipalities']} snapshot_all_s="
            f"{result['snapshot_all_s']:.2f} hr_page_server_ms={result['dashboard_ms']:.0f} "
            f"rss_mb={result['rss_mb']:.0f}",
            flush=True,
        )
        print(
            f"prefecture staff={staff} municipalities={result['prefecture_municipalities']} "
            f"project_s={result['prefecture_project_s']:.3f} sql_s={result['prefecture_sql_s']:.3f} "
            f"ratio={result['prefecture_ratio']:.2f}",
            flush=True,
        )
    record(results)
    return 0


def database_ensure(url: str) -> None:
    """Create the benchmark database if it does not exist (connecting to the server's ``postgres``)."""
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def data_reset() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE")


# Written by the suites themselves: emptied when the synthetic data is kept (``--reuse-data``).
SUITE_TABLES = DATA_TABLES[:4]


def synthetic_present(staff: int) -> bool:
    """Whether the database holds the synthetic load of ``staff`` people (and nobody else)."""
    from fixtures.synthetic import STAFF_PER_MUNICIPALITY
    from lms_site.organisation.models import Department, StaffProfile

    municipalities = max(1, round(staff / STAFF_PER_MUNICIPALITY))
    owners = Department.objects.order_by().values("municipality_id").distinct().count()
    return owners == municipalities and StaffProfile.objects.count() == staff


def synthetic_load(staff: int, *, reuse: bool = False) -> float | None:
    """Empty the benchmark's tables, load ``staff`` synthetic people in a child process (so that making
    them does not count in this one's memory), analyse; the seconds the loading took. With ``reuse``, when
    the database already holds that load, only the suites' own tables are emptied (``None``: not loaded)."""
    from django.db import connection

    if reuse and synthetic_present(staff):
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(SUITE_TABLES)} RESTART IDENTITY")
        return None
    data_reset()
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "fixtures.synthetic", "--staff", str(staff)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "lms_site.settings.test"},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    generated = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return generated


def machine() -> dict:
    """What the results were measured on, the load included (other work skews both sides alike)."""
    return {
        "host": platform.node(),
        "cpu": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "postgres": postgres_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def record_lines(suite: str, lines: list[str]) -> None:
    """Append ``lines`` under a heading (the time, the machine) to ``bench/results/<suite>-<date>.txt``."""
    RESULTS.mkdir(exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    with (RESULTS / f"{suite}-{now:%Y-%m-%d}.txt").open("a", encoding="utf-8") as handle:
        handle.write(f"# {now:%Y-%m-%d %H:%M} UTC, {machine()}\n")
        handle.writelines(line + "\n" for line in lines)


def run_size(staff: int, *, naive: bool, reuse: bool = False) -> dict:
    import resource

    from django.db import reset_queries

    generate_s = synthetic_load(staff, reuse=reuse)
    reset_queries()

    from analytics import reports, selectors

    competency_ids = [c["id"] for c in selectors.competencies_rows()]
    project = lambda: reports.coverage_report(on=REPORT_DAY, level=LEVEL, municipality_id=None)  # noqa: E731
    project()  # warm: imports, plans
    project_s, report = best_of(3, project)
    tracemalloc.start()
    project()
    peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    sql_s, sql_rows = best_of(3, lambda: hand_written_sql(competency_ids))
    naive_s, naive_counts = (None, None)
    if naive:
        naive_s, naive_counts = best_of(1, lambda: naive_loop(competency_ids))

    expected = {(d, c): n for d, c, n in sql_rows}
    got = report_counts(report)
    if got != expected:
        raise AssertionError(
            f"project and SQL differ on {len(set(got.items()) ^ set(expected.items()))} cells"
        )
    if naive_counts is not None and naive_counts != expected:
        raise AssertionError("naive loop and SQL differ")

    scoped = coverage_prefecture_timing(competency_ids)
    snapshot_all_s, dashboard_ms, municipalities = dashboard_timing()
    pref = prefecture_timing()
    return {
        **scoped,
        **pref,
        "staff": staff,
        "municipalities": municipalities,
        "report_day": REPORT_DAY.isoformat(),
        "level": LEVEL,
        "generate_s": None if generate_s is None else round(generate_s, 1),
        "project_s": project_s,
        "sql_s": sql_s,
        "naive_s": naive_s,
        "ratio": project_s / sql_s,
        "peak_mb": peak_mb,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "snapshot_all_s": snapshot_all_s,
        "dashboard_ms": dashboard_ms,
        "cells": len(expected),
    }


def best_of(runs: int, function):
    best, result = None, None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def hand_written_sql(competency_ids: list[int]) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(SQL, {"day": REPORT_DAY, "level": LEVEL, "competencies": competency_ids})
        return [(d, c if c is not None else "headcount", n) for d, c, n in cursor.fetchall()]


def coverage_prefecture_timing(competency_ids: list[int]) -> dict:
    """The coverage report of one prefecture's municipalities: ``coverage_report`` over every department
    in the scope of those municipalities (the first municipality's prefecture), against the hand-written
    query restricted to their staff; checked equal."""
    from django.db import connection

    from analytics import reports
    from lms_site.organisation.models import Municipality, MunicipalityKind
    from lms_site.organisation.tenancy import municipality_scope

    name = Municipality.objects.order_by("pk").values_list("prefecture", flat=True).first()
    ids = list(
        Municipality.objects.filter(prefecture=name)
        .exclude(kind=MunicipalityKind.PREFECTURE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )

    def project():
        with municipality_scope(ids):
            return reports.coverage_report(on=REPORT_DAY, level=LEVEL, municipality_id=None)

    def sql():
        with connection.cursor() as cursor:
            cursor.execute(
                SQL_MUNICIPALITIES,
                {"day": REPORT_DAY, "level": LEVEL, "competencies": competency_ids, "municipalities": ids},
            )
            return [(d, c if c is not None else "headcount", n) for d, c, n in cursor.fetchall()]

    project()
    project_s, report = best_of(3, project)
    sql_s, rows = best_of(3, sql)
    if report_counts(report) != {(d, c): n for d, c, n in rows}:
        raise AssertionError("the prefecture's coverage report and its SQL differ")
    return {
        "scoped_prefecture": name,
        "scoped_municipalities": len(ids),
        "scoped_project_s": project_s,
        "scoped_sql_s": sql_s,
        "scoped_ratio": project_s / sql_s,
    }


def coverage_prefecture_line(r: dict) -> str:
    return (
        f"coverage_prefecture staff={r['staff']} municipalities={r['scoped_municipalities']} "
        f"project_s={r['scoped_project_s']:.3f} sql_s={r['scoped_sql_s']:.3f} ratio={r['scoped_ratio']:.2f}"
    )


def report_counts(report) -> dict:
    """The report's per-department counts as {(department id, competency id | "headcount"): n}, non-zero."""
    by_code = {c["code"]: c["id"] for c in report.competencies}
    stacked = report.direct.stack()
    return {
        (int(department), by_code.get(column, "headcount")): int(n)
        for (department, column), n in stacked.items()
        if n
    }


def naive_loop(competency_ids: list[int]) -> dict:
    """What a first version might do: per department, one query for the headcount and one for the levels."""
    from django.db.models import Count, Q

    from assessments.certification.models import CompetencyLevel
    from lms_site.organisation.models import Assignment, Department

    counts = {}
    on = REPORT_DAY
    for department in Department.objects.all():
        headcount = Assignment.objects.on(on).filter(department=department).count()
        if headcount:
            counts[(department.pk, "headcount")] = headcount
        levels = (
            CompetencyLevel.objects.filter(
                Q(user__staff_profile__assignments__ends_on__isnull=True)
                | Q(user__staff_profile__assignments__ends_on__gte=on),
                user__staff_profile__assignments__starts_on__lte=on,
                user__staff_profile__assignments__department=department,
                level__gte=LEVEL,
                competency_id__in=competency_ids,
            )
            .values("competency_id")
            .annotate(n=Count("pk"))
        )
        for row in levels:
            counts[(department.pk, row["competency_id"])] = row["n"]
    return counts


def dashboard_timing() -> tuple[float, float, int]:
    """Take today's snapshot of every municipality, then time /hr/ for the first municipality's HR user."""
    from django.contrib.auth.models import Group
    from django.test import Client

    from analytics import services
    from analytics.models import SnapshotRun
    from lms_site.organisation.models import Municipality, StaffProfile
    from lms_site.organisation.roles import ROLES, Role

    today = datetime.date(2026, 11, 27)
    run = SnapshotRun.objects.create(municipality=None, taken_on=today)
    started = time.perf_counter()
    services.snapshot_run_execute(run_id=run.pk)
    snapshot_all_s = time.perf_counter() - started
    municipality = Municipality.objects.order_by("pk").first()
    profile = (
        StaffProfile.objects.filter(municipality=municipality).order_by("pk").select_related("user").first()
    )
    profile.user.groups.add(Group.objects.get(name=ROLES[Role.HR].group_name))
    client = Client()
    client.force_login(profile.user)
    timings = []
    for _ in range(6):
        started = time.perf_counter()
        response = client.get("/hr/", {"on": today.isoformat(), "level": LEVEL})
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"/hr/ answered {response.status_code}")
    return snapshot_all_s, statistics.median(timings[1:]), Municipality.objects.count()


PREFECTURE_SQL = """
SELECT s.municipality_id, date_trunc('month', s.taken_on)::date,
       SUM(s.headcount), SUM(s.leaders), SUM(s.basic), SUM(s.enrolled), SUM(s.active),
       SUM(s.completed), SUM(s.certified)
  FROM analytics_departmentsnapshot s
  JOIN organisation_municipality m ON m.id = s.municipality_id
 WHERE m.prefecture = %(prefecture)s AND m.kind <> 'prefecture' AND s.taken_on <= %(until)s
 GROUP BY 1, 2
"""
PREFECTURE_LEVELS_SQL = """
SELECT c.municipality_id, date_trunc('month', c.taken_on)::date, c.competency_id, c.level, SUM(c.people)
  FROM analytics_coveragesnapshot c
  JOIN organisation_municipality m ON m.id = c.municipality_id
 WHERE m.prefecture = %(prefecture)s AND m.kind <> 'prefecture' AND c.taken_on <= %(until)s
 GROUP BY 1, 2, 3, 4
"""


def prefecture_timing() -> dict:
    """The prefecture's view (/pref/'s three tables, suppression included) against two hand-written
    queries giving the same per-municipality month totals; the numbers are checked equal first."""
    from django.db import connection

    from analytics import prefecture, selectors
    from lms_site.organisation.models import Municipality, MunicipalityKind

    today = datetime.date(2026, 12, 3)  # November, with the snapshot dashboard_timing took, is closed
    name = Municipality.objects.order_by("pk").values_list("prefecture", flat=True).first()
    office, _ = Municipality.objects.get_or_create(
        code="990001", defaults={"name": name, "prefecture": name, "kind": MunicipalityKind.PREFECTURE}
    )
    until = prefecture.closed_until(today)

    def sql():
        with connection.cursor() as cursor:
            cursor.execute(PREFECTURE_SQL, {"prefecture": name, "until": until})
            people = cursor.fetchall()
            cursor.execute(PREFECTURE_LEVELS_SQL, {"prefecture": name, "until": until})
            return people, cursor.fetchall()

    run = lambda: prefecture.prefecture_report(prefecture=office, today=today)  # noqa: E731
    run()
    project_s, report = best_of(3, run)
    sql_s, (people, levels) = best_of(3, sql)
    ids = [m.pk for m in report.municipalities]
    months, _columns, values = prefecture._stack(ids, selectors.competencies_rows(), until)
    expected = {(m, month): list(counts) for m, month, *counts in people}
    for (municipality_id, month), counts in expected.items():
        got = values[months.index(month), ids.index(municipality_id) + 1, : len(counts)].tolist()
        if got != counts:
            raise AssertionError(f"prefecture view and SQL differ for {municipality_id} {month}")
    return {
        "prefecture_municipalities": len(ids),
        "prefecture_project_s": project_s,
        "prefecture_sql_s": sql_s,
        "prefecture_ratio": project_s / sql_s,
        "prefecture_level_rows": len(levels),
    }


def record(results: list[dict]) -> None:
    RESULTS.mkdir(exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    machine_now = machine()
    stem = RESULTS / f"analytics-{now:%Y-%m-%d}"
    with stem.with_suffix(".json").open("a", encoding="utf-8") as handle:
        for result in results:
            handle.write(
                json.dumps({"at": now.isoformat(timespec="seconds"), "machine": machine_now, **result}) + "\n"
            )
    with stem.with_suffix(".txt").open("a", encoding="utf-8") as handle:
        handle.write(f"# {now:%Y-%m-%d %H:%M} UTC, {machine_now}\n")
        for r in results:
            naive = "skipped" if r["naive_s"] is None else f"{r['naive_s']:.3f}"
            handle.write(
                f"coverage_report staff={r['staff']} project_s={r['project_s']:.3f} sql_s={r['sql_s']:.3f} "
                f"naive_s={naive} ratio={r['ratio']:.2f} peak_mb={r['peak_mb']:.1f}\n"
                f"{coverage_prefecture_line(r)}\n"
                f"dashboard staff={r['staff']} municipalities={r['municipalities']} "
                f"snapshot_all_s={r['snapshot_all_s']:.2f} hr_page_server_ms={r['dashboard_ms']:.0f} "
                f"rss_mb={r['rss_mb']:.0f} generate_s={r['generate_s'] or 'reused'}\n"
                f"prefecture staff={r['staff']} municipalities={r['prefecture_municipalities']} "
                f"project_s={r['prefecture_project_s']:.3f} sql_s={r['prefecture_sql_s']:.3f} "
                f"ratio={r['prefecture_ratio']:.2f}\n"
            )


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]

"""Everyone's levels recomputed (a framework change), against a set-based SQL recompute of the same rule.

``python -m bench --suite levels [--staff 30000] [--database-url postgres://…]``. For each size it loads
synthetic staff and their evidence (``fixtures.synthetic``) into the benchmark's own PostgreSQL database,
then times, on the same evidence:

(a) the project: ``manage.py recompute_levels``'s service, ``levels_recompute_all()`` (batches of 2,000
    people, each in one transaction: lock the people, read their verified evidence, apply the level rule
    of ``assessments.certification.levels``, write what changed);
(b) the baseline: one SQL statement applying the same rule to every person at once (the highest level any
    verified evidence supports, knowledge sources capped at level 2), upserted into the level table, and
    one deleting the rows no evidence supports any more.

Each is timed twice: ``rebuild``, from an empty level table (the table is stale for everyone: a new
framework version's competencies), and ``unchanged``, over a table that is already right (only reading and
comparing). The two results are checked equal, then ``levels staff=N case=… project_s=… sql_s=… ratio=…``
is printed (ratio = project ÷ SQL; goal ≤ 2) and appended to ``bench/results/levels-<date>.txt``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from bench.analytics import DEFAULT_URL, database_ensure, record_lines, synthetic_load

# The rule, written once more by hand as the baseline; the bench checks that both give the same rows.
SQL_UPSERT = """
INSERT INTO certification_competencylevel (user_id, competency_id, level, updated_at)
SELECT e.user_id, e.competency_id,
       MAX(CASE WHEN e.source = ANY(%(practice)s) THEN e.level ELSE LEAST(e.level, %(cap)s) END), now()
  FROM assessments_evidence e
 WHERE e.status = 'verified'
 GROUP BY e.user_id, e.competency_id
ON CONFLICT (user_id, competency_id) DO UPDATE
   SET level = EXCLUDED.level, updated_at = EXCLUDED.updated_at
 WHERE certification_competencylevel.level <> EXCLUDED.level
"""
SQL_DELETE = """
DELETE FROM certification_competencylevel cl
 WHERE NOT EXISTS (
       SELECT 1 FROM assessments_evidence e
        WHERE e.user_id = cl.user_id AND e.competency_id = cl.competency_id AND e.status = 'verified')
"""


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench --suite levels")
    parser.add_argument("--staff", action="append", default=None, help="people (repeatable); 30000 if none")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args, _unknown = parser.parse_known_args(argv)
    args.sizes = [int(s) for v in (args.staff or ["30000"]) for s in str(v).split(",")]
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        print("bench levels: needs PostgreSQL (--database-url postgres://…)", file=sys.stderr)
        return 2
    database_ensure(args.database_url)
    os.environ.update(DATABASE_URL=args.database_url, DJANGO_SETTINGS_MODULE="lms_site.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    from lms_site.organisation.tenancy import platform_wide

    call_command("migrate", verbosity=0, interactive=False)
    everywhere = platform_wide()  # the command runs over every municipality
    everywhere.__enter__()
    results = []
    for staff in args.sizes:
        for result in run_size(staff):
            results.append(result)
            print(line(result), flush=True)
    record(results)
    return 0


def run_size(staff: int) -> list[dict]:
    from django.db import connection

    synthetic_load(staff)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM assessments_evidence")
        evidence = cursor.fetchone()[0]
    results = []
    for case in ("rebuild", "unchanged"):
        project_s = best_of(2, lambda case=case: project(empty=case == "rebuild"))
        project_rows = level_rows()
        sql_s = best_of(2, lambda case=case: sql(empty=case == "rebuild"))
        if level_rows() != project_rows:
            raise AssertionError("the project's level table and the SQL recompute's differ")
        results.append(
            {
                "staff": staff,
                "evidence": evidence,
                "case": case,
                "rows": len(project_rows),
                "project_s": project_s,
                "sql_s": sql_s,
                "ratio": project_s / sql_s,
            }
        )
    return results


def empty_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE certification_competencylevel")


def project(*, empty: bool) -> float:
    from assessments.certification import services

    if empty:
        empty_table()
    started = time.perf_counter()
    services.levels_recompute_all()
    return time.perf_counter() - started


def sql(*, empty: bool) -> float:
    from django.db import connection, transaction

    from assessments.certification import levels

    if empty:
        empty_table()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            SQL_UPSERT,
            {"practice": sorted(levels.PRACTICE_SOURCES), "cap": levels.LEVEL_CAP_WITHOUT_PRACTICE},
        )
        cursor.execute(SQL_DELETE)
    return time.perf_counter() - started


def best_of(runs: int, measure) -> float:
    return min(measure() for _ in range(runs))


def level_rows() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT user_id, competency_id, level FROM certification_competencylevel")
        return {(u, c): level for u, c, level in cursor.fetchall()}


def line(r: dict) -> str:
    return (
        f"levels staff={r['staff']} evidence={r['evidence']} case={r['case']} rows={r['rows']} "
        f"project_s={r['project_s']:.2f} sql_s={r['sql_s']:.2f} ratio={r['ratio']:.2f}"
    )


def record(results: list[dict]) -> None:
    record_lines("levels", [line(r) for r in results])

"""Where a page's time goes: ``python -m bench.web.profile [--requests 40] [PAGE …]``.

Run after ``python -m bench --suite web`` has made its database (``dx_bench_web``, the demo loaded). In
the benchmark's production settings it requests each page in-process with Django's test client as its
persona (``bare``: the benchmark's plain Wagtail page, the baseline; ``me``: /me/ as demo-learner;
``me_cold``: /me/ as demo-learner with the learner cache missed on every request, as on the first view
after a change to the learner's records (a row of theirs rewritten before each request, outside the clock);
``hr``, ``hr_manager``, ``hr_reviewer``: /hr/ as HR, 所属長 and DX推進課; ``pref``: /pref/ as the
prefecture; ``api_completions``: the API's completions as HR; ``quiz_submit``: the submission of a fresh
attempt, one per request, each its own learner's, made before the clock starts): a few times unprofiled
(imports, caches, connections), then ``--requests`` times under pyinstrument. It prints per page the mean
time and the queries of one request, the profile's tree below the view and the heaviest functions. The
bench README records those before and after a change; nothing here is timed in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

PERSONAS = {
    "bare": ("/bench-bare/", "demo-learner"),
    "me": ("/me/", "demo-learner"),
    "me_cold": ("/me/", "demo-learner"),  # a row of the learner's rewritten before each request (not timed)
    "hr": ("/hr/", "demo-hr"),
    "hr_manager": ("/hr/", "demo-manager"),
    "hr_reviewer": ("/hr/", "demo-reviewer"),
    "pref": ("/pref/", "demo-pref"),
    "api_completions": ("/api/v1/completions/", "demo-hr"),
    "training_report": (None, "demo-hr"),  # the demo city's first training rule's report
    "quiz_submit": (None, "bench-submitter-*"),  # a fresh attempt submitted per request, as the web suite's
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.web.profile", description=__doc__)
    parser.add_argument("pages", nargs="*", default=list(PERSONAS), help=", ".join(PERSONAS))
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--depth", type=int, default=14, help="frames shown below the view (default 14)")
    parser.add_argument("--sql", action="store_true", help="also print the SQL of one request")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = set(args.pages) - set(PERSONAS)
    if unknown:
        parser.error(f"unknown page(s): {', '.join(sorted(unknown))}; known: {', '.join(PERSONAS)}")
    if not args.child:
        from bench.web import DEFAULT_URL, ROOT, server_env

        env = server_env(os.environ.get("BENCH_WEB_DATABASE_URL", DEFAULT_URL))
        return subprocess.run(
            [sys.executable, "-m", "bench.web.profile", "--child", *argv], cwd=ROOT, env=env
        ).returncode
    import django

    django.setup()
    for page in args.pages:
        profile(page, requests=args.requests, depth=args.depth, sql=args.sql)
    return 0


def profile(page: str, *, requests: int, depth: int, sql: bool = False) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from pyinstrument import Profiler

    from bench.web.prepare import session_for
    from lms_site.organisation.tenancy import platform_wide

    if page == "quiz_submit":
        submission_profile(requests=requests, depth=depth, sql=sql)
        return
    path, username = PERSONAS[page]
    if path is None:
        from bench.web.prepare import training_report_path

        with platform_wide():
            path = training_report_path()
    client = Client(HTTP_HOST="127.0.0.1")
    with platform_wide():
        user = get_user_model().objects.get(username=username)
        client.cookies["sessionid"] = session_for(user)
    if page == "me_cold":

        def before_each() -> None:
            learner_changed(user.pk)

    else:

        def before_each() -> None:
            pass

    for _ in range(3):
        before_each()
        status = client.get(path).status_code
        if status != 200:
            print(f"profile page={page} {path} as {username}: HTTP {status}; skipped")
            return
    queries = []
    before_each()
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        client.get(path)
    profiler = Profiler(interval=0.0005)
    if page == "me_cold":  # each request timed and profiled alone, the write before it outside
        elapsed = 0.0
        for _ in range(requests):
            before_each()
            profiler.start()
            started = time.perf_counter()
            client.get(path)
            elapsed += time.perf_counter() - started
            profiler.stop()
        mean_ms = elapsed / requests * 1000
    else:
        started = time.perf_counter()
        profiler.start()
        for _ in range(requests):
            client.get(path)
        profiler.stop()
        mean_ms = (time.perf_counter() - started) / requests * 1000
    report(
        profiler,
        page=page,
        path=path,
        username=username,
        mean_ms=mean_ms,
        queries=queries,
        depth=depth,
        sql=sql,
    )


def learner_changed(user_id: int) -> None:
    """``me_cold``: a real write to one of the learner's rows /me/'s content is made from (ADR 0009) — their
    staff record rewritten with its own values, in its own transaction: a new row version, as any change
    gives, so the next view's fingerprint differs and the content is rendered as on a first view after a
    change, by the same code; what the page shows is unchanged."""
    from django.db.models import F

    from lms_site.organisation.api import StaffProfile
    from lms_site.organisation.tenancy import platform_wide

    with platform_wide():
        written = StaffProfile._base_manager.filter(user_id=user_id).update(family_name=F("family_name"))
    if written != 1:
        raise SystemExit(f"me_cold: the learner {user_id} has {written} staff records, not one")


def report(profiler, *, page, path, username, mean_ms, queries, depth, sql) -> None:
    """Print the mean time and queries of one request, the tree below the view and the heaviest functions."""
    from pyinstrument.renderers import ConsoleRenderer

    summary = {
        "page": page,
        "path": path,
        "as": username,
        "mean_ms": round(mean_ms, 1),
        "queries": len(queries),
    }
    print(json.dumps(summary, ensure_ascii=False), flush=True)
    if sql:
        for number, statement in enumerate(queries, 1):
            print(f"  q{number}: {statement[:400]}")
    options = {"filter_threshold": 0.02}
    tree = profiler.output(ConsoleRenderer(unicode=True, time="percent_of_total", processor_options=options))
    print("\n".join(below_the_view(tree.splitlines(), depth) or tree.splitlines()))
    flat = profiler.output(ConsoleRenderer(unicode=True, flat=True, time="percent_of_total"))
    print("  heaviest functions (own time):")
    print("\n".join(["    " + line.strip() for line in flat.splitlines() if "%" in line][:12]), flush=True)


def submission_profile(*, requests: int, depth: int, sql: bool) -> None:
    """``quiz_submit``: as the web suite sends it (the form with its CSRF cookie and header, answered in
    part, ``action=submit``), each request a fresh attempt of its own learner, prepared beforehand."""
    from django.db import connection
    from django.test import Client
    from pyinstrument import Profiler

    from bench.web.prepare import quiz_submissions
    from lms_site.organisation.tenancy import platform_wide

    with platform_wide():
        prepared = quiz_submissions(requests + 4)

    def submit(spec: dict) -> int:
        client = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)
        client.cookies["sessionid"] = spec["session"]
        client.cookies["csrftoken"] = spec["csrf"]
        response = client.post(
            spec["path"],
            spec["body"],
            content_type="application/x-www-form-urlencoded",
            HTTP_X_CSRFTOKEN=spec["csrf"],
        )
        return response.status_code

    for spec in prepared[:3]:
        if (status := submit(spec)) != 302:
            print(f"profile page=quiz_submit {spec['path']}: HTTP {status}; skipped")
            return
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        submit(prepared[3])
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for spec in prepared[4:]:
        submit(spec)
    profiler.stop()
    report(
        profiler,
        page="quiz_submit",
        path="/attempts/<id>/",
        username="bench-submitter-*",
        mean_ms=(time.perf_counter() - started) / requests * 1000,
        queries=queries,
        depth=depth,
        sql=sql,
    )


def below_the_view(lines: list[str], depth: int) -> list[str]:
    """The tree from the view function down (middleware frames above it cut), ``depth`` levels deep."""
    start = next((i for i, line in enumerate(lines) if "_view_wrapper" in line or "serve_page" in line), 0)
    rows = lines[start + 1 :]
    if not rows:
        return lines
    cut = len(rows[0]) - len(rows[0].lstrip(" │"))
    kept = []
    for row in rows:
        if len(row) - len(row.lstrip(" │")) < cut:
            break  # out of the view's subtree
        text = row[cut:]
        level = (len(text) - len(text.lstrip(" │├└─"))) // 3
        if text.strip() and level <= depth:
            kept.append("  " + text)
    return kept


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Web benchmark: gunicorn on PostgreSQL, driven over loopback by wrk, against a bare Wagtail page.

``python -m bench --suite web [--duration 60] [--connections 50] [--quiz-connections 32] [--workers N]
[--database-url postgres://…]``. It creates and migrates its own database (``dx_bench_web``), loads the
demo, serves the site with gunicorn on a free loopback port with production settings (DEBUG off, the
manifest static storage, Redis cache and broker when reachable; plain HTTP on loopback), and drives, one
at a time, each for ``--duration`` seconds:

- ``bare``: a plain ``wagtail.models.Page`` (no page type, template or plugin of ours; the same server,
  middleware and logged-in sessions), the baseline;
- ``lesson``: a lesson page (it also records the visit), each request as one of ``--connections``
  learners enrolled in its course (one learner's views would all queue on their one enrolment row);
- ``me``: /me/, demo-learner's learning page;
- ``quiz_answer``: the quiz's hot path, the autosave POST ``/attempts/<id>/answers/<pos>/`` that the
  attempt page sends on every change of an answer (JSON), spread over one in-progress attempt per bench
  learner, at ``--quiz-connections``;
- ``quiz_submit``: ``--submissions`` fresh attempts (one per bench learner), each submitted once
  (``action=submit``: all answers saved, graded, scored) by ``--quiz-connections`` client threads; a
  submission cannot be repeated, so this is a bounded set, not a timed wrk loop;
- ``quiz_submit_paced``: the same with another ``--submissions`` attempts, but as ``--quiz-connections``
  learners who each pause about ``--think-ms`` (default 1000; drawn between half and one and a half
  times it, and a random start) after every submission before the next, as people do: the server's
  latency at that concurrency rather than the queue of a saturated server (the line above, where every
  client sends its next submission the moment the last returns);
- ``bare_threads``: the bare page again, ``--submissions`` times, but driven as the submissions are (by
  ``--quiz-connections`` Python threads, a connection per request, not wrk), so that the submission can
  also be read against the same client: ``ratio_vs_bare_threads`` on the submission lines;
- ``hr``, ``hr_manager``, ``hr_reviewer``: /hr/ as demo-hr (人事課, every department, personal data),
  demo-manager (所属長, their own section) and demo-reviewer (DX推進課: the suppressed view of published
  months); skipped with a note if the analytics dashboard is not there.

- ``pref``: /pref/ as demo-pref (the prefecture's suppressed view of its municipalities);
- ``training_report``: the report of the demo city's first training rule as demo-hr;
- ``api_completions``: the REST API's first page of course completions as demo-hr (browser session).

Every session is signed in as after the whole sign-in (the second factor included, which production asks
of HR, 所属長 and DX推進課). ``python -m bench.web.profile`` shows where a page's time goes.

Prints ``web page=NAME rps=… p50_ms=… p95_ms=… p99_ms=… errors=… ratio_vs_bare=…`` per page (errors:
socket errors, timeouts and HTTP status ≥ 400; ratio = the page's rps ÷ the bare page's, where the bare
page is measured first and again last, ``bare_again``, and the baseline is the mean of the two) and
appends the same, with the machine, to ``bench/results/web-<date>.txt``.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import itertools
import json
import os
import platform
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dx_bench_web"
REDIS = "redis://127.0.0.1:6379"
SUBMIT_PAGES = ("quiz_submit", "quiz_submit_paced")  # each prepared attempt is submitted once
# Driven by the submissions' own client (Python threads) rather than wrk: see ``bare_threads``.
THREAD_PAGES = (*SUBMIT_PAGES, "bare_threads")

REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, '
    .. '"errors": %d, "status_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout + e.status, e.status))
end
"""

# wrk cycles through the requests; each thread starts at its own place in the list.
MULTI_USER_LUA = """
local requests = %s
local threads = 0
setup = function(thread)
  thread:set("id", threads)
  threads = threads + 1
end
local i = 0
init = function(args)
  i = (tonumber(wrk.thread:get("id")) or 0) * 7
end
request = function()
  i = i + 1
  local r = requests[(i %% #requests) + 1]
  return wrk.format(r.method, r.path, r.headers, r.body)
end
"""


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench --suite web")
    parser.add_argument("--duration", type=int, default=60, help="seconds per page (default 60)")
    parser.add_argument(
        "--warmup", type=int, default=5, help="unrecorded seconds before each page (default 5)"
    )
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--quiz-connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_WEB_DATABASE_URL", DEFAULT_URL))
    parser.add_argument(
        "--pages",
        default=(
            "bare,lesson,me,quiz_answer,bare_threads,quiz_submit,quiz_submit_paced,hr,hr_manager,hr_reviewer,"
            "pref,training_report,api_completions"
        ),
        help="a subset, comma-separated",
    )
    parser.add_argument(
        "--think-ms", type=int, default=1000, help="quiz_submit_paced: a learner's pause after submitting"
    )
    parser.add_argument(
        "--submissions", type=int, default=1000, help="quiz submissions to time (default 1000)"
    )
    parser.add_argument("--note", default="", help="a remark for the results file (what changed)")
    args, _unknown = parser.parse_known_args(argv)  # other suites' arguments (--staff …) are not ours
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    if shutil.which("wrk") is None:
        print("bench web: wrk is not installed (apt-get install wrk); skipped", file=sys.stderr)
        return 2
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        print("bench web: needs PostgreSQL (--database-url postgres://…)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="dx-bench-web-"))
    env = server_env(args.database_url)
    database_ensure(args.database_url)
    started = time.monotonic()
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_demo", "--allow-demo-passwords", quiet=True)
    manage(env, "collectstatic", "--noinput", "-v", "0")
    print(f"bench web: database and static files ready in {time.monotonic() - started:.0f} s", flush=True)
    data = json.loads(
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.web.prepare",
                str(args.quiz_connections),
                str(args.connections),
                str(args.submissions * sum(p in SUBMIT_PAGES for p in args.pages.split(","))),
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "lms_site.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--backlog",
            "2048",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=(work / "gunicorn.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    results: list[dict] = []
    try:
        wait_port(port)
        base = f"http://127.0.0.1:{port}"
        wanted = args.pages.split(",")
        pages = plan(data, wanted=wanted, submissions=args.submissions)
        if "bare" in wanted and len(wanted) > 1:
            wanted.append("bare_again")  # the baseline again at the end: see ``with_ratios``
        for name in wanted:
            if name not in pages:
                continue
            page = pages[name]
            if page is None:
                print(
                    f"web page={name} skipped: nothing to drive (not served in this checkout, or none asked)"
                )
                continue
            submitting = name in THREAD_PAGES
            note = None if name in SUBMIT_PAGES else preflight(base, page)  # a submit counts once only
            if note:
                print(f"web page={name} skipped: {note}")
                continue
            connections = (
                args.quiz_connections
                if name.startswith("quiz") or name == "bare_threads"
                else args.connections
            )
            if submitting:  # each attempt submits once: a bounded set, not a timed loop
                think = args.think_ms / 1000 if name == "quiz_submit_paced" else 0.0
                result = submit_all(base, page, name=name, connections=connections, think=think)
            else:
                # Warm every gunicorn worker up first (imports on first request, connections, templates).
                drive(base, page, name=name, connections=connections, duration=args.warmup, work=work)
                result = drive(
                    base, page, name=name, connections=connections, duration=args.duration, work=work
                )
            results.append(result)
            print(f"bench web: {name} measured, {result['rps']} rps", file=sys.stderr, flush=True)
        for result in with_ratios(results):
            print(line(result), flush=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        queue_drop(env["CELERY_TASK_DEFAULT_QUEUE"])
        shutil.rmtree(work, ignore_errors=True)
    record(results, args)
    return 0


def server_env(database_url: str) -> dict[str, str]:
    """Production settings, plain HTTP on loopback; Redis (cache, broker on a queue of our own) if up."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="lms_site.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_CREDENTIAL_KEK=bench_kek(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_STATIC_ROOT=str(ROOT / "var" / "bench-web-static"),
        DJANGO_DB_CONN_MAX_AGE="60",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
        CELERY_TASK_DEFAULT_QUEUE=f"dx-bench-web-{os.getpid()}",
    )
    if redis_up():
        env.update(REDIS_URL=f"{REDIS}/2", CELERY_BROKER_URL=f"{REDIS}/3")
    return env


def bench_kek() -> str:
    """The key-encryption key of the bench database's sealed signing keys: the database outlives a run, so
    the key is kept beside it (``var/bench-web-kek``, readable by its owner only), made on the first run."""
    path = ROOT / "var" / "bench-web-kek"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(base64.urlsafe_b64encode(os.urandom(32)).decode())
    return path.read_text().strip()


def plan(data: dict, *, wanted: list[str], submissions: int) -> dict[str, dict | None]:
    """What wrk sends for each page: a list of requests it cycles through."""

    def get(path: str, session: str) -> dict:
        return {"method": "GET", "path": path, "headers": {"Cookie": f"sessionid={session}"}, "body": None}

    learner = data["learner_session"]
    readers = data["reader_sessions"]
    report = data["training_report"]

    def post(q: dict) -> dict:
        return {
            "method": "POST",
            "path": q["path"],
            "headers": {
                "Cookie": f"sessionid={q['session']}; csrftoken={q['csrf']}",
                "X-CSRFToken": q["csrf"],
                "Content-Type": "application/x-www-form-urlencoded",
            },
            "body": q["body"],
        }

    quiz = [post(q) for q in data["quiz"]]
    # The prepared attempts, ``submissions`` for each submitting page asked for, in this order.
    attempts = iter(data["submissions"])
    submitting = {}
    for name in SUBMIT_PAGES:
        if name in wanted:
            share = [post(q) for q in itertools.islice(attempts, submissions)]
            submitting[name] = {"requests": share} if share else None
    bare = {"requests": [get(data["bare"], session) for session in readers]}
    threads = list(itertools.islice(itertools.cycle(bare["requests"]), submissions))
    return {
        "bare": bare,
        "bare_again": bare,
        "bare_threads": {"requests": threads},
        "lesson": {"requests": [get(data["lesson"], session) for session in readers]},
        "me": {"requests": [get("/me/", learner)]},
        "quiz_answer": {"requests": quiz},
        "quiz_submit": submitting.get("quiz_submit"),
        "quiz_submit_paced": submitting.get("quiz_submit_paced"),
        "hr": {"requests": [get(data["hr"], data["hr_session"])]} if data["hr"] else None,
        "hr_manager": {"requests": [get(data["hr"], data["hr_manager_session"])]} if data["hr"] else None,
        "hr_reviewer": {"requests": [get(data["hr"], data["hr_reviewer_session"])]} if data["hr"] else None,
        "pref": {"requests": [get("/pref/", data["pref_session"])]},
        "training_report": report and {"requests": [get(report, data["hr_session"])]},
        "api_completions": {"requests": [get("/api/v1/completions/", data["hr_session"])]},
    }


def preflight(base: str, page: dict) -> str | None:
    """One request of each kind must succeed with 200 (not a redirect to the login page) before timing."""
    for spec in page["requests"][:3]:
        request = urllib.request.Request(  # noqa: S310 - loopback http
            base + spec["path"],
            data=spec["body"].encode() if spec["body"] else None,
            headers=spec["headers"],
            method=spec["method"],
        )
        opener = urllib.request.build_opener(NoRedirect())
        try:
            with opener.open(request, timeout=60) as response:
                if response.status != 200:
                    return f"{spec['path']} answered {response.status}"
        except urllib.error.HTTPError as error:
            return f"{spec['path']} answered {error.code}"
    return None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def with_ratios(results: list[dict]) -> list[dict]:
    """Each page's rps ÷ the bare page's. The bare page is measured first and, when other pages were
    measured too, again at the end (``bare_again``); the baseline is the mean of the two, so that the
    machine's speed drifting during the run (it does, on a shared VM) does not tilt the ratios."""
    bares = [r["rps"] for r in results if r["page"] in ("bare", "bare_again") and r["rps"]]
    baseline = sum(bares) / len(bares) if bares else None
    threads = next((r["rps"] for r in results if r["page"] == "bare_threads" and r["rps"]), None)
    for result in results:
        result["ratio_vs_bare"] = round(result["rps"] / baseline, 2) if baseline else None
        if threads and result["page"] in SUBMIT_PAGES:
            result["ratio_vs_bare_threads"] = round(result["rps"] / threads, 2)
    return results


def drive(base: str, page: dict, *, name: str, connections: int, duration: int, work: Path) -> dict:
    script = work / f"{name}.lua"
    users = "{" + ",".join(lua_request(spec) for spec in page["requests"]) + "}"
    script.write_text(MULTI_USER_LUA % users + REPORT_LUA)
    threads = min(2, connections)
    output = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 120,
    ).stdout
    report = json.loads(next(ln for ln in output.splitlines() if ln.startswith("WRKJSON")).split(" ", 1)[1])
    seconds = report["duration_us"] / 1e6
    return {
        "page": name,
        "path": page["requests"][0]["path"],
        "connections": connections,
        "duration_s": round(seconds, 1),
        "requests": report["requests"],
        "rps": round(report["requests"] / seconds, 1),
        "p50_ms": round(report["p50"] / 1000, 1),
        "p95_ms": round(report["p95"] / 1000, 1),
        "p99_ms": round(report["p99"] / 1000, 1),
        "errors": report["errors"],
    }


def submit_all(base: str, page: dict, *, name: str, connections: int, think: float = 0.0) -> dict:
    """Send each prepared request once (a submission, or ``bare_threads``' GET), by ``connections`` clients
    that each pause ``think`` seconds after every response; success is a 302 to the result page for a
    submission, a 200 for a GET."""
    import concurrent.futures
    import http.client
    import statistics

    host, port = base.removeprefix("http://").split(":")

    def submit(spec: dict) -> tuple[float, bool]:
        started = time.perf_counter()
        try:
            client = http.client.HTTPConnection(host, int(port), timeout=30)
            client.request(spec["method"], spec["path"], body=spec["body"], headers=spec["headers"])
            response = client.getresponse()
            response.read()
            if spec["method"] == "GET":
                ok = response.status == 200
            else:
                ok = response.status == 302 and "/result/" in (response.getheader("Location") or "")
            client.close()
        except OSError:
            ok = False
        return (time.perf_counter() - started) * 1000, ok

    def learner(specs: list[dict], seed: int) -> list[tuple[float, bool]]:
        # People do not act in step: each starts at a random moment within one pause, and each pause is
        # between half and one and a half times ``think`` (seeded: every run draws the same pauses).
        pause = random.Random(seed).uniform
        outcomes = []
        for n, spec in enumerate(specs):
            if think:
                time.sleep(pause(0, think) if n == 0 else pause(0.5 * think, 1.5 * think))
            outcomes.append(submit(spec))
        return outcomes

    requests = page["requests"]
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=connections) as pool:
        shares = [requests[i::connections] for i in range(connections)]
        outcomes = [outcome for done in pool.map(learner, shares, range(connections)) for outcome in done]
    seconds = time.perf_counter() - started
    latencies = sorted(ms for ms, _ok in outcomes)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "page": name,
        "path": requests[0]["path"] if name == "bare_threads" else "/attempts/<id>/ (action=submit)",
        "think_ms": round(think * 1000),
        "connections": connections,
        "duration_s": round(seconds, 1),
        "requests": len(outcomes),
        "rps": round(len(outcomes) / seconds, 1),
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        "p99_ms": round(cuts[98], 1),
        "errors": sum(1 for _ms, ok in outcomes if not ok),
    }


def lua_request(spec: dict) -> str:
    headers = ",".join(f"[{json.dumps(k)}]={json.dumps(v)}" for k, v in spec["headers"].items())
    body = json.dumps(spec["body"]) if spec["body"] else "nil"
    method, path = json.dumps(spec["method"]), json.dumps(spec["path"])
    return f"{{method={method},path={path},headers={{{headers}}},body={body}}}"


def line(result: dict) -> str:
    return (
        f"web page={result['page']} rps={result['rps']} p50_ms={result['p50_ms']} p95_ms={result['p95_ms']} "
        f"p99_ms={result['p99_ms']} errors={result['errors']} ratio_vs_bare={result['ratio_vs_bare']}"
        + (
            f" ratio_vs_bare_threads={result['ratio_vs_bare_threads']}"
            if "ratio_vs_bare_threads" in result
            else ""
        )
    )


def record(results: list[dict], args: argparse.Namespace) -> None:
    if not results:
        return
    RESULTS.mkdir(exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    path = RESULTS / f"web-{now.date().isoformat()}.txt"
    with path.open("a", encoding="utf-8") as out:
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        out.write(
            f"# {now.isoformat(timespec='seconds')} {' '.join(platform.uname())} nproc={os.cpu_count()} "
            f"loadavg(1,5,15 min, at the end)={load}\n"
        )
        out.write(
            f"# gunicorn workers={args.workers} (sync), wrk -c {args.connections} "
            f"(quiz: -c {args.quiz_connections}) -d {args.duration}s, {postgres_version(args.database_url)}, "
            f"loopback{'; ' + args.note if args.note else ''}\n"
        )
        for result in results:
            out.write(line(result) + f" connections={result['connections']} requests={result['requests']}\n")
    print(f"recorded in {path.relative_to(ROOT)}")


def manage(env: dict[str, str], *args: str, quiet: bool = False) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def database_ensure(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def postgres_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as connection:
        return "PostgreSQL " + connection.execute("SHOW server_version").fetchone()[0]


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def queue_drop(queue: str) -> None:
    """The tasks the run queued (nobody consumes them) go with it."""
    if redis_up():
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as sock:
            sock.sendall(f"SELECT 3\r\nDEL {queue}\r\n".encode())
            sock.recv(64)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not listen on port {port}")

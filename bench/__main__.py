"""``python -m bench [--suite NAME] [suite arguments]``: run the suites (all of ``SUITES``) in turn.

Each suite is a package here with ``main(argv) -> int``; it measures against a baseline taken in the same
run, prints one line per measurement and records the same in ``bench/results/``. Unknown arguments are
passed to every suite (``--staff 300000`` is for the analytics suite, which ``BENCH_STAFF`` sets, and for
the staff_import suite: the people in its file).

With ``--staff`` and no ``--suite`` (``make bench BENCH_STAFF=3000000``) it runs the suites of the synthetic
country, ``SCALE_SUITES``, at that size; after the analytics suite has loaded the data, the later suites
keep it when the database holds exactly that many staff (``--reuse-data``), rather than loading it again.
When several suites run, each runs in a process of its own: each sets Django up for itself (its
database, its settings, its broker), which a process can do only once.
"""

import argparse
import importlib
import subprocess
import sys

SUITES = ("analytics", "web", "staff_import", "snapshot", "levels")
SCALE_SUITES = ("analytics", "snapshot")  # the coverage and prefecture reports, the nightly snapshot


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--suite", choices=SUITES, action="append", help="run only this suite (repeatable)")
    args, rest = parser.parse_known_args(argv)
    sized = any(a == "--staff" or a.startswith("--staff=") for a in rest)
    suites = args.suite or (SCALE_SUITES if sized else SUITES)
    status = 0
    for name in suites:
        print(f"=== bench {name}", flush=True)
        if len(suites) == 1:
            status = importlib.import_module(f"bench.{name}").main(rest) or status
        else:  # each suite sets Django up for itself (its database, its broker): a process each
            command = [sys.executable, "-m", "bench", "--suite", name, *rest]
            status = subprocess.run(command, check=False).returncode or status
        if name == "analytics" and "--reuse-data" not in rest:
            rest = [*rest, "--reuse-data"]
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

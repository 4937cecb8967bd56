"""``python -m bench [--suite NAME] [suite arguments]``: run the suites (all of ``SUITES``) in turn.

Each suite is a package here with ``main(argv) -> int``; it measures against a baseline taken in the same
run, prints one line per measurement and records the same in ``bench/results/``. Unknown arguments are
passed to every suite (``--staff 300000`` is for the analytics suite, which ``BENCH_STAFF`` sets, and for
the staff_import suite: the people in its file).
"""

import argparse
import importlib
import sys

SUITES = ("analytics", "web", "staff_import", "snapshot", "levels")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--suite", choices=SUITES, action="append", help="run only this suite (repeatable)")
    args, rest = parser.parse_known_args(argv)
    status = 0
    for name in args.suite or SUITES:
        print(f"=== bench {name}", flush=True)
        suite = importlib.import_module(f"bench.{name}")
        status = suite.main(rest) or status
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env bash
# Installs a test peer's own packages, exactly its lock file, once: when they are missing or were
# installed from another version of that file; otherwise does nothing (a few milliseconds). Safe to call
# from several processes at once (they take turns on a lock on the lock file).
#
#   tools/install-once.sh npm  DIR [extra npm ci options]    node_modules from DIR/package-lock.json
#   tools/install-once.sh venv DIR [extra pip options]       DIR/.venv from DIR/requirements.txt
#
# Each peer keeps a small install.sh that calls this, so its tests and README name one command.
set -euo pipefail

kind="${1:?usage: install-once.sh npm|venv DIR [options]}"
dir="${2:?usage: install-once.sh npm|venv DIR [options]}"
shift 2
cd "$dir"
name="$(basename "$PWD")"

case "$kind" in
npm)
    lock=package-lock.json
    target=node_modules
    if ! command -v npm >/dev/null 2>&1; then
        echo "$name: npm is not on PATH (Node 20+ is needed)" >&2
        exit 1
    fi
    ;;
venv)
    lock=requirements.txt
    target=.venv
    python="${PYTHON:-python3}"
    if ! command -v "$python" >/dev/null 2>&1; then
        echo "$name: $python is not on PATH (Python 3.9+ is needed)" >&2
        exit 1
    fi
    ;;
*)
    echo "install-once.sh: the first argument is npm or venv, not '$kind'" >&2
    exit 2
    ;;
esac

exec 9<"$lock"
flock 9

stamp="$target/.dx-installed-$(cksum <"$lock" | cut -d' ' -f1)"
if [ -f "$stamp" ]; then
    exit 0
fi
rm -rf "$target"
if [ "$kind" = npm ]; then
    # --ignore-scripts: no peer needs a package's install script; the peers' lock files were checked.
    npm ci --no-audit --no-fund --ignore-scripts --loglevel=error "$@" >&2
else
    "$python" -m venv .venv
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-input "$@" -r requirements.txt >&2
fi
touch "$stamp"

#!/usr/bin/env bash
# Installs @learninglocker/xapi-validation (npm; Learning Locker's xAPI statement validator, MIT) into
# tools/xapi-validator/node_modules, exactly the versions of package-lock.json, when node_modules is
# missing or was built from another lock file; otherwise does nothing (a few milliseconds). Safe to call
# from several processes at once (they take turns on a lock). tests/api/test_xapi_validation.py calls it
# once per test session.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v npm >/dev/null 2>&1; then
    echo "xapi-validator/install.sh: npm is not on PATH (Node 20+ is needed)" >&2
    exit 1
fi

exec 9<package-lock.json
flock 9

stamp="node_modules/.dx-installed-$(cksum < package-lock.json | cut -d' ' -f1)"
if [ -f "$stamp" ]; then
    exit 0
fi
rm -rf node_modules
# --ignore-scripts: none of its three packages (it, lodash, rulr) has an install script.
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2
touch "$stamp"

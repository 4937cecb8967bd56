#!/usr/bin/env bash
# Installs simple-scorm-packager (npm), an independent SCORM 1.2 / 2004 packager that the tests use to
# build the packages they upload, into tools/scorm-packager/node_modules, exactly the versions of
# package-lock.json, when node_modules is missing or was built from another lock file; otherwise does
# nothing. Safe to call from several processes at once (they take turns on a lock).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v npm >/dev/null 2>&1; then
    echo "scorm-packager/install.sh: npm is not on PATH (Node 18+ is needed)" >&2
    exit 1
fi

exec 9<package-lock.json
flock 9

stamp="node_modules/.dx-installed-$(cksum < package-lock.json | cut -d' ' -f1)"
if [ -f "$stamp" ]; then
    exit 0
fi
rm -rf node_modules
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2
touch "$stamp"

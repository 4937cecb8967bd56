#!/usr/bin/env bash
# Installs the credential verifier's Node packages with `npm ci` (exactly package-lock.json) when
# node_modules is missing or was installed from another lock file; otherwise does nothing. Safe to call
# from several processes at once (they take turns on a lock).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v npm >/dev/null 2>&1; then
    echo "oidc-provider/install.sh: npm is not on PATH (Node 20+ is needed)" >&2
    exit 1
fi

exec 9<package-lock.json
flock 9

stamp="node_modules/.dx-installed-$(cksum < package-lock.json | cut -d' ' -f1)"
if [ -f "$stamp" ]; then
    exit 0
fi
# --ignore-scripts: no dependency needs an install script (core-js's only prints a banner).
npm ci --no-audit --no-fund --ignore-scripts >&2
touch "$stamp"

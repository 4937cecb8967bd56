#!/usr/bin/env bash
# Installs Ralph (PyPI ralph-malph, an xAPI Learning Record Store) into tools/ralph/.venv, exactly the
# versions of requirements.txt, when the venv is missing or was built from another requirements file;
# otherwise does nothing. Safe to call from several processes at once (they take turns on a lock).
# Its own venv: Ralph pins FastAPI, pydantic and friends that must not meet the site's packages.
set -euo pipefail
cd "$(dirname "$0")"

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
    echo "ralph/install.sh: $python is not on PATH (Python 3.9+ is needed)" >&2
    exit 1
fi

exec 9<requirements.txt
flock 9

stamp=".venv/.dx-installed-$(cksum < requirements.txt | cut -d' ' -f1)"
if [ -f "$stamp" ]; then
    exit 0
fi
rm -rf .venv
"$python" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check --no-input -r requirements.txt >&2
touch "$stamp"

#!/usr/bin/env bash
# Installs the test LTI platform (lti1p3platform, PyPI) into its own venv here when missing or installed
# from another requirements.txt; otherwise does nothing. Safe to call from several processes at once.
set -euo pipefail
cd "$(dirname "$0")"

exec 9<requirements.txt
flock 9

stamp=".venv/.dx-installed-$(cksum < requirements.txt | cut -d' ' -f1)"
if [ -f "$stamp" ]; then
    exit 0
fi
rm -rf .venv
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt >&2
touch "$stamp"

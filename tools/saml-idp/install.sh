#!/usr/bin/env bash
# Installs the test SAML identity provider (pysaml2, exactly requirements.txt) into its own virtual
# environment, .venv beside this file, when it is missing or was installed from another requirements.txt;
# and Debian's xmlsec1, which pysaml2 signs with, where it is not on PATH. Otherwise does nothing. Safe to
# call from several processes at once (they take turns on a lock).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"

exec 9<requirements.txt
flock 9

if ! command -v xmlsec1 >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xmlsec1 >&2
    else
        echo "saml-idp/install.sh: xmlsec1 is not on PATH (Debian: apt-get install xmlsec1)" >&2
        exit 1
    fi
fi

stamp=".venv/.dx-installed-$(cksum < requirements.txt | cut -d' ' -f1)"
if [ -f "$stamp" ]; then
    exit 0
fi
rm -rf .venv
"$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    -r requirements.txt >&2
touch "$stamp"

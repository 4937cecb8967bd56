#!/usr/bin/env bash
# Installs Debian's xmlsec1, which pysaml2 signs with, where it is not on PATH; then the test SAML identity
# provider (pysaml2, exactly requirements.txt) into its own venv beside this file, once (tools/install-once.sh).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v xmlsec1 >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xmlsec1 >&2
    else
        echo "saml-idp/install.sh: xmlsec1 is not on PATH (Debian: apt-get install xmlsec1)" >&2
        exit 1
    fi
fi

# --no-deps --only-binary: the requirements list every package, and none is built here.
exec ../install-once.sh venv . --no-deps --only-binary=:all:

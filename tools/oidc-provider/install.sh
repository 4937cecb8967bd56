#!/usr/bin/env bash
# Installs the test OpenID provider's Node packages, exactly package-lock.json, once (tools/install-once.sh).
exec "$(dirname "$0")/../install-once.sh" npm "$(dirname "$0")"

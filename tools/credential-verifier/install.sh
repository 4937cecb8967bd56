#!/usr/bin/env bash
# Installs the credential verifier's Node packages, exactly package-lock.json, once (tools/install-once.sh).
exec "$(dirname "$0")/../install-once.sh" npm "$(dirname "$0")"

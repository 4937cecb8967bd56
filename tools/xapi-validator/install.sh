#!/usr/bin/env bash
# Installs @learninglocker/xapi-validation (npm; Learning Locker's xAPI statement validator, MIT), exactly
# package-lock.json, once (tools/install-once.sh). tests/api/test_xapi_validation.py calls it once per session.
exec "$(dirname "$0")/../install-once.sh" npm "$(dirname "$0")"

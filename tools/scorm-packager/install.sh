#!/usr/bin/env bash
# Installs simple-scorm-packager (npm), the independent SCORM 1.2 / 2004 packager the tests build their
# packages with, exactly package-lock.json, once (tools/install-once.sh).
exec "$(dirname "$0")/../install-once.sh" npm "$(dirname "$0")"

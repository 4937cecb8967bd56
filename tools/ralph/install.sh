#!/usr/bin/env bash
# Installs Ralph (PyPI ralph-malph, an xAPI Learning Record Store) into its own venv, exactly requirements.txt,
# once (tools/install-once.sh). Its own venv: Ralph pins FastAPI, pydantic and friends that must not meet ours.
exec "$(dirname "$0")/../install-once.sh" venv "$(dirname "$0")"

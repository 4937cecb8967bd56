"""Production settings: secrets only from the environment, and `check --deploy` clean."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "lms_site.settings.production",
    "DJANGO_SECRET_KEY": "x7#kq!2v9zL0pQm3Rt8yWb5nC1dE6fGhJ4sA0uI9oP2lK7jH3gF8dS5aZ1xC6vB",
    "DJANGO_ALLOWED_HOSTS": "dx.city.example.lg.jp",
    "DJANGO_CREDENTIAL_KEK": "cHJvZHVjdGlvbi10ZXN0LWtlay0zMi1ieXRlcy1sb24=",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_collectstatic_with_the_production_manifest_storage_finds_every_referenced_file(tmp_path):
    """The manifest storage rewrites every url() and source map a static file names, and refuses the whole
    run if one is missing (a vendored script naming a map that was not copied stopped every deployment)."""
    env = {**PRODUCTION_ENV, "DJANGO_STATIC_ROOT": str(tmp_path / "static")}
    result = manage("collectstatic", "--noinput", "-v", "0", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "scorm/vendor/scorm-again/scorm-again.min.js" in manifest

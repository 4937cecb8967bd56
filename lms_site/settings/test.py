"""Test settings: SQLite unless DATABASE_URL is set; eager tasks unless CELERY_BROKER_URL is set."""

import os

from .base import *  # noqa: F403
from .base import CELERY_BROKER_TRANSPORT_OPTIONS, DATABASES, VAR_DIR

SECRET_KEY = "test-only-insecure-key"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Mail stays in memory unless a test sends it to a real SMTP server it started (tests/smtp.py).
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND") or "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = str(VAR_DIR / "test-media")

# A file (not :memory:) so that a real Celery worker process can share the test database; one per test
# run, so that two runs on one machine never share (or delete) each other's database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

# A process started by a test (the Celery worker of tests/broker) signs in to the test database as the
# application's role, as the test process itself does after creating the database (tests/conftest.py): a
# role that row-level security binds, like the application's in production (ADR 0016).
if os.environ.get("DX_TEST_DATABASE_ROLE") and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    _role = os.environ["DX_TEST_DATABASE_ROLE"]
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c role={_role}"

# Tasks run in-process in tests; tests marked ``broker`` switch to a real worker (tests/broker/conftest.py).
CELERY_TASK_ALWAYS_EAGER = True

# Test workers look for abandoned (unacknowledged) tasks every second rather than kombu's default of
# every 10 s × 10 calls, so the killed-worker test sees the redelivery within its short visibility timeout.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

# Each test run gets its own queue so that no stray worker can take its tasks.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE") or f"dx-test-{os.getpid()}"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

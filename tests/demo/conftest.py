"""Tests of the demo (``load_demo``): the whole demo is loaded once for this package, in a transaction
rolled back when the last test here has run, and every test here runs inside it (its own changes roll back
to the loaded demo).

One load for all of them, not one per module: a load takes the better part of a minute, and these tests
only read what it made (or change it inside their own transaction). A test that needs an empty database
belongs elsewhere, since every test in this package sees the demo.
"""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from lms_site.organisation.tenancy import platform_wide


@pytest.fixture(scope="package")
def demo_loaded(django_db_setup, django_db_blocker, tmp_path_factory) -> Path:
    """``load_demo`` once; yields the private media root its proof files went to. On-commit work (mail,
    queued tasks) does not run, as the transaction never commits."""
    private = tmp_path_factory.mktemp("demo-private")
    with (
        django_db_blocker.unblock(),
        override_settings(PRIVATE_MEDIA_ROOT=str(private)),
        transaction.atomic(),
        platform_wide(),  # package-scoped: before the per-test platform-wide fixture
    ):
        call_command("load_demo", "--allow-demo-passwords", stdout=io.StringIO())
        yield private
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def demo(demo_loaded, db) -> Path:
    """Every test here reads the demo, in a transaction of its own."""
    return demo_loaded

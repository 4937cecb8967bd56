"""Fixtures shared by the whole suite: a small city with a 部 → 課 → 係 tree; Hypothesis's profiles, seed."""

import os
import random

import pytest
from hypothesis import settings

from lms_site.organisation.models import DepartmentKind
from tests.factories import DepartmentFactory, MunicipalityFactory

# Hypothesis profiles, chosen by HYPOTHESIS_PROFILE (or --hypothesis-profile). "ci", the default of
# `make test` and CI: Hypothesis's defaults, random data each run, and a failure prints the
# @reproduce_failure(...) blob that replays it (it replaces Hypothesis's own "ci" profile, loaded when CI
# is set, which draws the same data every run). "fuzz" (`make fuzz`): many more examples, no deadline;
# tests/fuzz/common.py scales the fuzz suites' bounded example counts up to it.
settings.register_profile("ci", settings.get_profile("default"), derandomize=False, print_blob=True)
settings.register_profile("fuzz", settings.get_profile("ci"), max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

DEPARTMENTS_CSV = """コード,上位コード,区分,名称,英語名称
010000,,部,総務部,General Affairs Department
010100,010000,課,人事課,Personnel Division
010101,010100,係,研修係,Training Section
020000,,部,市民部,Citizens Department
020100,020000,課,市民課,Citizens Division
020200,020000,課,保険年金課,Insurance and Pension Division
"""


# --- PostgreSQL: the suite runs as a role like the application's in production -----------------------------

APPLICATION_ROLE = "dx_app_test"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL, once the test database is made and migrated (as its owner), every connection of the
    run switches to a role that is neither a superuser nor the owner of the tables, so row-level security
    binds the whole suite as it binds the application in production (ADR 0016): a query the policies would
    hide, or a write they would refuse, fails here. Processes a test starts (the Celery worker) sign in
    as that role too. ``DX_TEST_AS_OWNER=1`` runs as the owner instead (to tell the two apart)."""
    from django.db import connections
    from django.db.backends.signals import connection_created

    if connections["default"].vendor != "postgresql" or os.environ.get("DX_TEST_AS_OWNER"):
        yield
        return
    with django_db_blocker.unblock(), connections["default"].cursor() as cursor:
        application_role_grant(cursor)
    connection_created.connect(_application_role_use)
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _application_role_use(connection=connection)
    os.environ["DX_TEST_DATABASE_ROLE"] = APPLICATION_ROLE
    try:
        yield
    finally:
        os.environ.pop("DX_TEST_DATABASE_ROLE", None)
        connection_created.disconnect(_application_role_use)
        with django_db_blocker.unblock():
            for connection in connections.all(initialized_only=True):
                if connection.connection is not None:
                    with connection.connection.cursor() as cursor:
                        cursor.execute("RESET ROLE")


def application_role_grant(cursor) -> None:
    """The role, and what the application's role is granted in production (README, deploying), plus
    TRUNCATE, which the test runner uses to empty the tables after a test that commits; tables and
    sequences made later (a migration run backwards, then forwards) get the same."""
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APPLICATION_ROLE])
    if not cursor.fetchone():
        cursor.execute(f"CREATE ROLE {APPLICATION_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
    tables, sequences = "SELECT, INSERT, UPDATE, DELETE, TRUNCATE", "USAGE, SELECT, UPDATE"
    cursor.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {tables} ON TABLES TO {APPLICATION_ROLE}"
    )
    cursor.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {sequences} ON SEQUENCES TO {APPLICATION_ROLE}"
    )
    cursor.execute(f"GRANT {tables} ON ALL TABLES IN SCHEMA public TO {APPLICATION_ROLE}")
    cursor.execute(f"GRANT {sequences} ON ALL SEQUENCES IN SCHEMA public TO {APPLICATION_ROLE}")


def _application_role_use(sender=None, connection=None, **kwargs) -> None:
    """Switch a new connection to the application's role, if its server has the role (a test's own
    PostgreSQL cluster does not)."""
    if connection.vendor != "postgresql":
        return
    with connection.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APPLICATION_ROLE])
        if cursor.fetchone():
            cursor.execute(f"SET ROLE {APPLICATION_ROLE}")


@pytest.fixture
def database_owner(db):
    """For a test that needs the owner's rights (a migration run backwards, a policy's definition): the
    test's connection acts as the owner until the test ends."""
    from django.db import connection

    if connection.vendor != "postgresql" or os.environ.get("DX_TEST_DATABASE_ROLE") is None:
        yield connection
        return
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    yield connection
    if connection.connection is not None:
        with connection.connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {APPLICATION_ROLE}")


@pytest.fixture
def municipality(db):
    return MunicipalityFactory(code="999991", name="若葉市")


@pytest.fixture
def departments(municipality):
    """{code: Department} for a small tree built from ``DEPARTMENTS_CSV`` (platform-wide, so that tests
    marked ``scoped`` can use it too)."""
    from lms_site.organisation.tenancy import platform_wide

    with platform_wide():
        return _departments(municipality)


def _departments(municipality):
    soumu = DepartmentFactory(municipality=municipality, code="010000", name="総務部", kind=DepartmentKind.BU)
    jinji = DepartmentFactory(parent=soumu, code="010100", name="人事課", kind=DepartmentKind.KA)
    kenshu = DepartmentFactory(parent=jinji, code="010101", name="研修係", kind=DepartmentKind.KAKARI)
    shimin_bu = DepartmentFactory(
        municipality=municipality, code="020000", name="市民部", kind=DepartmentKind.BU
    )
    shimin = DepartmentFactory(parent=shimin_bu, code="020100", name="市民課", kind=DepartmentKind.KA)
    hoken = DepartmentFactory(parent=shimin_bu, code="020200", name="保険年金課", kind=DepartmentKind.KA)
    return {d.code: d for d in (soumu, jinji, kenshu, shimin_bu, shimin, hoken)}


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches (Redis in the PostgreSQL leg keeps them between tests)."""
    from django.core.cache import caches

    from analytics.stack_cache import LOCAL

    for alias in caches.settings:
        caches[alias].clear()
    LOCAL.clear()  # each process's copies of the shared entries


def pytest_collection_modifyitems(items):
    """Browser tests last: they share one demo database loaded for the rest of the session."""
    items.sort(key=lambda item: "/tests/browser/" in str(item.path))


@pytest.fixture(autouse=True)
def _platform_wide_outside_requests(request):
    """Test code builds and inspects rows of any municipality, as a platform job would; each request it
    makes runs scoped by the middleware, as in production. Tests marked ``scoped`` run with no scope
    at all, so that an unscoped query fails as it does in a command or task (ADR 0016)."""
    if request.node.get_closest_marker("scoped"):
        yield
        return
    from lms_site.organisation.tenancy import platform_wide

    with platform_wide():
        yield


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """One Hypothesis seed for the whole run, chosen here unless --hypothesis-seed gave one, and printed
    (header, and summary after a failure): `pytest --hypothesis-seed=N <test>` repeats a test's data."""
    if config.getoption("hypothesis_seed") is None:
        config.option.hypothesis_seed = str(random.SystemRandom().randrange(2**32))


def pytest_report_header(config):
    seed = config.getoption("hypothesis_seed")
    profile = settings.get_current_profile_name()
    return f"hypothesis profile {profile!r}, seed {seed} (repeat with --hypothesis-seed={seed})"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if terminalreporter.stats.get("failed"):
        seed = config.getoption("hypothesis_seed")
        terminalreporter.write_line(f"hypothesis seed {seed}: repeat a failure with --hypothesis-seed={seed}")

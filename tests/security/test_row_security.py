"""Issue 13, ADR 0016: on PostgreSQL, row-level security is a second wall behind the scoped managers.

A raw query that bypasses the application's scoping, run as a role that is neither the tables' owner nor a
superuser (as the application runs in production) with the town's session settings, gets no row of
若葉市 from any personal-data table. And the session settings follow the ORM's scope by themselves.
"""

import pytest
from django.db import connection

from lms_site.organisation.models import PersonalDataAccess, StaffImport
from lms_site.organisation.row_security import MUNICIPALITY_IDS, PLATFORM_WIDE, POLICIES
from lms_site.organisation.tenancy import municipality_scope, platform_wide
from tests.factories import AssignmentFactory, DepartmentFactory, MunicipalityFactory, StaffProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PROBE_ROLE = "dx_rls_probe"


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-level security is PostgreSQL's (DATABASE_URL=postgres://...)")


@pytest.fixture
def two_municipalities():
    rows = {}
    for code, name in (("999991", "若葉市"), ("999992", "みどり町")):
        municipality = MunicipalityFactory(code=code, name=name)
        department = DepartmentFactory(municipality=municipality)
        for _ in range(2):
            staff = StaffProfileFactory(municipality=municipality)
            AssignmentFactory(staff=staff, department=department)
        StaffImport.objects.create(
            municipality=municipality, file_name="s.csv", content=b"", effective_date="2026-04-01"
        )
        PersonalDataAccess.objects.create(
            viewer=staff.user, subject=staff, municipality=municipality, view="x"
        )
        rows[code] = municipality
    return rows


def raw_rows(table: str, *, municipality_ids: str | None, platform: str | None) -> list[tuple]:
    """Rows of ``table`` for a raw query as the probe role, with the given session settings. The driver's
    own cursor: no ORM, no scoped manager, no execute wrapper."""
    with connection.connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {PROBE_ROLE}")
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, %s, true)",
            [MUNICIPALITY_IDS, municipality_ids or "", PLATFORM_WIDE, platform or ""],
        )
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - table names from our own list
        rows = cursor.fetchall()
        cursor.execute("RESET ROLE")
    return rows


@pytest.fixture
def probe_role(database_owner):
    """A role like the application's in production: not a superuser, not the owner of the tables."""
    with connection.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [PROBE_ROLE])
        if not cursor.fetchone():
            cursor.execute(f"CREATE ROLE {PROBE_ROLE} NOLOGIN NOSUPERUSER")
        cursor.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {PROBE_ROLE}")


def municipality_of_rows(table: str, rows: list[tuple]) -> set[int]:
    with connection.connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} LIMIT 0")  # noqa: S608
        columns = [c.name for c in cursor.description]
    if "municipality_id" in columns:
        return {row[columns.index("municipality_id")] for row in rows}
    key = "staff_id" if "staff_id" in columns else "user_id"
    ids = [row[columns.index(key)] for row in rows]
    column = "id" if key == "staff_id" else "user_id"
    with connection.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT municipality_id FROM organisation_staffprofile WHERE {column} = ANY(%s)",  # noqa: S608
            [ids],
        )
        return {row[0] for row in cursor.fetchall()}


def test_every_personal_data_table_has_its_policy():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_policies WHERE policyname = 'dx_tenant'")
        with_policy = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relrowsecurity AND relname = ANY(%s)", [list(POLICIES)]
        )
        enabled = {row[0] for row in cursor.fetchall()}
    assert with_policy == set(POLICIES) == enabled


@pytest.mark.parametrize(
    "table",
    [
        "organisation_staffprofile",
        "organisation_assignment",
        "organisation_staffimport",
        "organisation_personaldataaccess",
    ],
)
def test_a_raw_query_under_the_towns_settings_gets_none_of_the_citys_rows(
    two_municipalities, probe_role, table
):
    town, city = two_municipalities["999992"], two_municipalities["999991"]

    rows = raw_rows(table, municipality_ids=str(town.pk), platform=None)

    assert rows, "the town's own rows are there"
    assert municipality_of_rows(table, rows) == {town.pk}
    assert city.pk not in municipality_of_rows(table, rows)


@pytest.mark.parametrize("table", sorted(POLICIES))
def test_without_settings_nothing_and_platform_wide_everything(two_municipalities, probe_role, table):
    assert raw_rows(table, municipality_ids=None, platform=None) == []
    everything = raw_rows(table, municipality_ids=None, platform="on")
    with connection.connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - as the owner
        assert len(everything) == cursor.fetchone()[0]


def current_settings() -> tuple[str, str]:
    with connection.cursor() as cursor:  # through Django: the execute wrapper runs first
        cursor.execute(
            "SELECT current_setting(%s, true), current_setting(%s, true)", [PLATFORM_WIDE, MUNICIPALITY_IDS]
        )
        return cursor.fetchone()


def test_the_session_settings_follow_the_running_scope(two_municipalities):
    town, city = two_municipalities["999992"], two_municipalities["999991"]
    with municipality_scope(town):
        assert current_settings() == ("off", str(town.pk))
        with municipality_scope([city, town]):
            assert current_settings() == ("off", ",".join(map(str, sorted([city.pk, town.pk]))))
        assert current_settings() == ("off", str(town.pk))
    with platform_wide():
        assert current_settings() == ("on", "")


class Undone(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_kept_connection_never_runs_a_request_with_the_previous_requests_municipality():
    """A connection kept between requests: the city's request leaves its settings; the town's next
    request opens a transaction with its own and rolls back; the town's request after it must not run
    with the city's settings that the rollback brought back."""
    from django.db import transaction

    with platform_wide():
        city = MunicipalityFactory(code="999991", name="若葉市")
        town = MunicipalityFactory(code="999992", name="みどり町")
    with municipality_scope(city):
        StaffImport.objects.count()  # autocommit: the city's settings stay on the session
    with pytest.raises(Undone), municipality_scope(town), transaction.atomic():
        StaffImport.objects.count()
        raise Undone
    with municipality_scope(town):
        assert current_settings() == ("off", str(town.pk))

"""Issue 18 (docs/scale.md, "Indexes"): the evidence and level tables keep no single-column index that a
wider index already leads with, the reviewer's index holds only reviewed rows (most evidence has no
reviewer), and what Django runs on deleting a person, a reviewer or a competency still finds an index."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.certification.models import CompetencyLevel
from assessments.models import Evidence
from tests.competencies.factories import CompetencyFactory
from tests.factories import StaffProfileFactory

pytestmark = pytest.mark.django_db

EVIDENCE = Evidence._meta.db_table
LEVELS = CompetencyLevel._meta.db_table
REVIEWER_INDEX = "evidence_reviewed_by_idx"


def index_columns(table: str) -> list[tuple[str, ...]]:
    """The columns of every index of ``table`` (unique constraints' included, the primary key's not)."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return sorted(
        tuple(c["columns"]) for c in found.values() if (c["index"] or c["unique"]) and not c["primary_key"]
    )


def index_definition(name: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = %s", [name])
        row = cursor.fetchone()
    return row[0] if row else ""


def test_the_evidence_table_has_no_user_index_of_its_own_and_a_partial_reviewer_index():
    columns = index_columns(EVIDENCE)

    assert ("user_id",) not in columns and ("reviewed_by_id",) in columns
    assert ("user_id", "status") in columns  # what serves a person's evidence (and the cascade)
    assert ("user_id", "competency_id", "source", "source_key") in columns
    assert ("competency_id",) in columns  # PROTECT: deleting a competency looks for its evidence
    assert columns.count(("reviewed_by_id",)) == 1
    assert "WHERE" in index_definition(REVIEWER_INDEX).upper()
    assert "reviewed_by_id" in index_definition(REVIEWER_INDEX).split("WHERE", 1)[1]


def test_the_level_table_has_no_single_column_index_a_wider_one_leads_with():
    columns = index_columns(LEVELS)

    assert ("user_id",) not in columns and ("competency_id",) not in columns
    assert ("user_id", "competency_id") in columns and ("competency_id", "level") in columns


def seq_scanned(text: str, table: str) -> bool:
    return f"Seq Scan on {table}" in text


def plan(sql: str) -> str:
    """PostgreSQL's plan for ``sql`` with sequential scans priced out: a scan of the table's rows only when
    no index can serve the statement."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        text = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    return text


def statements_on(queries, table: str) -> list[str]:
    return [q["sql"] for q in queries if f'"{table}"' in q["sql"] and " WHERE " in q["sql"]]


def filters_on(sql: str, column: str) -> bool:
    return f'"{column}" IN ' in sql.split(" WHERE ", 1)[1]


@pytest.fixture
def _postgres():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plans (DATABASE_URL=postgres://...)")


@pytest.mark.postgres
def test_deleting_a_person_and_their_reviewer_finds_an_index_for_every_statement(_postgres, framework):
    competency = framework.competencies.first()
    person, reviewer = StaffProfileFactory().user, StaffProfileFactory().user
    Evidence.objects.create(
        user=person, competency=competency, level=2, source="ojt", source_key="o:1", reviewed_by=reviewer
    )
    CompetencyLevel.objects.create(user=person, competency=competency, level=2)

    with CaptureQueriesContext(connection) as reviewer_gone:
        reviewer.delete()  # SET_NULL: UPDATE … WHERE reviewed_by_id IN (…)
    with CaptureQueriesContext(connection) as person_gone:
        person.delete()  # CASCADE: the person's evidence and levels, by user_id

    statements = {
        "reviewer": statements_on(reviewer_gone.captured_queries, EVIDENCE),
        "evidence": statements_on(person_gone.captured_queries, EVIDENCE),
        "levels": statements_on(person_gone.captured_queries, LEVELS),
    }
    assert all(statements.values()), statements
    by_reviewer = [sql for sql in statements["reviewer"] if filters_on(sql, "reviewed_by_id")]
    assert by_reviewer and sum(filters_on(sql, "user_id") for sql in statements["evidence"])
    for name, sqls in statements.items():
        for sql in sqls:
            text = plan(sql)
            assert "Index" in text and not seq_scanned(text, EVIDENCE if name != "levels" else LEVELS), text
    assert all(REVIEWER_INDEX in plan(sql) for sql in by_reviewer)


@pytest.mark.postgres
def test_deleting_a_competency_finds_its_levels_by_an_index(_postgres):
    competency = CompetencyFactory()
    CompetencyLevel.objects.create(user=StaffProfileFactory().user, competency=competency, level=1)

    with CaptureQueriesContext(connection) as gone:
        competency.delete()

    sqls = [s for s in statements_on(gone.captured_queries, LEVELS) if filters_on(s, "competency_id")]
    assert sqls
    for sql in sqls:
        text = plan(sql)
        assert "Index" in text and not seq_scanned(text, LEVELS), (sql, text)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("table", "column", "index"),
    [
        (EVIDENCE, "reviewed_by_id", REVIEWER_INDEX),
        (EVIDENCE, "user_id", None),
        (LEVELS, "user_id", None),
        (LEVELS, "competency_id", None),
    ],
)
def test_the_foreign_keys_own_check_on_delete_finds_an_index(_postgres, database_owner, table, column, index):
    """The query PostgreSQL's foreign-key trigger runs when a referenced row goes (its text, as
    ``ri_triggers.c`` writes it), planned as the trigger plans it: once, for any value."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"PREPARE ri_check AS SELECT 1 FROM ONLY public.{table} x "  # noqa: S608
            f"WHERE $1 OPERATOR(pg_catalog.=) {column} FOR KEY SHARE OF x"
        )
        try:
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN EXECUTE ri_check(1)")
            text = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE ri_check")
    assert "Index" in text and not seq_scanned(text, table), text
    if index:
        assert index in text

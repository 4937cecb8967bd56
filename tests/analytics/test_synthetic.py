"""The benchmark's synthetic data: deterministic, with rotations, ~15 evidence rows per person, and a
level table that the project's own rule derives from them."""

import datetime
import json
import random

import pytest
from django.db.models import Count

from assessments.certification.levels import EvidenceFact, competency_levels
from assessments.certification.models import CompetencyLevel
from assessments.models import Evidence
from fixtures import synthetic
from lms_site.organisation.models import Assignment, Department, StaffProfile
from lms_site.organisation.tenancy import platform_wide


def rows(seed: int) -> dict:
    ids = synthetic.Ids(dict.fromkeys(synthetic.TABLES, 1))
    context = {"competencies": list(range(1, 25)), "programs": {"DX_BASIC": 1, "DX_LEADER": 2}}
    return synthetic._municipality(
        0, 200, random.Random(seed), ids, context, 1, EvidenceFact, competency_levels
    )


def test_the_same_seed_gives_the_same_data():
    assert rows(7) == rows(7)
    assert rows(7) != rows(8)


def test_load_creates_a_city_with_history(framework, database_owner):  # COPY, as the bench loads: the owner
    counts = synthetic.load(staff=120, seed=1)

    assert StaffProfile.objects.count() == 120 and counts["organisation_municipality"] == 1
    assert Department.objects.filter(kind="bu").count() == 16
    moved = Assignment.objects.filter(ends_on=datetime.date(2026, 3, 31)).count()
    assert 10 < moved < 80  # about a third rotate on 1 April
    per_person = Evidence.objects.values("user").annotate(n=Count("pk"))
    assert all(10 <= row["n"] <= 20 for row in per_person)
    assert CompetencyLevel.objects.filter(level__gte=3).exists()
    # treebeard agrees with the paths, depths and child counts written without it
    assert Department.find_problems() == ([], [], [], [], [])


CONTEXT = {"competencies": list(range(1, 25)), "programs": {"DX_BASIC": 1, "DX_LEADER": 2}}


def plan(staff: int, *, seed: int = 3, first_ids: dict | None = None, context=CONTEXT, first_root=1):
    municipalities = max(1, round(staff / synthetic.STAFF_PER_MUNICIPALITY))
    return synthetic.Plan(
        staff=staff,
        municipalities=municipalities,
        seed=seed,
        first_ids=first_ids or dict.fromkeys(synthetic.TABLES, 1),
        blocks=synthetic.id_blocks(-(-staff // municipalities)),
        first_root=first_root,
        context=context,
    )


def municipality_rows(the_plan, index: int) -> dict:
    return synthetic._municipality(
        index,
        the_plan.size(index),
        random.Random(the_plan.seed + index),
        the_plan.ids(index),
        the_plan.context,
        the_plan.first_root + len(synthetic.BU) * index,
        EvidenceFact,
        competency_levels,
    )


def test_the_first_municipality_is_the_same_city_whatever_n(monkeypatch):
    monkeypatch.setattr(synthetic, "STAFF_PER_MUNICIPALITY", 150)
    alone, among_four = plan(150), plan(600)

    assert among_four.municipalities == 4
    assert municipality_rows(alone, 0) == municipality_rows(among_four, 0)  # the same rows, ids included


def test_each_municipality_writes_inside_its_own_id_blocks(monkeypatch):
    monkeypatch.setattr(synthetic, "STAFF_PER_MUNICIPALITY", 150)
    the_plan = plan(450)
    seen = {table: set() for table in synthetic.TABLES}
    for index in range(the_plan.municipalities):
        start = the_plan.ids(index).next
        for table, table_rows in municipality_rows(the_plan, index).items():
            ids = {row[0] for row in table_rows}
            assert all(start[table] <= i < start[table] + the_plan.blocks[table] for i in ids), table
            assert not ids & seen[table]
            seen[table] |= ids


def test_municipalities_spread_over_the_47_prefectures_in_proportion():
    one_round = [synthetic.prefecture_of(i) for i in range(1741)]
    assert {name: one_round.count(name) for name, _n in synthetic.PREFECTURES} == dict(synthetic.PREFECTURES)
    assert synthetic.prefecture_of(0) == "北海道"  # the first municipality's, whatever N
    national = [synthetic.prefecture_of(i) for i in range(1000)]  # 3,000,000 staff
    for name, weight in synthetic.PREFECTURES:
        assert abs(national.count(name) - weight * 1000 / 1741) <= 1, name
    assert synthetic._prefecture_sequence(2048)[:1000] == tuple(national)


def _rows(cursor, table: str, first_id: int) -> list[tuple]:
    columns = synthetic.TABLES[table]
    cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE id >= %s ORDER BY id", [first_id])  # noqa: S608
    return [tuple(json.dumps(v) if isinstance(v, dict) else v for v in row) for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_parallel_load_writes_the_rows_of_a_serial_one_and_rebuilds_every_index(database_owner, monkeypatch):
    """Two processes, indexes and constraints set aside and built again: the rows are exactly those the
    plan makes in this process, and the tables' indexes and constraints are back as they were (validated)."""
    connection = database_owner
    monkeypatch.setattr(synthetic, "STAFF_PER_MUNICIPALITY", 100)
    postgres = connection.vendor == "postgresql"
    first_ids = {t: synthetic._max_id(t) + 1 for t in synthetic.TABLES}
    first_root = synthetic._root_count() + 1
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute(synthetic.SET_ASIDE_SQL, {"tables": synthetic.SET_ASIDE_TABLES})
            schema_before = sorted(cursor.fetchall())

    with platform_wide():
        counts = synthetic.load(staff=300, seed=5, workers=2, set_aside=True)

    the_plan = plan(300, seed=5, first_ids=first_ids, context=synthetic._context(), first_root=first_root)
    expected = {table: [] for table in synthetic.TABLES}
    for index in range(3):
        for table, table_rows in municipality_rows(the_plan, index).items():
            expected[table].extend(table_rows)
    assert {t: counts[t] for t in synthetic.TABLES} == {t: len(r) for t, r in expected.items()}
    if not postgres:  # SQLite: one process, nothing set aside
        assert counts["workers"] == 1 and "indexes_s" not in counts
        return
    assert counts["workers"] == 2 and "indexes_s" in counts
    with connection.cursor() as cursor:
        for table, table_rows in expected.items():
            wanted = sorted(table_rows)  # (the credential, "{}", comes back as {}: _rows writes it back)
            assert _rows(cursor, table, first_ids[table]) == wanted, table
        cursor.execute(synthetic.SET_ASIDE_SQL, {"tables": synthetic.SET_ASIDE_TABLES})
        assert sorted(cursor.fetchall()) == schema_before
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE NOT convalidated AND conrelid = ANY(%s::regclass[])",
            [synthetic.SET_ASIDE_TABLES],
        )
        assert cursor.fetchall() == []
    with platform_wide():
        assert Department.find_problems() == ([], [], [], [], [])
        assert StaffProfile.objects.count() == 300

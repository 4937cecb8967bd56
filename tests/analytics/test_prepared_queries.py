"""The reports' fixed queries compiled once per shape (``selectors._prepared_statement``): every call gets the
SQL and parameters the ORM builds for it, the scoped manager's filter included, and the same rows."""

import datetime

import pytest

from analytics import selectors
from lms_site.organisation.models import Municipality
from lms_site.organisation.tenancy import ScopeError, municipality_scope, platform_wide
from tests.factories import DepartmentFactory, MunicipalityFactory

from .factories import levels, people

DAYS = (datetime.date(2026, 3, 31), datetime.date(2026, 5, 1), datetime.date(2025, 4, 1))


@pytest.fixture(autouse=True)
def _fresh_statements():
    selectors._PREPARED.clear()
    yield
    selectors._PREPARED.clear()


@pytest.fixture
def two_towns(competencies):
    """Two municipalities, each with a department, three people and levels in two competencies."""
    with platform_wide():
        towns = []
        for code, level in (("999991", 3), ("999992", 4)):
            department = DepartmentFactory(municipality=MunicipalityFactory(code=code))
            users = people(department, 3)
            levels(users, competencies["A1"], level)
            levels(users[:1], competencies["B1"], 2)
            towns.append(department.municipality)
        return towns


def coverage_values(competencies, *, on, level, ids=None, municipality_id=None) -> dict:
    return {
        "on": on,
        "level": level,
        "competency_ids": [c.pk for c in competencies.values()] if ids is None else ids,
        "municipality_id": municipality_id,
    }


def coverage_statement(values: dict):
    """(prepared, fresh): what the report runs, and what the ORM compiles for the same call."""
    count = len(values["competency_ids"])
    probes = tuple(
        {
            "on": day,
            "level": level,
            "competency_ids": [pk - 10 * (i + 1) for i in range(count)],
            "municipality_id": None if values["municipality_id"] is None else pk,
        }
        for day, level, pk in zip(
            selectors._PROBE_DAYS, selectors._PROBE_LEVELS, selectors._PROBE_IDS, strict=True
        )
    )
    prepared = selectors._prepared_statement(
        "coverage_counts", selectors._coverage_counts, values, probes, using="default"
    )
    return prepared, selectors._coverage_counts(**values).query.sql_with_params()


def same_statement(prepared, fresh) -> None:
    sql, params = prepared
    fresh_sql, fresh_params = fresh
    assert sql == fresh_sql
    assert [(type(p), p) for p in params] == [(type(p), p) for p in fresh_params]


def test_each_call_gets_the_statement_the_orm_compiles_for_it(two_towns, competencies):
    city, _town = two_towns
    ids = [c.pk for c in competencies.values()]
    calls = [
        coverage_values(competencies, on=day, level=level, ids=chosen, municipality_id=municipality)
        for day in DAYS
        for level in (1, 3, 5)
        for chosen in (ids, ids[:2], ids[::-1], [])
        for municipality in (None, city.pk)
    ]
    for values in calls:
        same_statement(*coverage_statement(values))
    shapes = {key[3]: value for key, value in selectors._PREPARED.items() if key[0] == "coverage_counts"}
    assert len(shapes) == 2 * 3  # municipality given or not × three lengths of ids (all, two, none)
    for shape, prepared in shapes.items():
        # no ids: the ORM leaves the levels' half out, the level is nowhere, so it compiles for each call
        assert (prepared is None) == (dict(shape)["competency_ids"] == 0)


def test_the_rows_are_those_of_the_orm_query(two_towns, competencies):
    city, town = two_towns
    ids = [c.pk for c in competencies.values()]
    for municipality in (None, city.pk, town.pk):
        for level in (2, 3, 4):
            values = coverage_values(competencies, on=DAYS[0], level=level, municipality_id=municipality)
            got = selectors.coverage_count_rows(**values)
            assert sorted(got, key=repr) == sorted(
                selectors._tuples(selectors._coverage_counts(**values)), key=repr
            )
    assert selectors.coverage_count_rows(on=DAYS[0], level=4, competency_ids=ids, municipality_id=town.pk)
    assert not [
        row
        for row in selectors.coverage_count_rows(
            on=DAYS[0], level=4, competency_ids=ids, municipality_id=city.pk
        )
        if row[1] is not None
    ]  # the city's people hold A1 at 3


@pytest.mark.scoped
def test_a_scope_is_part_of_the_shape_and_never_serves_another_municipality(two_towns, competencies):
    city, town = two_towns
    values = coverage_values(competencies, on=DAYS[0], level=1)
    seen = {}
    for municipality in (city, town, city):
        with municipality_scope(municipality):
            prepared, fresh = coverage_statement(values)
            same_statement(prepared, fresh)
            assert municipality.pk in prepared[1]  # the scoped managers' filter, with its own ids
            rows = selectors.coverage_count_rows(**values)
            departments = {row[0] for row in rows}
            assert departments == set(
                selectors.Department.objects.filter(municipality=municipality).values_list("pk", flat=True)
            )
            seen.setdefault(municipality.pk, rows)
            assert rows == seen[municipality.pk]
            assert [d["id"] for d in selectors.departments_rows(municipality_id=None)] == sorted(departments)
    with municipality_scope([city, town]):
        both = selectors.coverage_count_rows(**values)
    assert len(both) == len(seen[city.pk]) + len(seen[town.pk])


@pytest.mark.scoped
def test_no_scope_still_raises(two_towns, competencies):
    with pytest.raises(ScopeError):
        selectors.coverage_count_rows(**coverage_values(competencies, on=DAYS[0], level=1))
    with pytest.raises(ScopeError):
        selectors.departments_rows(municipality_id=None)


@pytest.mark.scoped
def test_a_scope_of_model_instances_is_compiled_for_each_call(two_towns, competencies):
    from django_scopes import scope

    city, _town = two_towns
    with scope(municipality=[Municipality.objects.get(pk=city.pk)]):
        assert selectors._scope_key() is None
        values = coverage_values(competencies, on=DAYS[0], level=1)
        same_statement(*coverage_statement(values))
        assert not selectors._PREPARED


def test_values_outside_the_probes_range_are_compiled_for_each_call(two_towns, competencies):
    for level in (0, 40_000, -1):
        values = coverage_values(competencies, on=DAYS[0], level=level)
        assert sorted(selectors.coverage_count_rows(**values), key=repr) == sorted(
            selectors._tuples(selectors._coverage_counts(**values)), key=repr
        )


def test_a_statement_that_does_not_follow_its_probes_is_not_kept(two_towns):
    def constant_day(*, on):  # ignores its argument: the day is nowhere in the parameters
        return selectors.Assignment.objects.on(datetime.date(2026, 1, 1)).values_list("pk")

    probes = tuple({"on": day} for day in selectors._PROBE_DAYS)
    assert selectors._prepare(constant_day, probes) is None
    prepared = selectors._prepared_statement("test", constant_day, {"on": DAYS[0]}, probes, using="default")
    same_statement(prepared, constant_day(on=DAYS[0]).query.sql_with_params())


def test_the_structure_rows_are_those_the_orm_reads(two_towns, competencies):
    city, _town = two_towns
    for municipality in (None, city.pk):
        departments = selectors.Department.objects.order_by("path")
        if municipality is not None:
            departments = departments.filter(municipality_id=municipality)
        assert selectors.departments_rows(municipality_id=municipality) == list(
            departments.values(*selectors.DEPARTMENT_FIELDS)
        )
    assert selectors.competencies_rows() == list(
        selectors.Competency.objects.filter(framework__is_current=True)
        .order_by("sort_order", "code")
        .values("id", "code", "name", "area__name")
    )
    assert all(value is not None for value in selectors._PREPARED.values())

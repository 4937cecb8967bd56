"""The published stack in the shared cache (ADR 0025): served only while the municipality's snapshots and
department tree are those it was built from, never another municipality's, and equal to a fresh build."""

import datetime

import numpy as np
import pytest
from django.test import override_settings

from analytics import frames, reports, selectors, services
from tests.factories import DepartmentFactory, MunicipalityFactory

from .factories import levels, people

MAY, TODAY = datetime.date(2026, 5, 20), datetime.date(2026, 6, 15)

pytestmark = pytest.mark.usefixtures("programs")


def stack(municipality_id: int) -> reports.Published:
    nodes = frames.tree_nodes(selectors.departments_rows(municipality_id=municipality_id), all_label="全体")
    return reports.published_stack(
        municipality_id=municipality_id, nodes=nodes, competencies=selectors.competencies_rows(), today=TODAY
    )


def cell(published: reports.Published, key: int, column: str) -> tuple[int, int]:
    """(value, flag) of one node's column in May."""
    position, row = published.columns.index(column), list(published.nodes.index).index(key)
    return int(published.values[0][row][position]), int(published.flags[0][row][position])


@pytest.fixture
def city(departments, competencies):
    municipality = departments["020100"].municipality_id
    levels(people(departments["020100"], 7), competencies["A1"], 3)
    people(departments["010100"], 6)
    services.snapshot_take(municipality_id=municipality, on=MAY)
    return municipality


@override_settings(ANALYTICS_CACHE_SECONDS=3600)
def test_a_cached_stack_is_the_fresh_build_and_is_read_with_no_query(city, django_assert_num_queries):
    first = stack(city)
    nodes = first.nodes
    with override_settings(ANALYTICS_CACHE_SECONDS=0):
        fresh = stack(city)
    competencies = selectors.competencies_rows()
    with django_assert_num_queries(0):
        again = reports.published_stack(
            municipality_id=city, nodes=nodes, competencies=competencies, today=TODAY
        )
    for published in (first, again):
        assert published.days == fresh.days and published.columns == fresh.columns
        assert np.array_equal(published.values, fresh.values) and np.array_equal(published.flags, fresh.flags)


@override_settings(ANALYTICS_CACHE_SECONDS=3600)
def test_taking_the_snapshot_again_replaces_the_cached_stack(city, departments, competencies):
    key = departments["020100"].pk
    assert cell(stack(city), key, "A1@3")[0] == 7
    levels(people(departments["020100"], 2), competencies["A1"], 3)
    services.snapshot_take(municipality_id=city, on=MAY)  # the month's snapshot again, as HR may run it
    assert cell(stack(city), key, "A1@3")[0] == 9


@override_settings(ANALYTICS_CACHE_SECONDS=3600)
def test_a_new_department_is_in_the_next_stack(city, departments):
    before = stack(city)
    added = DepartmentFactory(municipality=departments["020100"].municipality, code="090000", name="新設部")
    after = stack(city)
    assert added.pk not in before.nodes.index and added.pk in after.nodes.index
    assert len(after.values[0]) == len(after.nodes)


@override_settings(ANALYTICS_CACHE_SECONDS=3600)
def test_another_municipality_never_reads_the_citys_stack(city, departments, competencies):
    """The town has departments of the same shape and a snapshot of the same month: its stack is its own."""
    town = MunicipalityFactory(code="999993")
    office = DepartmentFactory(municipality=town, code="010000", name="総務課")
    levels(people(office, 5), competencies["A1"], 3)
    services.snapshot_take(municipality_id=town.pk, on=MAY)
    city_stack, town_stack = stack(city), stack(town.pk)
    assert cell(town_stack, office.pk, "A1@3")[0] == 5
    assert cell(town_stack, 0, "headcount")[0] == 5
    assert cell(city_stack, 0, "headcount")[0] == 13
    assert office.pk not in city_stack.nodes.index


@override_settings(ANALYTICS_CACHE_SECONDS=3600)
def test_a_release_that_changes_the_suppression_code_builds_the_stack_again(
    city, monkeypatch, django_assert_num_queries
):
    from analytics import stack_cache

    first = stack(city)
    nodes, competencies = first.nodes, selectors.competencies_rows()
    with django_assert_num_queries(0):
        reports.published_stack(municipality_id=city, nodes=nodes, competencies=competencies, today=TODAY)
    monkeypatch.setattr(stack_cache, "code_digest", lambda: "another-release")
    with django_assert_num_queries(2):  # the two snapshot reads of a fresh build
        reports.published_stack(municipality_id=city, nodes=nodes, competencies=competencies, today=TODAY)


def test_the_code_digest_covers_the_suppression_and_roll_up_code():
    from analytics import stack_cache

    assert {path.name for path in stack_cache.CODE} == {
        "frames.py",
        "privacy.py",
        "reports.py",
        "prefecture.py",
        "charts.py",  # and what /hr/ shows from them (its cached tables and figures)
        "forecast.py",
        "tables.py",
    }
    assert all(path.exists() for path in stack_cache.CODE)

"""/hr/'s exact frames (a viewer with personal data, read from the snapshots) in the shared cache (issue
18, ADR 0025): served only while the municipality's snapshots, departments and competencies are those
they were built from, never another municipality's, never when they fell back to live counts, and equal
to a fresh build."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone, translation

from analytics import reports, services
from tests.factories import DepartmentFactory, MunicipalityFactory

from .factories import levels, people

MAY = datetime.date(2026, 5, 20)

pytestmark = pytest.mark.usefixtures("programs")


def frames_of(municipality_id: int, on=MAY, source=reports.SNAPSHOT):
    coverage, values, history, people_on, from_snapshots = reports._personal_frames(
        municipality_id=municipality_id, on=on, level=3, source=source
    )
    return coverage, values, history, people_on, from_snapshots


def count(values, key: int, column: str) -> int:
    return int(values.at[key, column])


@pytest.fixture
def city(departments, competencies):
    municipality = departments["020100"].municipality_id
    levels(people(departments["020100"], 7), competencies["A1"], 3)
    people(departments["010100"], 6)
    services.snapshot_take(municipality_id=municipality, on=MAY)
    return municipality


@override_settings(ANALYTICS_CACHE_SECONDS=3600)
def test_cached_frames_are_the_fresh_build_read_with_two_queries(
    city, departments, django_assert_num_queries
):
    first = frames_of(city)
    with override_settings(ANALYTICS_CACHE_SECONDS=0):
        fresh = frames_of(city)
    with django_assert_num_queries(2):  # the departments and the competencies: the key's structure
        again = frames_of(city)
    assert first[4] and again[4]  # read from the snapshots
    for found in (first, again):
        assert found[1].equals(fresh[1])
        assert found[0].direct.equals(fresh[0].direct) and found[0].taken_on == fresh[0].taken_on == MAY
        assert found[3] == fresh[3]
        assert all(found[2][column].equals(fresh[2][column]) for column in fresh[2])
    assert count(again[1], departments["020100"].pk, "A1") == 7


@override_settings(ANALYTICS_CACHE_SECONDS=3600)
def test_a_new_snapshot_a_renamed_department_and_the_language_each_give_fresh_frames(
    city, departments, competencies
):
    key = departments["020100"].pk
    assert count(frames_of(city)[1], key, "A1") == 7
    levels(people(departments["020100"], 2), competencies["A1"], 3)
    services.snapshot_take(municipality_id=city, on=MAY)  # the day's snapshot again, as HR may run it
    assert count(frames_of(city)[1], key, "A1") == 9

    department = departments["020100"]
    department.name = "市民生活課"
    department.save()
    assert frames_of(city)[0].nodes.at[key, "name"] == "市民生活課"

    with translation.override("ja"):
        japanese = frames_of(city)[0].nodes.at[0, "name"]
    with translation.override("en"):
        english = frames_of(city)[0].nodes.at[0, "name"]
    assert japanese != english


@override_settings(ANALYTICS_CACHE_SECONDS=3600)
def test_frames_that_fell_back_to_live_counts_are_never_kept(departments, competencies):
    """No snapshot yet: the frames are today's live counts, and a change shows on the next read."""
    municipality = departments["020100"].municipality_id
    levels(people(departments["020100"], 3), competencies["A1"], 3)
    today = timezone.localdate()
    first = frames_of(municipality, on=today)
    assert not first[4] and count(first[1], departments["020100"].pk, "A1") == 3
    levels(people(departments["020100"], 1), competencies["A1"], 3)
    assert count(frames_of(municipality, on=today)[1], departments["020100"].pk, "A1") == 4


@override_settings(ANALYTICS_CACHE_SECONDS=3600)
def test_another_municipality_never_reads_the_citys_frames(city, departments, competencies):
    """The town has a snapshot of the same day and a department of the same shape: its frames are its
    own, whichever municipality was read first."""
    town = MunicipalityFactory(code="999993")
    office = DepartmentFactory(municipality=town, code="010000", name="総務課")
    levels(people(office, 5), competencies["A1"], 3)
    services.snapshot_take(municipality_id=town.pk, on=MAY)
    city_values, town_values = frames_of(city)[1], frames_of(town.pk)[1]
    assert count(town_values, office.pk, "A1") == 5 and count(town_values, 0, "headcount") == 5
    assert count(city_values, 0, "headcount") == 13
    assert office.pk not in city_values.index and departments["020100"].pk not in town_values.index


def test_the_process_keeps_the_last_entries_within_its_byte_limit_and_read_only():
    import numpy as np

    from analytics.stack_cache import _LocalEntries

    local = _LocalEntries(limit=3 * 8200)  # three entries of 8,000 bytes and a little
    for n in range(4):
        local.put(f"k{n}", ([], np.zeros(1000, dtype="int64")))  # 8,000 bytes each
    assert local.get("k0") is None  # the least recently used went first
    assert local.get("k1") is not None
    local.put("k4", ([], np.zeros(1000, dtype="int64")))
    assert local.get("k2") is None and local.get("k1") is not None  # k1 was read since: k2 went
    local.put("huge", (np.zeros(10_000, dtype="int64"),))  # larger than the limit: never kept
    assert local.get("huge") is None
    shared = local.get("k1")[1]
    with pytest.raises(ValueError):
        shared[0] = 1  # every view shares it: none may change it

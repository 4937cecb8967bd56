"""Snapshots behind the scoped manager (issue 13, ADR 0016): the task, the nightly job and the prefecture's
view scope themselves. These tests run with no scope at all (``scoped``), as a Celery worker does."""

import datetime

import pytest

from analytics.models import DepartmentSnapshot, SnapshotRun
from analytics.prefecture import prefecture_report
from analytics.tasks import snapshot_nightly, snapshot_run_task
from lms_site.organisation.models import MunicipalityKind
from lms_site.organisation.tenancy import ScopeError, municipality_scope, platform_wide
from tests.factories import AssignmentFactory, DepartmentFactory, MunicipalityFactory, StaffProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.scoped]
TODAY = datetime.date(2026, 12, 3)


@pytest.fixture
def two_towns():
    with platform_wide():
        towns = []
        for code in ("999991", "999992"):
            department = DepartmentFactory(municipality=MunicipalityFactory(code=code, prefecture="別県"))
            for _ in range(2):
                staff = StaffProfileFactory(municipality=department.municipality)
                AssignmentFactory(staff=staff, department=department, starts_on=datetime.date(2025, 4, 1))
            towns.append(department.municipality)
        return towns


def snapshot_municipalities() -> set[int]:
    with platform_wide():
        return set(DepartmentSnapshot.objects.values_list("municipality_id", flat=True))


def test_an_unscoped_read_of_snapshots_raises(two_towns):
    with pytest.raises(ScopeError):
        DepartmentSnapshot.objects.filter(municipality=two_towns[0]).exists()
    with pytest.raises(ScopeError):
        SnapshotRun.objects.filter(municipality=two_towns[0]).first()


def test_a_municipality_s_run_scopes_itself_and_snapshots_only_that_municipality(two_towns):
    city, town = two_towns
    with municipality_scope(city):  # as HR's 「今すぐ再計算」 records it
        run = SnapshotRun.objects.create(municipality=city, taken_on=TODAY)

    assert snapshot_run_task(run.pk) == "done"

    assert snapshot_municipalities() == {city.pk}
    with municipality_scope(town):  # the town does not see the city's run
        assert not SnapshotRun.objects.filter(pk=run.pk).exists()


def test_a_run_deleted_before_its_task_is_nothing_to_do(two_towns):
    with platform_wide():
        run = SnapshotRun.objects.create(municipality=two_towns[0], taken_on=TODAY)
        SnapshotRun.objects.filter(pk=run.pk).delete()
    assert snapshot_run_task(run.pk) is None


def test_the_nightly_run_queues_one_scoped_run_per_municipality(
    two_towns, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # queued on commit; eager here
        assert snapshot_nightly() == len(two_towns)
    assert snapshot_municipalities() == {town.pk for town in two_towns}
    for town in two_towns:  # each municipality's HR sees its own run in its list, and only that one
        with municipality_scope(town):
            assert list(SnapshotRun.objects.values_list("municipality_id", flat=True)) == [town.pk]


def test_the_prefecture_reads_its_municipalities_snapshots_whatever_scope_it_is_called_in(two_towns):
    """The prefecture's officials act in their prefecture only, yet its view reads the snapshots of its
    municipalities: in their scope, set by the view itself (and in no other municipality's)."""
    with platform_wide():
        prefecture = MunicipalityFactory(
            code="980001", name="架空県", prefecture="架空県", kind=MunicipalityKind.PREFECTURE
        )
        members = []
        for code, staff in (("980101", 120), ("980102", 40)):
            municipality = MunicipalityFactory(code=code, prefecture="架空県")
            department = DepartmentFactory(municipality=municipality)
            DepartmentSnapshot.objects.create(
                municipality=municipality,
                department=department,
                taken_on=datetime.date(2026, 11, 30),
                headcount=staff,
            )
            members.append(municipality)
        outsider = two_towns[0]  # another prefecture's municipality, with a snapshot of its own
        DepartmentSnapshot.objects.create(
            municipality=outsider,
            department=DepartmentFactory(municipality=outsider),
            taken_on=datetime.date(2026, 11, 30),
            headcount=500,
        )

    def totals():
        report = prefecture_report(prefecture=prefecture, today=TODAY)
        return {row[0]: row[1] for row in report.tables["municipalities"].rows}

    with municipality_scope(prefecture):  # the official's request
        as_official = totals()
    with municipality_scope(outsider):
        as_outsider = totals()
    assert as_official == as_outsider == {"県内の合計": 160, members[0].name: 120, members[1].name: 40}
    with municipality_scope(prefecture):  # and the scope is the official's own again afterwards
        assert not DepartmentSnapshot.objects.exists()

"""Reports count people where they were on the report's day, in a fixed number of queries."""

import datetime
import json
import zoneinfo

import pytest
from django.db.models import Sum

from analytics import reports, selectors, services
from analytics.models import CoverageSnapshot, DepartmentSnapshot
from tests.factories import AssignmentFactory, StaffProfileFactory

from .factories import CertificateFactory, TargetFactory, levels, people

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
ROTATION = datetime.date(2026, 4, 1)
BEFORE, AFTER = datetime.date(2026, 3, 15), datetime.date(2026, 5, 1)


@pytest.fixture
def rotated(departments, competencies, programs):
    """Six people in 市民課 until 31 March who moved to 人事課 on 1 April, with A1 Lv3 and a leader."""
    moved = []
    for _ in range(6):
        staff = StaffProfileFactory(municipality=departments["020100"].municipality)
        AssignmentFactory(
            staff=staff,
            department=departments["020100"],
            starts_on=datetime.date(2024, 4, 1),
            ends_on=ROTATION - datetime.timedelta(days=1),
        )
        AssignmentFactory(staff=staff, department=departments["010100"], starts_on=ROTATION)
        moved.append(staff.user)
    levels(moved, competencies["A1"], 3)
    CertificateFactory(user=moved[0], program=programs["DX_LEADER"], issued_on=datetime.date(2025, 6, 1))
    return moved


def direct(report, department, column="A1"):
    return int(report.direct[column].get(department.pk, 0))


def test_a_report_dated_before_the_rotation_counts_people_in_their_old_department(departments, rotated):
    municipality = departments["020100"].municipality_id
    before = reports.coverage_report(on=BEFORE, level=3, municipality_id=municipality)
    after = reports.coverage_report(on=AFTER, level=3, municipality_id=municipality)
    assert direct(before, departments["020100"]) == 6 and direct(before, departments["010100"]) == 0
    assert direct(after, departments["020100"]) == 0 and direct(after, departments["010100"]) == 6
    assert before.values.at[departments["020000"].pk, "headcount"] == 6  # 市民部 rolls up 市民課


def test_leaders_stay_with_last_years_department(departments, rotated):
    municipality = departments["020100"].municipality_id
    before = {r["department_id"]: r for r in selectors.people_rows(on=BEFORE, municipality_id=municipality)}
    after = {r["department_id"]: r for r in selectors.people_rows(on=AFTER, municipality_id=municipality)}
    assert before[departments["020100"].pk]["leaders"] == 1
    assert after[departments["010100"].pk]["leaders"] == 1 and departments["020100"].pk not in after


def test_a_certificate_counts_from_issue_until_expiry_or_revocation(departments, competencies, programs):
    users = people(departments["020100"], 3)
    leader = programs["DX_LEADER"]
    CertificateFactory(user=users[0], program=leader, issued_on=datetime.date(2026, 1, 10))
    CertificateFactory(
        user=users[1],
        program=leader,
        issued_on=datetime.date(2025, 1, 10),
        expires_on=datetime.date(2026, 1, 31),
    )
    CertificateFactory(
        user=users[2],
        program=leader,
        issued_on=datetime.date(2025, 1, 10),
        revoked_at=datetime.datetime(2026, 2, 1, 9, 0, tzinfo=TOKYO),
    )

    def leaders(day):
        rows = selectors.people_rows(on=day, municipality_id=departments["020100"].municipality_id)
        return sum(r["leaders"] for r in rows)

    assert leaders(datetime.date(2026, 1, 9)) == 2
    assert leaders(datetime.date(2026, 1, 31)) == 3
    assert leaders(datetime.date(2026, 2, 1)) == 1  # expired the day before; revoked during the day


def test_the_coverage_report_takes_three_queries_whatever_the_size(
    departments, competencies, django_assert_num_queries
):
    municipality = departments["020100"].municipality_id
    with django_assert_num_queries(3):
        reports.coverage_report(on=AFTER, level=2, municipality_id=municipality)
    for department in departments.values():
        levels(people(department, 3), competencies["B1"], 2)
    with django_assert_num_queries(3):
        report = reports.coverage_report(on=AFTER, level=2, municipality_id=municipality)
    assert report.values.at[0, "B1"] == 18


def test_the_snapshot_gives_the_same_numbers_and_is_idempotent(departments, rotated, competencies):
    municipality = departments["020100"].municipality_id
    levels(people(departments["020200"], 7), competencies["C2"], 4)
    services.snapshot_take(municipality_id=municipality, on=AFTER)
    counts = (DepartmentSnapshot.objects.count(), CoverageSnapshot.objects.count())
    services.snapshot_take(municipality_id=municipality, on=AFTER)
    assert (DepartmentSnapshot.objects.count(), CoverageSnapshot.objects.count()) == counts
    live = reports.coverage_report(on=AFTER, level=3, municipality_id=municipality)
    stored = reports.coverage_report(on=AFTER, level=3, municipality_id=municipality, source=reports.SNAPSHOT)
    assert stored.taken_on == AFTER
    assert live.values.equals(stored.values)


def test_one_snapshot_per_month_is_kept(departments, rotated):
    municipality = departments["020100"].municipality_id
    for day in (1, 15, 28):
        services.snapshot_take(municipality_id=municipality, on=datetime.date(2026, 5, day))
    services.snapshot_take(municipality_id=municipality, on=datetime.date(2026, 6, 1))
    days = sorted(set(DepartmentSnapshot.objects.values_list("taken_on", flat=True)))
    assert days == [datetime.date(2026, 5, 28), datetime.date(2026, 6, 1)]


def test_the_dashboard_reads_snapshots_in_a_fixed_number_of_queries(
    departments, rotated, django_assert_max_num_queries
):
    municipality = departments["020100"].municipality_id
    TargetFactory(department=departments["010100"], fiscal_year=2026, leaders=2)
    for month in range(1, 7):
        services.snapshot_take(municipality_id=municipality, on=datetime.date(2026, month, 1))
    with django_assert_max_num_queries(6):
        board = reports.hr_dashboard(municipality_id=municipality, on=datetime.date(2026, 6, 2), level=3)
    assert board.coverage.taken_on == datetime.date(2026, 6, 1)
    trend = board.tables["trend"].rows
    assert [row[0] for row in trend] == [f"2026-0{m}" for m in range(1, 7)]
    leaders = {row[0]: row for row in board.tables["leaders"].rows}
    assert leaders["人事課"][1:4] == [2, 1, 1]


def test_the_nightly_task_queues_one_snapshot_run_per_municipality(
    departments, rotated, competencies, django_capture_on_commit_callbacks
):
    from analytics.models import SnapshotRun
    from analytics.tasks import snapshot_nightly
    from tests.factories import DepartmentFactory, MunicipalityFactory

    other = DepartmentFactory(municipality=MunicipalityFactory(code="999992"), code="990000", name="総務部")
    levels(people(other, 5), competencies["A1"], 4)
    city = departments["020100"].municipality_id

    with django_capture_on_commit_callbacks(execute=True):  # queued on commit; eager here
        assert snapshot_nightly() == 2

    runs = {run.municipality_id: run for run in SnapshotRun.objects.all()}
    assert set(runs) == {city, other.municipality_id}
    assert all(run.status == "done" and run.percent == 100 and run.total_steps == 2 for run in runs.values())
    by_city = dict(
        CoverageSnapshot.objects.filter(competency__code="A1", level__gte=3)
        .values_list("municipality_id")
        .annotate(n=Sum("people"))
    )
    assert by_city == {city: 6, other.municipality_id: 5}


def test_the_nightly_task_delivered_twice_queues_nothing_more(
    departments, rotated, competencies, django_capture_on_commit_callbacks
):
    from analytics.models import SnapshotRun
    from analytics.tasks import snapshot_nightly

    with django_capture_on_commit_callbacks(execute=True):
        assert snapshot_nightly() == 1
    assert snapshot_nightly() == 0  # today's run is done (or queued, or running): not taken twice
    SnapshotRun.objects.update(status="failed")
    assert snapshot_nightly() == 1  # a failed one is taken again
    assert SnapshotRun.objects.count() == 2


def test_the_forecast_follows_the_monthly_pace_with_a_range(departments, competencies, programs):
    municipality = departments["020100"].municipality_id
    users = people(departments["020100"], 8)
    TargetFactory(department=departments["020100"], fiscal_year=2026, leaders=8)
    for month, user in zip(range(1, 7), users, strict=False):  # one new leader a month, January to June
        CertificateFactory(user=user, program=programs["DX_LEADER"], issued_on=datetime.date(2026, month, 1))
        services.snapshot_take(municipality_id=municipality, on=datetime.date(2026, month, 2))

    board = reports.hr_dashboard(municipality_id=municipality, on=datetime.date(2026, 6, 3), level=3)

    leaders = {row[0]: row for row in board.tables["leaders"].rows}
    assert leaders["市民課"][1:4] == [8, 6, 2]
    assert leaders["市民課"][6].startswith("2026-08(2026-08〜2026-08)")  # a perfect line: no spread
    figure = json.loads(board.figures["trend"])
    assert any(trace.get("fill") == "tonexty" for trace in figure["data"])  # the 80% band is drawn


def test_the_suppressed_dashboard_reads_every_published_month_in_a_fixed_number_of_queries(
    departments, rotated, django_assert_num_queries
):
    """Competencies, departments, the people and coverage snapshots of every closed month, targets."""
    municipality = departments["020100"].municipality_id
    TargetFactory(department=departments["010100"], fiscal_year=2026, leaders=2)
    month_ends = [datetime.date(2026, 1, 31), datetime.date(2026, 2, 28), datetime.date(2026, 3, 31)]
    for day in month_ends[:1]:
        services.snapshot_take(municipality_id=municipality, on=day)
    with django_assert_num_queries(5):
        reports.hr_dashboard(municipality_id=municipality, on=AFTER, level=3, suppressed=True)
    for day in month_ends[1:]:
        services.snapshot_take(municipality_id=municipality, on=day)
    with django_assert_num_queries(5):
        board = reports.hr_dashboard(
            municipality_id=municipality, on=AFTER, level=3, suppressed=True, source=reports.LIVE
        )
    assert board.coverage.taken_on == month_ends[-1]  # the latest closed month, not the live day
    assert [row[0] for row in board.tables["trend"].rows] == ["2026-01", "2026-02", "2026-03"]

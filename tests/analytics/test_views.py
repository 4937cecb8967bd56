"""/hr/ for each role: scope, suppression end to end, exports (CSV with BOM, XLSX), audit log, targets."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.models import DevelopmentTarget, SnapshotRun
from lms_site.organisation.models import DepartmentKind, PersonalDataAccess
from tests.factories import DepartmentFactory

from .conftest import person
from .factories import CertificateFactory, TargetFactory, levels, people

ON = datetime.date(2026, 6, 1)


@pytest.fixture
def city(departments, competencies, programs):
    """市民課: 4 people at A1 Lv3; 保険年金課: 6; 人事課: 5; 研修係: 2 — and two leaders in 市民課."""
    shimin = people(departments["020100"], 4)
    levels(shimin, competencies["A1"], 3)
    hoken = people(departments["020200"], 6)
    levels(hoken, competencies["A1"], 3)
    jinji = people(departments["010100"], 5)
    levels(jinji, competencies["A1"], 3)
    kenshu = people(departments["010101"], 2)
    levels(kenshu, competencies["A1"], 2)
    for user in shimin[:2]:
        CertificateFactory(user=user, program=programs["DX_LEADER"])
    TargetFactory(department=departments["020100"], fiscal_year=2026, leaders=3)
    TargetFactory(department=departments["010100"], fiscal_year=2026, leaders=2)
    return departments


@pytest.fixture
def published(city):
    """The month-end snapshot before ON: all a viewer without personal data may see (ADR 0012)."""
    from analytics import services

    services.snapshot_take(municipality_id=city["020100"].municipality_id, on=datetime.date(2026, 5, 31))
    return city


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, {"on": ON.isoformat(), "source": "live", "level": 3, **params})


def coverage_rows(response) -> dict[str, list]:
    table = response.context["dashboard"].tables["coverage"]
    return {row[0]: row for row in table.rows}


def test_hr_sees_the_whole_city_with_exact_numbers(client, city, hr):
    response = get(client, hr, "/hr/", dept=city["020000"].pk)
    assert response.status_code == 200
    rows = coverage_rows(response)
    assert rows["市民課"][1] == 4 and rows["市民課"][2] == 100.0  # A1 column: 4 of 4
    assert 'id="table-coverage"' in response.content.decode()
    assert PersonalDataAccess.objects.filter(viewer=hr, view="hr_dashboard").count() == 1


def test_manager_sees_only_their_own_department(client, city, manager):
    response = get(client, manager, "/hr/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "市民課" in content and "保険年金課" not in content and "人事課" not in content
    # asking for a department outside the subtree shows the manager's own
    response = get(client, manager, "/hr/", dept=city["010000"].pk)
    assert response.context["dashboard"].node == city["020100"].pk
    assert "総務部" not in response.content.decode()


def test_learner_may_not_see_the_dashboard(client, city, departments):
    learner = person("learner", departments["020100"])
    assert get(client, learner, "/hr/").status_code == 403
    assert get(client, learner, "/hr/export/coverage.csv").status_code == 403


def test_summary_viewer_sees_small_cells_suppressed_in_page_and_exports(client, published, reviewer):
    city = published
    response = get(client, reviewer, "/hr/", dept=city["020000"].pk)
    rows = coverage_rows(response)
    assert rows["市民課"][2] == "<5"  # 4 people: suppressed
    assert rows["保険年金課"][2] != 6 and rows["保険年金課"][2] in ("<5", "×")  # else 市民部 − 6 = 4
    assert not PersonalDataAccess.objects.filter(viewer=reviewer).exists()
    text = get(client, reviewer, "/hr/export/coverage.csv", dept=city["020000"].pk).content.decode(
        "utf-8-sig"
    )
    exported = {row[0]: row for row in csv.reader(io.StringIO(text)) if row}
    assert exported["市民課"][2] == "<5"
    assert get(client, reviewer, "/hr/talent/").status_code == 403


def test_csv_export_has_a_bom_and_reads_back_in_japanese(client, city, hr):
    response = get(client, hr, "/hr/export/coverage.csv", dept=city["020000"].pk)
    assert PersonalDataAccess.objects.filter(viewer=hr, view="hr_export_coverage_csv").exists()
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["所属", "職員数", "A1"]
    assert ["市民課", "4", "100.0"] in [r[:3] for r in rows]


def test_xlsx_export_opens_with_openpyxl(client, city, hr):
    response = get(client, hr, "/hr/export/leaders.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    values = [[c.value for c in row] for row in workbook.active.iter_rows()]
    assert values[1][:3] == ["所属", "目標(人)", "認定者(人)"]
    by_name = {row[0]: row for row in values[2:] if row and row[0]}
    assert by_name["市民課"][1:4] == [3, 2, 1]


def test_exports_neutralise_spreadsheet_formulas(client, city, hr):
    DepartmentFactory(parent=city["020000"], code="020300", name="=HYPERLINK(1)", kind=DepartmentKind.KA)
    response = get(client, hr, "/hr/export/coverage.csv", dept=city["020000"].pk)
    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")
    response = get(client, hr, "/hr/export/coverage.xlsx", dept=city["020000"].pk)
    cells = [
        c.value
        for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows()
        for c in row
    ]
    assert "'=HYPERLINK(1)" in cells


def test_talent_search_lists_people_and_is_audited(client, city, hr, manager):
    client.force_login(hr)
    response = client.get("/hr/talent/", {"competency": "A1", "level": 3, "on": ON.isoformat()})
    assert len(response.context["table"].rows) == 15
    access = PersonalDataAccess.objects.get(viewer=hr, view="hr_talent")
    assert access.rows == 15 and access.parameters["competency"] == "A1"
    client.force_login(manager)
    response = client.get("/hr/talent/", {"competency": "A1", "level": 3, "on": ON.isoformat()})
    assert len(response.context["table"].rows) == 4  # only 市民課
    response = client.get("/hr/talent/", {"competency": "A1", "level": 3, "format": "csv"})
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert PersonalDataAccess.objects.filter(viewer=manager, view="hr_talent_csv").exists()


def test_hr_sets_targets_on_the_targets_page(client, city, hr, manager):
    client.force_login(hr)
    url = reverse("analytics:targets") + "?year=2026"
    prefix = f"d{city['020200'].pk}"
    response = client.post(url, {f"{prefix}-leaders": "4", f"{prefix}-basic_share": "60.5"})
    assert response.status_code == 302
    target = DevelopmentTarget.objects.get(department=city["020200"], fiscal_year=2026)
    assert target.leaders == 4 and float(target.basic_share) == 60.5
    assert not DevelopmentTarget.objects.filter(department=city["020100"], fiscal_year=2026).exists()
    client.force_login(manager)
    assert client.get(url).status_code == 403


def test_recompute_now_runs_the_snapshot_and_shows_progress(
    client, city, hr, django_capture_on_commit_callbacks
):
    client.force_login(hr)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("analytics:snapshot_run"))
    run = SnapshotRun.objects.get()
    assert response.url == reverse("analytics:snapshot_status", args=[run.pk])
    state = client.get(response.url, {"format": "json"}).json()
    assert state["status"] == "done" and state["percent"] == 100
    page = client.get(reverse("analytics:dashboard"))
    assert page.context["dashboard"].coverage.taken_on == run.taken_on  # now read from the snapshot


def test_no_suppressed_cell_can_be_recovered_by_differencing_the_exported_table(client, published, reviewer):
    """Each drill-down table is a total row followed by its members: for every column, either the total is
    hidden, or no member is, or at least two are and together they describe five people or more."""
    city = published
    for dept in (None, city["010000"].pk, city["020000"].pk):
        params = {"dept": dept} if dept else {}
        text = get(client, reviewer, "/hr/export/coverage.csv", **params).content.decode("utf-8-sig")
        rows = [row for row in csv.reader(io.StringIO(text)) if len(row) > 2][1:]
        total, members = rows[0], rows[1:]
        for column in range(1, len(total)):
            hidden = [m[column] for m in members if m[column] in ("<5", "×")]
            if total[column] in ("<5", "×") or not hidden:
                continue
            assert len(hidden) >= 2, (dept, column, total[column], [m[column] for m in members])


def test_admin_target_form_offers_only_the_editors_municipality(city, hr):
    from analytics.admin_forms import DevelopmentTargetAdminForm
    from lms_site.organisation.models import Department
    from tests.factories import MunicipalityFactory

    elsewhere = DepartmentFactory(
        municipality=MunicipalityFactory(code="999993"), code="770000", name="他市部"
    )
    form_class = type(
        "Form",
        (DevelopmentTargetAdminForm,),
        {"Meta": type("Meta", (), {"model": DevelopmentTarget, "fields": ["department"]})},
    )
    choices = set(form_class(for_user=hr).fields["department"].queryset)
    assert (
        elsewhere not in choices
        and set(Department.objects.filter(municipality=city["020100"].municipality)) == choices
    )


def test_hr_edits_targets_in_the_wagtail_admin_too(client, city, hr, manager):
    client.force_login(hr)
    assert client.get("/admin/snippets/analytics/developmenttarget/").status_code == 200
    assert client.get("/admin/snippets/analytics/developmenttarget/add/").status_code == 200
    client.force_login(manager)
    assert client.get("/admin/snippets/analytics/developmenttarget/").status_code in (302, 403)


def test_the_audit_log_is_read_only_in_the_django_admin(admin_client, city, hr, client):
    get(client, hr, "/hr/")
    response = admin_client.get("/django-admin/organisation/personaldataaccess/")
    assert response.status_code == 200 and "hr_dashboard" in response.content.decode()
    assert admin_client.get("/django-admin/organisation/personaldataaccess/add/").status_code == 403


def test_summary_viewer_gets_no_table_before_the_first_closed_month(client, city, reviewer):
    """Without a closed month's snapshot there is nothing a viewer without personal data may see: not the
    live numbers (``source=live`` is ignored), not this month's snapshot."""
    from django.utils import timezone

    from analytics import services

    today = timezone.localdate().isoformat()
    services.snapshot_take(municipality_id=city["020100"].municipality_id, on=timezone.localdate())
    response = get(client, reviewer, "/hr/", dept=city["020000"].pk, on=today)  # this month: not closed
    board = response.context["dashboard"]
    assert not board.published and board.tables["coverage"].rows == []
    assert "公表できる月次の集計" in response.content.decode()
    text = get(client, reviewer, "/hr/export/coverage.csv", on=today).content.decode("utf-8-sig")
    assert "市民課" not in text and "公表できる月次の集計" in text
    assert get(client, reviewer, "/hr/", on=today).context["dashboard"].coverage.taken_on is None


@pytest.mark.parametrize("viewer", ["hr", "manager", "reviewer"])
def test_the_dashboard_costs_the_same_queries_for_a_small_or_a_larger_city(
    client, published, viewer, request, django_assert_num_queries
):
    """/hr/ from the snapshots: adding departments, people and a snapshot adds no query (the page is
    warmed first: sessions, permission sets and the shared caches)."""
    from analytics import services

    user = request.getfixturevalue(viewer)
    client.force_login(user)
    url = "/hr/?" + f"on={ON.isoformat()}&level=3&source=snapshot"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    expected = len(small.captured_queries)  # now: the next request empties Django's query log
    for n in range(6):
        department = DepartmentFactory(
            municipality=published["020100"].municipality,
            parent=published["020000"],
            code=f"0209{n:02d}",
            name=f"臨時課{n}",
            kind=DepartmentKind.KA,
        )
        people(department, 7)
    services.snapshot_take(municipality_id=published["020100"].municipality_id, on=ON)
    client.get(url)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200

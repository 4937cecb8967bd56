"""Issue 12, item 15: every export of every report, CSV and XLSX, with rows, as each role allowed to
download it, answers 200 with a file that parses; the talent search's XLSX (a lazy 役職 label reached
openpyxl) no longer answers 500; and a failed export leaves no audit row claiming it was delivered."""

import csv
import datetime
import io

import openpyxl
import pytest

from analytics import services, views
from lms_site.organisation.models import PersonalDataAccess
from tests.analytics.conftest import competencies, framework, framework_csv, hr, manager, programs, reviewer  # noqa: F401
from tests.analytics.factories import CertificateFactory, TargetFactory, levels, people

ON = datetime.date(2026, 6, 1)
DASHBOARD_REPORTS = ("coverage", "leaders", "trend", "funnel")


@pytest.fixture
def city(departments, competencies, programs):  # noqa: F811
    """People with A1 in three 課, two leaders, targets, and two closed months' snapshots."""
    for code, count in (("020100", 6), ("020200", 7), ("010100", 5)):
        levels(people(departments[code], count), competencies["A1"], 3)
    for user in people(departments["020100"], 2):
        CertificateFactory(user=user, program=programs["DX_LEADER"])
    TargetFactory(department=departments["020100"], fiscal_year=2026, leaders=3)
    TargetFactory(department=departments["010100"], fiscal_year=2026, leaders=2)
    for day in (datetime.date(2026, 4, 30), datetime.date(2026, 5, 31)):
        services.snapshot_take(municipality_id=departments["020100"].municipality_id, on=day)
    return departments


def parsed(response, fmt: str) -> list[list]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith("attachment;")
    if fmt == "csv":
        return [row for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) if row]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows() if any(c.value for c in row)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", DASHBOARD_REPORTS)
@pytest.mark.parametrize("role", ["hr", "manager", "reviewer"])
def test_every_dashboard_export_downloads_with_rows(client, city, request, role, name, fmt):
    client.force_login(request.getfixturevalue(role))
    response = client.get(f"/hr/export/{name}.{fmt}", {"on": ON.isoformat(), "level": 3})
    rows = parsed(response, fmt)
    header = 0 if fmt == "csv" else 1  # the XLSX has its title above the header
    data = [row for row in rows[header + 1 :] if len(row) > 1]
    assert data, (role, name, fmt, rows)
    audited = PersonalDataAccess.objects.filter(view=f"hr_export_{name}_{fmt}").exists()
    assert audited == (role != "reviewer")  # suppressed exports describe nobody


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("role", ["hr", "manager"])
def test_the_talent_search_exports_with_rows(client, city, request, role, fmt):
    client.force_login(request.getfixturevalue(role))
    response = client.get(
        "/hr/talent/", {"competency": "A1", "level": 3, "on": ON.isoformat(), "format": fmt}
    )
    rows = parsed(response, fmt)  # XLSX was a 500: Cannot convert '主事'
    data = [row for row in rows if row and str(row[0]).isdigit()]
    assert len(data) == (18 if role == "hr" else 6)
    assert all(row[3] == "主事" for row in data)  # the 役職 label, as text
    access = PersonalDataAccess.objects.get(view=f"hr_talent_{fmt}")
    assert access.rows == len(data)


def test_the_reviewer_may_not_download_the_talent_search(client, city, reviewer):  # noqa: F811
    client.force_login(reviewer)
    response = client.get("/hr/talent/", {"competency": "A1", "level": 3, "format": "xlsx"})
    assert response.status_code == 403


def broken(table):
    raise ValueError("the file could not be written")


def test_a_failed_export_leaves_no_audit_row(client, city, hr, monkeypatch):  # noqa: F811
    monkeypatch.setitem(views.FORMATS, "xlsx", (broken, views.FORMATS["xlsx"][1]))
    client.force_login(hr)
    with pytest.raises(ValueError, match="could not be written"):
        client.get("/hr/export/coverage.xlsx", {"on": ON.isoformat()})
    with pytest.raises(ValueError, match="could not be written"):
        client.get("/hr/talent/", {"competency": "A1", "level": 3, "format": "xlsx"})
    assert not PersonalDataAccess.objects.filter(viewer=hr).exists()
    # the same downloads as CSV are delivered and recorded
    assert client.get("/hr/export/coverage.csv", {"on": ON.isoformat()}).status_code == 200
    assert client.get("/hr/talent/", {"competency": "A1", "level": 3, "format": "csv"}).status_code == 200
    assert set(PersonalDataAccess.objects.filter(viewer=hr).values_list("view", flat=True)) == {
        "hr_export_coverage_csv",
        "hr_talent_csv",
    }

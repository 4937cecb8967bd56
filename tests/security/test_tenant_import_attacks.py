"""Issue 13: a staff import always goes into the uploader's municipality, over HTTP as each would try.

The review's attack: the second municipality's HR uploaded a staff file and the person landed in the first
city (the import took the first municipality); with 「全職員の一覧として取り込む」 it would have retired that
city's whole staff.
"""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lms_site.organisation.models import DepartmentKind, StaffImport, StaffProfile
from lms_site.organisation.roles import ROLES, Role
from lms_site.organisation.tenancy import platform_wide
from tests.factories import (
    AssignmentFactory,
    DepartmentFactory,
    MunicipalityFactory,
    StaffProfileFactory,
    UserFactory,
)
from tests.organisation.test_staff_import import csv_bytes

pytestmark = pytest.mark.django_db

TOWN_ROW = "500001,森,春香,モリ,ハルカ,T100,主事,一般行政,2020,mori@town.example.lg.jp"


@pytest.fixture
def city(departments):
    """若葉市 with two staff in force (built platform-wide: the ``scoped`` tests below start with none)."""
    municipality = departments["010100"].municipality
    with platform_wide():
        for number in ("150001", "180002"):
            AssignmentFactory(
                staff=StaffProfileFactory(municipality=municipality, employee_number=number),
                department=departments["020100"],
            )
    return municipality


@pytest.fixture
def town(db):
    town = MunicipalityFactory(code="999992", name="みどり町")
    with platform_wide():
        DepartmentFactory(municipality=town, code="T100", name="総務課", kind=DepartmentKind.KA)
    return town


def hr_of(municipality, username: str):
    user = UserFactory(username=username)
    StaffProfileFactory(user=user, municipality=municipality, employee_number=f"9{municipality.code}")
    user.groups.add(Group.objects.get(name=ROLES[Role.HR].group_name))
    return user


def upload(client, content: bytes, **extra):
    data = {
        "file": SimpleUploadedFile("staff.csv", content, content_type="text/csv"),
        "effective_date": "2026-04-01",
    }
    return client.post(reverse("organisation_admin:staff_import_create"), {**data, **extra})


def city_state(city) -> list[tuple]:
    return sorted(
        StaffProfile.objects.filter(municipality=city).values_list(
            "employee_number", "is_active", "user__is_active"
        )
    )


def test_the_towns_full_list_import_goes_into_the_town_and_retires_nobody_in_the_city(client, city, town):
    before = city_state(city)
    client.force_login(hr_of(town, "town-hr"))

    response = upload(client, csv_bytes(TOWN_ROW), retire_missing="on")

    assert response.status_code == 302
    job = StaffImport.objects.get()
    assert job.municipality == town and job.status == "done"
    assert StaffProfile.objects.get(employee_number="500001").municipality == town
    assert city_state(city) == before  # nobody of the city retired, nobody added to it


def test_a_department_code_of_the_other_municipality_is_unknown_and_nothing_is_written(client, city, town):
    client.force_login(hr_of(town, "town-hr"))
    before = sorted(StaffProfile.objects.values_list("employee_number", flat=True))
    city_row = (
        "500002,林,翔,ハヤシ,ショウ,020100,主事,一般行政,2021,hayashi@town.example.lg.jp"  # the city's 市民課
    )

    response = upload(client, csv_bytes(TOWN_ROW, city_row))

    job = StaffImport.objects.get()
    assert job.status == "failed"
    assert any("3行目" in error and "020100" in error for error in job.errors), job.errors
    assert sorted(StaffProfile.objects.values_list("employee_number", flat=True)) == before
    assert response.status_code == 302


def test_the_system_administrator_chooses_the_municipality_and_must_choose(client, city, town):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)

    refused = upload(client, csv_bytes(TOWN_ROW))

    assert refused.status_code == 200 and "取り込む自治体" in refused.content.decode()
    assert not StaffImport.objects.exists()
    upload(client, csv_bytes(TOWN_ROW), municipality=town.pk)
    assert StaffImport.objects.get().municipality == town


def test_hr_without_a_staff_record_imports_nothing_anywhere(client, city, town):
    user = UserFactory(username="hr-no-record")
    user.groups.add(Group.objects.get(name=ROLES[Role.HR].group_name))
    client.force_login(user)
    before = city_state(city)

    response = upload(client, csv_bytes(TOWN_ROW), municipality=city.pk)

    assert response.status_code == 200
    assert "所属する自治体が特定できない" in response.content.decode()
    assert not StaffImport.objects.exists() and city_state(city) == before


def test_the_towns_hr_cannot_open_the_citys_import_jobs(client, city, town):
    city_job = StaffImport.objects.create(
        municipality=city, file_name="若葉.csv", content=b"", effective_date="2026-04-01"
    )
    client.force_login(hr_of(town, "town-hr"))

    assert (
        client.get(reverse("organisation_admin:staff_import_detail", args=[city_job.pk])).status_code == 404
    )
    assert (
        client.get(reverse("organisation_admin:staff_import_progress", args=[city_job.pk])).status_code == 404
    )
    assert "若葉.csv" not in client.get(reverse("organisation_admin:staff_import_list")).content.decode()


# --- the commands, run with no scope as on the command line ----------------------------------------------


@pytest.mark.scoped
def test_import_staff_into_the_named_municipality_only(tmp_path, city, town):
    from django.core.management import call_command

    with platform_wide():
        before = city_state(city)
    path = tmp_path / "town.csv"
    path.write_bytes(csv_bytes(TOWN_ROW))

    call_command(
        "import_staff", str(path), "--municipality", town.code, "--retire-missing", stdout=io.StringIO()
    )

    with platform_wide():
        assert StaffProfile.objects.get(employee_number="500001").municipality == town
        assert city_state(city) == before


@pytest.mark.scoped
@pytest.mark.parametrize("command", ["import_staff", "import_departments"])
def test_an_unknown_code_or_no_code_among_several_is_refused(tmp_path, city, town, command):
    from django.core.management import CommandError, call_command

    path = tmp_path / "file.csv"
    path.write_bytes(csv_bytes(TOWN_ROW))

    with pytest.raises(CommandError, match="no municipality has the code '123456'"):
        call_command(command, str(path), "--municipality", "123456")
    with pytest.raises(CommandError, match="Give --municipality CODE"):
        call_command(command, str(path))


@pytest.mark.scoped
def test_import_departments_writes_the_named_municipalitys_tree(tmp_path, city, town):
    from django.core.management import call_command

    from lms_site.organisation.models import Department

    path = tmp_path / "departments.csv"
    rows = "コード,上位コード,区分,名称,英語名称\nT200,,部,住民福祉部,Residents and Welfare Department\n"
    path.write_text(rows, encoding="utf-8")

    call_command("import_departments", str(path), "--municipality", town.code, stdout=io.StringIO())

    with platform_wide():
        assert Department.objects.get(code="T200").municipality == town
        assert not Department.objects.filter(municipality=city, code="T200").exists()

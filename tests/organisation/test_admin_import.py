"""Importing staff from the Wagtail admin: permission, validation whole, and large files as a task."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lms_site.organisation.models import ImportStatus, StaffImport, StaffProfile
from lms_site.organisation.roles import ROLES, Role
from tests.factories import StaffProfileFactory, UserFactory
from tests.organisation.test_staff_import import GOOD_ROWS, csv_bytes


@pytest.fixture
def hr_client(client, departments):
    """HR of the city: imports go into the municipality of their staff record (issue 13)."""
    user = UserFactory(username="hr-planner")
    StaffProfileFactory(user=user, municipality=departments["010100"].municipality, employee_number="900001")
    user.groups.add(Group.objects.get(name=ROLES[Role.HR].group_name))
    client.force_login(user)
    return client


def imported():
    """Staff records other than the importing HR person's own."""
    return StaffProfile.objects.exclude(employee_number="900001")


def post_file(client, content: bytes, name="staff.csv", **extra):
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    data = {"file": upload, "effective_date": "2025-04-01", **extra}
    return client.post(reverse("organisation_admin:staff_import_create"), data)


def test_hr_imports_a_small_file_at_once(hr_client):
    response = post_file(hr_client, csv_bytes(*GOOD_ROWS, encoding="cp932"))

    job = StaffImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("organisation_admin:staff_import_detail", args=[job.pk])
    assert job.status == ImportStatus.DONE and job.summary["created"] == 3
    assert job.effective_date == datetime.date(2025, 4, 1)
    page = hr_client.get(response.url)
    assert "新規 3 名" in page.content.decode()


def test_a_file_with_a_bad_row_shows_every_problem_and_imports_nothing(hr_client):
    response = post_file(hr_client, csv_bytes(GOOD_ROWS[0], "1,x,y,,,020100,主事,一般行政,3000,"))

    page = hr_client.get(response.url).content.decode()
    assert "3行目: 採用年度 3000 が範囲外です" in page
    assert "何も取り込んでいません" in page
    assert not imported().exists()


def test_large_file_is_queued_as_a_task_and_shows_progress(
    hr_client, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_IMPORT_ASYNC_ROWS = 2
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_file(hr_client, csv_bytes(*GOOD_ROWS))
    job = StaffImport.objects.get()
    assert job.status == ImportStatus.PENDING and len(callbacks) == 1
    progress_url = reverse("organisation_admin:staff_import_progress", args=[job.pk])
    assert hr_client.get(progress_url).json()["finished"] is False
    assert "import-progress" in hr_client.get(response.url).content.decode()

    callbacks[0]()  # the task, run eagerly (no broker in this test)

    data = hr_client.get(progress_url).json()
    assert data == {
        "status": "done",
        "status_label": "完了",
        "processed_rows": 3,
        "total_rows": 3,
        "finished": True,
    }
    assert imported().count() == 3


def test_rerunning_a_finished_job_changes_nothing(hr_client):
    from lms_site.organisation.services import staff_import_job_run

    post_file(hr_client, csv_bytes(*GOOD_ROWS))
    job = StaffImport.objects.get()
    staff_import_job_run(job_id=job.pk)
    assert imported().count() == 3
    job.refresh_from_db()
    assert job.summary["created"] == 3


def test_non_csv_upload_is_refused_by_the_form(hr_client):
    response = post_file(hr_client, b"%PDF-1.4", name="staff.pdf")
    assert response.status_code == 200
    assert "CSVファイル(.csv)を選んでください" in response.content.decode()
    assert not StaffImport.objects.exists()


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.LEARNER, Role.MANAGER])
def test_other_roles_may_not_import(client, departments, role):
    user = UserFactory(username=f"user-{role}")
    user.groups.add(Group.objects.get(name=ROLES[role].group_name))
    client.force_login(user)
    response = post_file(client, csv_bytes(*GOOD_ROWS))
    assert response.status_code in (302, 403)
    assert not StaffImport.objects.exists()


def test_advisor_cannot_list_staff_in_the_admin(client, departments):
    user = UserFactory(username="advisor")
    user.groups.add(Group.objects.get(name=ROLES[Role.ADVISOR].group_name))
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert reverse("organisation_admin:staff_import_list") not in response.content.decode()
    assert client.get("/admin/staffprofile/").status_code in (302, 403)


def test_hr_finds_the_import_in_the_admin_menu(hr_client):
    # The sidebar menu is rendered from JSON props, so look for the link's URL.
    assert (
        reverse("organisation_admin:staff_import_list")
        in hr_client.get(reverse("wagtailadmin_home")).content.decode()
    )

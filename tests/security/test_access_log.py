"""Issue 12 item 9: every view of one person's data, the Wagtail staff listing and inspect pages, and
every export are in the personal-data access log; 人事課 of the same municipality and the administrator
(nobody else) search it at /hr/audit/ by viewer, person and date, and export it (which is logged too)."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments.certification import services as certification_services
from assessments.certification.models import Qualification
from lms_site.organisation.models import PersonalDataAccess
from lms_site.organisation.roles import Role
from lms_site.organisation.services import personal_data_access_log
from tests.certification.conftest import PDF, other_city, person, programs, proof_root  # noqa: F401
from tests.certification.test_capstone import REPORT, plan_of, team  # noqa: F401
from tests.competencies.conftest import framework, framework_csv  # noqa: F401

AUDIT = reverse("analytics:access_log")


def log(**filters):
    return PersonalDataAccess.objects.filter(**filters)


@pytest.fixture
def claim(programs, municipality):  # noqa: F811
    owner = person("owner", municipality, Role.LEARNER)
    return certification_services.qualification_claim_create(
        user=owner,
        qualification=Qualification.objects.get(code="IP"),
        passed_on=datetime.date(2025, 6, 15),
        certificate_number="IP-1",
        proof=SimpleUploadedFile("合格証書.pdf", PDF, content_type="application/pdf"),
    )


def test_hr_downloading_a_proof_is_logged_with_the_person_and_the_owner_is_not(client, claim, municipality):
    hr = person("hr", municipality, Role.LEARNER, Role.HR)
    url = reverse("certification:proof", args=[claim.uuid])
    client.force_login(hr)
    assert client.get(url).status_code == 200
    row = log(viewer=hr).get()
    assert (row.view, row.subject, row.municipality, row.rows) == (
        "proof",
        claim.user.staff_profile,
        municipality,
        1,
    )
    assert row.parameters == {"claim": str(claim.uuid)}
    client.force_login(claim.user)
    assert client.get(url).status_code == 200
    assert not log(viewer=claim.user).exists()  # one's own proof is not someone else's data


def test_capstone_pages_and_attachments_seen_by_the_head_and_hr_are_logged(client, team, framework):  # noqa: F811
    capstone = plan_of(team, framework)
    certification_services.capstone_submit_plan(capstone=capstone, actor=team["candidate"])
    certification_services.capstone_review_plan(capstone=capstone, actor=team["kacho"], accept=True)
    upload = SimpleUploadedFile("a.pdf", PDF)
    certification_services.capstone_submit_report(
        capstone=capstone, actor=team["candidate"], attachments=[upload], **REPORT
    )
    attachment = capstone.attachments.get()
    review = reverse("certification:capstone_review", args=[capstone.uuid])
    download = reverse("certification:capstone_attachment", args=[capstone.uuid, attachment.uuid])
    subject = team["candidate"].staff_profile
    for viewer in (team["kacho"], team["hr"]):
        client.force_login(viewer)
        assert client.get(review).status_code == 200
        assert client.get(download).status_code == 200
        assert set(log(viewer=viewer, subject=subject).values_list("view", flat=True)) == {
            "capstone",
            "capstone_attachment",
        }
    client.force_login(team["candidate"])
    assert client.get(download).status_code == 200
    assert not log(viewer=team["candidate"]).exists()
    client.force_login(team["colleague"])  # refused: nothing seen, nothing logged
    assert client.get(review).status_code == 404
    assert not log(viewer=team["colleague"]).exists()


def test_the_wagtail_staff_listing_results_and_inspect_pages_are_logged(client, municipality):
    hr = person("hr", municipality, Role.LEARNER, Role.HR)
    someone = person("someone", municipality, Role.LEARNER)
    client.force_login(hr)
    assert client.get("/admin/staffprofile/", {"q": "試験"}).status_code == 200
    listing = log(viewer=hr, view="admin_staff_list").get()
    assert listing.rows == 2 and listing.parameters == {"q": "試験"} and listing.subject is None
    assert listing.municipality == municipality
    assert client.get("/admin/staffprofile/results/").status_code == 200
    assert log(viewer=hr, view="admin_staff_list").count() == 2
    profile = someone.staff_profile
    assert client.get(f"/admin/staffprofile/inspect/{profile.pk}/").status_code == 200
    inspect = log(viewer=hr, view="admin_staff_inspect").get()
    assert (inspect.subject, inspect.rows) == (profile, 1)


@pytest.fixture
def entries(municipality, other_city):  # noqa: F811
    """Log rows of two cities: hr1 saw 佐藤's data yesterday and 鈴木's today; far-hr saw its own person."""
    hr1 = person("hr1", municipality, Role.LEARNER, Role.HR)
    sato = person("sato", municipality, Role.LEARNER)
    sato.staff_profile.family_name = "佐藤"
    sato.staff_profile.save()
    suzuki = person("suzuki", municipality, Role.LEARNER)
    suzuki.staff_profile.family_name = "鈴木"
    suzuki.staff_profile.save()
    far_hr = person("far-hr", other_city, Role.LEARNER, Role.HR)
    far_person = person("far-person", other_city, Role.LEARNER)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    old = personal_data_access_log(viewer=hr1, view="proof", rows=1, subject=sato.staff_profile)
    PersonalDataAccess.objects.filter(pk=old.pk).update(at=yesterday)
    personal_data_access_log(viewer=hr1, view="capstone", rows=1, subject=suzuki.staff_profile)
    personal_data_access_log(viewer=far_hr, view="proof", rows=1, subject=far_person.staff_profile)
    return {"hr1": hr1, "sato": sato, "suzuki": suzuki, "far_hr": far_hr, "yesterday": yesterday}


def table_rows(response) -> list[list]:
    return response.context["table"].rows


def seen(response) -> list[list]:
    """The rows found, without those of the searches on this page itself."""
    return [row for row in table_rows(response) if row[3] != "個人データの閲覧記録"]


def test_hr_sees_only_their_own_citys_log_and_filters_it(client, entries):
    hr1 = entries["hr1"]
    client.force_login(hr1)
    response = client.get(AUDIT)
    assert response.status_code == 200
    rows = table_rows(response)
    assert len(rows) == 2 and {r[3] for r in rows} == {"資格の証明書類", "修了課題"}
    assert "far-person" not in response.content.decode()  # the other city's rows stay there

    by_person = seen(client.get(AUDIT, {"person": "佐藤"}))
    assert [r[2] for r in by_person] == [str(entries["sato"].staff_profile)]
    by_number = seen(client.get(AUDIT, {"person": entries["suzuki"].staff_profile.employee_number}))
    assert [r[3] for r in by_number] == ["修了課題"]
    assert len(seen(client.get(AUDIT, {"viewer": "試験 hr1"}))) == 2
    assert table_rows(client.get(AUDIT, {"viewer": "nobody"})) == []
    today = timezone.localdate().isoformat()
    assert [r[3] for r in seen(client.get(AUDIT, {"since": today, "until": today}))] == ["修了課題"]
    day_before = timezone.localtime(entries["yesterday"]).date().isoformat()
    assert [r[3] for r in table_rows(client.get(AUDIT, {"until": day_before}))] == ["資格の証明書類"]
    searches = log(viewer=hr1, view="hr_audit")
    assert searches.count() == 7  # the searches themselves are logged, in hr1's city
    assert searches.filter(parameters__person="佐藤").get().rows == 1


def test_the_log_is_paginated(client, entries, municipality):
    hr1 = entries["hr1"]
    PersonalDataAccess.objects.bulk_create(
        [
            PersonalDataAccess(viewer=hr1, municipality=municipality, view="hr_talent", rows=n)
            for n in range(60)
        ]
    )
    client.force_login(hr1)
    first = client.get(AUDIT, {"viewer": "hr1"})
    assert len(table_rows(first)) == 50 and "2 / 2 ページ" not in first.content.decode()
    second = client.get(AUDIT, {"viewer": "hr1", "page": 2})
    assert len(table_rows(second)) == 13  # 62 rows + the first search's own row
    assert "2 / 2 ページ" in second.content.decode()


def test_exports_are_csv_with_bom_and_xlsx_and_are_logged(client, entries):
    hr1 = entries["hr1"]
    client.force_login(hr1)
    response = client.get(AUDIT, {"person": "佐藤", "format": "csv"})
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["日時", "閲覧者", "閲覧された職員", "画面・出力", "条件", "件数"]
    assert rows[1][2] == str(entries["sato"].staff_profile) and len(rows) == 2
    assert log(viewer=hr1, view="hr_audit_csv").get().parameters == {"person": "佐藤"}
    response = client.get(AUDIT, {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2 + 3  # title, headers, 2 accesses + the CSV export above
    assert log(viewer=hr1, view="hr_audit_xlsx").get().rows == 3


def test_a_reversed_date_range_is_refused_with_a_message_and_nothing_is_logged(client, entries):
    client.force_login(entries["hr1"])
    response = client.get(AUDIT, {"since": "2026-12-02", "until": "2026-12-01"})
    assert response.status_code == 400
    assert "終了日は開始日と同じか、それより後の日付にしてください。" in response.content.decode()
    assert not log(viewer=entries["hr1"], view__startswith="hr_audit").exists()


@pytest.mark.parametrize(
    "roles",
    [(Role.LEARNER,), (Role.LEARNER, Role.MANAGER), (Role.LEARNER, Role.REVIEWER), (Role.ADVISOR,)],
    ids=["learner", "manager", "reviewer", "advisor"],
)
def test_nobody_but_hr_and_the_administrator_reads_the_log(client, entries, municipality, roles):
    client.force_login(person("outsider", municipality, *roles))
    assert client.get(AUDIT).status_code == 403
    assert client.get(AUDIT, {"format": "csv"}).status_code == 403


def test_hr_without_a_municipality_is_refused(client, entries):
    stray = person("stray", entries["hr1"].staff_profile.municipality, Role.HR)
    stray.staff_profile.delete()
    client.force_login(stray)
    assert client.get(AUDIT).status_code == 403


def test_the_administrator_reads_their_city_and_without_one_every_city(client, entries, municipality):
    admin = person("admin", municipality, Role.ADMIN)
    client.force_login(admin)
    assert len(table_rows(client.get(AUDIT))) == 2
    platform = person("platform", municipality, Role.ADMIN)
    platform.staff_profile.delete()
    client.force_login(platform)
    assert len(table_rows(client.get(AUDIT, {"person": "far-person"}))) == 1

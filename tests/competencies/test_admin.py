"""The framework in the Wagtail admin: menus and listings by role, import with every problem, downloads."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.competencies import csv_io, services
from courses.competencies.models import Competency, CompetencyFramework
from lms_site.organisation.roles import ROLES, Role

from .conftest import framework_row_counts, user_with_role

IMPORT_URL = reverse("competencies_admin:framework_import")
FRAMEWORKS_URL = reverse("competency_framework:index")
# The framework's models, and the mappings of our framework to reference frameworks (ADR 0021).
MODELS = ("competencyframework", "competencyarea", "competency", "proficiencylevel", "competencymapping")
COMPETENCIES_URL = reverse("competency:index")


def upload(client, content: bytes, name: str, **extra):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content), **extra})


def group_permissions(role: Role) -> set[str]:
    group = Group.objects.get(name=ROLES[role].group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


@pytest.mark.django_db
def test_roles_get_the_framework_permissions_after_migrate():
    hr, advisor = group_permissions(Role.HR), group_permissions(Role.ADVISOR)
    # 人事課 of every municipality reads and exports the platform's one framework and never changes it.
    assert {p for p in hr if p.startswith("competencies.")} == {
        f"competencies.view_{model}" for model in MODELS
    }
    # Advisors only read the framework: a registered version is never changed in place (ADR 0011).
    assert {p for p in advisor if p.startswith("competencies.")} == {
        f"competencies.view_{model}" for model in MODELS
    }
    assert "competencies.add_competencyframework" not in advisor
    assert "competencies.add_competencymapping" not in advisor | hr
    assert not {p for p in group_permissions(Role.LEARNER) if p.startswith("competencies.")}


def test_hr_sees_the_menu_and_lists_versions_and_competencies(hr_client, framework):
    home = hr_client.get(reverse("wagtailadmin_home")).content.decode()
    # The sidebar is JSON, with non-ASCII labels escaped; importing is the system administrator's.
    assert json.dumps("能力フレームワーク") in home and json.dumps("ファイルから取り込む") not in home
    assert f'"url": "{COMPETENCIES_URL}"' in home and IMPORT_URL not in home
    versions = hr_client.get(FRAMEWORKS_URL).content.decode()
    assert "自治体DX人材 能力フレームワーク" in versions and IMPORT_URL not in versions
    assert reverse("competencies_admin:framework_export", args=[framework.pk, "case"]) in versions
    listing = hr_client.get(COMPETENCIES_URL)
    assert listing.status_code == 200 and "行政DXの背景・政策理解" in listing.content.decode()


def test_competency_listing_does_not_query_per_row(hr_client, framework, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        response = hr_client.get(COMPETENCIES_URL)
    assert response.content.decode().count("<tr") >= 21


def test_competency_listing_filters_by_area_and_core_and_searches(hr_client, framework):
    area = framework.areas.get(code="E")
    page = hr_client.get(COMPETENCIES_URL, {"area": area.pk, "is_core": "true"}).content.decode()
    assert "情報セキュリティ基本と自治体ポリシー" in page and "インシデント対応" not in page
    found = hr_client.get(COMPETENCIES_URL, {"q": "ガバメントクラウド"}).content.decode()
    assert "標準化・共通化とガバメントクラウド" in found and "データリテラシー" not in found


def test_the_administrator_imports_a_csv_as_current(steward_client, framework_csv):
    response = upload(steward_client, framework_csv, "framework.csv", make_current="on")
    assert response.status_code == 302 and response.url == FRAMEWORKS_URL
    framework = CompetencyFramework.objects.get()
    assert framework.is_current and framework.competencies.count() == 24
    assert "を登録しました" in steward_client.get(FRAMEWORKS_URL).content.decode()


def test_the_administrator_imports_a_case_package(steward_client, framework):
    package = services.framework_export_case(framework=framework)
    package["CFDocument"]["version"] = "2.0"
    response = upload(steward_client, json.dumps(package).encode(), "framework.json")
    assert response.status_code == 302
    assert CompetencyFramework.objects.filter(version="2.0", is_current=False).exists()


def test_a_broken_file_shows_every_problem_and_imports_nothing(steward_client, framework, framework_csv):
    before = framework_row_counts()
    broken = framework_csv.decode().replace(",1.0,", ",3.0,", 1)
    broken = broken.replace("能力,A1,A,", "能力,A1,Q,").replace("レベル,5,", "レベル,6,")
    response = upload(steward_client, broken.encode("cp932"), "broken.csv")
    page = response.content.decode()
    assert response.status_code == 200
    assert "次の 3 件の問題があったため、何も取り込んでいません" in page
    assert "9行目「領域コード」: 領域コード Q の領域がありません。" in page
    assert "7行目「コード」: レベルは1〜5の整数にしてください。" in page
    assert framework_row_counts() == before


def test_other_files_are_refused_by_the_form(steward_client):
    response = upload(steward_client, b"%PDF-1.4", "framework.pdf")
    assert "CSV(.csv)か CASE の JSON(.json)を選んでください。" in response.content.decode()


def test_downloads_are_attachments_that_read_back(hr_client, framework):
    csv_response = hr_client.get(reverse("competencies_admin:framework_export", args=[framework.pk, "csv"]))
    assert csv_response["Content-Disposition"].startswith("attachment;")
    data, problems = csv_io.parse(csv_response.content)
    assert problems == [] and len(data.competencies) == 24
    case_response = hr_client.get(reverse("competencies_admin:framework_export", args=[framework.pk, "case"]))
    assert json.loads(case_response.content)["CFDocument"]["identifier"] == str(framework.identifier)
    assert ".case.json" in case_response["Content-Disposition"]
    unknown = reverse("competencies_admin:framework_export", args=[framework.pk, "xlsx"])
    assert hr_client.get(unknown).status_code == 404


def test_the_administrator_makes_a_new_version_and_then_makes_it_current(steward_client, framework):
    response = steward_client.post(
        reverse("competencies_admin:framework_new_version", args=[framework.pk]), {"version": "1.1"}
    )
    assert response.status_code == 302
    newer = CompetencyFramework.objects.get(version="1.1")
    taken = steward_client.post(
        reverse("competencies_admin:framework_new_version", args=[framework.pk]), {"version": "1.1"}
    )
    assert "版 1.1 はすでにあります" in taken.content.decode()
    confirm = steward_client.get(reverse("competencies_admin:framework_set_current", args=[newer.pk]))
    assert "を現行版にします" in confirm.content.decode()
    steward_client.post(reverse("competencies_admin:framework_set_current", args=[newer.pk]))
    assert CompetencyFramework.objects.get(is_current=True) == newer


@pytest.mark.parametrize("municipality_code", ["999991", "999992"])
def test_hr_of_any_municipality_may_not_import_or_change_versions(client, framework, municipality_code):
    """The framework every municipality measures against is not one municipality's to change."""
    from lms_site.organisation.models import Municipality

    municipality, _created = Municipality.objects.get_or_create(
        code=municipality_code, defaults={"name": f"自治体{municipality_code}", "prefecture": "架空県"}
    )
    hr = user_with_role(Role.HR, f"hr-{municipality_code}")
    client.force_login(hr)
    before = framework_row_counts()
    new_version = reverse("competencies_admin:framework_new_version", args=[framework.pk])
    refused = [
        upload(client, b"", "framework.csv").status_code,
        client.get(IMPORT_URL).status_code,
        client.post(new_version, {"version": "9.9"}).status_code,
        client.post(reverse("competencies_admin:framework_set_current", args=[framework.pk])).status_code,
    ]
    assert all(status in (302, 403) for status in refused), refused
    assert framework_row_counts() == before and not CompetencyFramework.objects.filter(version="9.9")
    assert client.get(FRAMEWORKS_URL).status_code == 200
    export = reverse("competencies_admin:framework_export", args=[framework.pk, "csv"])
    assert client.get(export).status_code == 200
    assert IMPORT_URL not in client.get(reverse("wagtailadmin_home")).content.decode()
    assert municipality.code == municipality_code


def test_advisor_may_not_edit_a_competency_import_or_change_versions(advisor_client, framework):
    competency = Competency.objects.get(framework=framework, code="D1")
    data = {
        "area": competency.area_id,
        "code": "D1",
        "name": "AI・生成AI・RPAの活用",
        "name_en": competency.name_en,
        "description": competency.description,
        "description_en": competency.description_en,
        "source_mapping": competency.source_mapping,
        "is_core": "on",
        "sort_order": competency.sort_order,
    }
    # Wagtail turns a refusal in its admin into a redirect to the dashboard with a message.
    response = advisor_client.post(reverse("competency:edit", args=[competency.pk]), data)
    assert response.status_code in (302, 403) and response.get("Location") != reverse(
        "competency:edit", args=[competency.pk]
    )
    competency.refresh_from_db()
    assert competency.name != "AI・生成AI・RPAの活用"
    assert advisor_client.get(IMPORT_URL).status_code in (302, 403)
    set_current = reverse("competencies_admin:framework_set_current", args=[framework.pk])
    assert advisor_client.post(set_current).status_code in (302, 403)
    assert CompetencyFramework.objects.get().is_current
    home = advisor_client.get(reverse("wagtailadmin_home")).content.decode()
    assert json.dumps("能力フレームワーク") in home and IMPORT_URL not in home
    assert advisor_client.get(reverse("competency_framework:edit", args=[framework.pk])).status_code in (
        302,
        403,
    )
    assert advisor_client.get(FRAMEWORKS_URL).status_code == 200


def test_no_competency_is_added_to_a_registered_version_even_by_the_administrator(admin_client, framework):
    area = framework.areas.get(code="C")
    data = {"area": area.pk, "code": "C5", "name": "データ倫理", "sort_order": 0}
    assert admin_client.post(reverse("competency:add"), data).status_code in (302, 403)
    assert not Competency.objects.filter(code="C5").exists()


def test_learner_has_no_framework_admin(client, framework):
    client.force_login(user_with_role(Role.LEARNER, "learner"))
    assert client.get(FRAMEWORKS_URL).status_code in (302, 403)
    assert client.get(IMPORT_URL).status_code in (302, 403)
    export = reverse("competencies_admin:framework_export", args=[framework.pk, "csv"])
    assert client.get(export).status_code in (302, 403)


@pytest.mark.parametrize(
    "viewset", ["competency_framework", "competency_area", "competency", "proficiency_level"]
)
def test_every_reading_page_of_every_viewset_renders_for_the_administrator(admin_client, framework, viewset):
    row = {
        "competency_framework": framework,
        "competency_area": framework.areas.first(),
        "competency": framework.competencies.first(),
        "proficiency_level": framework.levels.first(),
    }[viewset]
    for name, args in (("index", []), ("inspect", [row.pk])):
        response = admin_client.get(reverse(f"{viewset}:{name}", args=args))
        assert response.status_code == 200, (name, response.status_code)
    # A registered version is read-only, to the administrator too (ADR 0011).
    for name, args in (("add", []), ("edit", [row.pk]), ("delete", [row.pk])):
        response = admin_client.get(reverse(f"{viewset}:{name}", args=args))
        assert response.status_code in (302, 403), (name, response.status_code)


def test_an_area_of_a_registered_version_cannot_be_changed(admin_client, framework):
    area = framework.areas.get(code="A")
    other = CompetencyFramework.objects.create(title="別", version="1")
    data = {"framework": other.pk, "code": "A", "name": "新しい名前", "name_en": "", "sort_order": 1}
    admin_client.post(reverse("competency_area:edit", args=[area.pk]), data)
    area.refresh_from_db()
    assert (area.framework, area.name) != (other, "新しい名前") and area.name != "新しい名前"

"""Issue 12, item 5: a registered competency framework version is never changed in place, by anyone.

The attack (security review 2026-12): demo-advisor posted the admin's edit form of competency A1
(``POST /admin/competencies/competencies/edit/<A1>/``) and the current framework changed (code, is_core,
description) with no workflow. Now adding, editing or deleting a version or any row inside one is refused
to the advisor, HR and the administrator alike; a change is a new version, made by HR or the administrator.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.competencies import selectors
from courses.competencies.models import Competency, CompetencyFramework
from lms_site.organisation.roles import ROLES, Role
from tests.competencies.conftest import framework, framework_csv, framework_row_counts  # noqa: F401
from tests.factories import UserFactory

ROLES_TRIED = [Role.ADVISOR, Role.HR, Role.ADMIN]


def login_as(client, role: Role):
    user = UserFactory(username=f"user-{role}")
    user.groups.add(Group.objects.get(name=ROLES[role].group_name))
    client.force_login(user)
    return user


def snapshot(framework) -> tuple:  # noqa: F811
    framework.refresh_from_db()
    return (
        selectors.framework_data(framework=framework),
        framework.identifier,
        framework.is_current,
        framework_row_counts(),
    )


def refused(response) -> bool:
    """Wagtail answers a refusal in its admin with a redirect to the dashboard (or 403 for some views)."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    )


def competency_form(competency: Competency, **changes) -> dict:
    data = {
        "area": competency.area_id,
        "code": competency.code,
        "name": competency.name,
        "name_en": competency.name_en,
        "description": competency.description,
        "description_en": competency.description_en,
        "source_mapping": competency.source_mapping,
        "is_core": "on" if competency.is_core else "",
        "sort_order": competency.sort_order,
    }
    return data | changes


@pytest.mark.parametrize("role", ROLES_TRIED)
def test_the_reviews_edit_post_is_refused_and_changes_nothing(client, framework, role):  # noqa: F811
    a1 = framework.competencies.get(code="A1")
    before = snapshot(framework)
    login_as(client, role)
    tampered = competency_form(a1, code="Z9", is_core="" if a1.is_core else "on", description="改ざん")
    response = client.post(f"/admin/competencies/competencies/edit/{a1.pk}/", tampered)
    assert refused(response)
    assert snapshot(framework) == before
    assert refused(client.get(reverse("competency:edit", args=[a1.pk])))


@pytest.mark.parametrize("role", ROLES_TRIED)
def test_no_row_of_a_registered_version_is_added_edited_or_deleted(client, framework, role):  # noqa: F811
    before = snapshot(framework)
    login_as(client, role)
    area, level = framework.areas.get(code="A"), framework.levels.get(level=1)
    competency = framework.competencies.get(code="C1")
    attempts = [
        (reverse("competency:add"), competency_form(competency, code="C9", name="新規")),
        (reverse("competency:delete", args=[competency.pk]), {}),
        (
            reverse("competency_area:edit", args=[area.pk]),
            {"framework": framework.pk, "code": "A", "name": "改ざん", "name_en": "", "sort_order": 1},
        ),
        (
            reverse("competency_area:add"),
            {"framework": framework.pk, "code": "Q", "name": "新領域", "name_en": "", "sort_order": 9},
        ),
        (reverse("competency_area:delete", args=[area.pk]), {}),
        (
            reverse("proficiency_level:edit", args=[level.pk]),
            {"framework": framework.pk, "level": 1, "name": "改ざん", "descriptor": "改ざん"},
        ),
        (reverse("proficiency_level:delete", args=[level.pk]), {}),
        (
            reverse("competency_framework:edit", args=[framework.pk]),
            {"title": framework.title, "version": "9.9", "source": "", "description": "改ざん"},
        ),
        (reverse("competency_framework:delete", args=[framework.pk]), {}),
        (reverse("competency_framework:add"), {"title": "空の版", "version": "0.1"}),
    ]
    for url, data in attempts:
        assert refused(client.post(url, data)), url
    assert snapshot(framework) == before


def test_the_admin_offers_no_edit_or_delete_but_still_shows_the_framework(client, framework):  # noqa: F811
    login_as(client, Role.ADMIN)
    a1 = framework.competencies.get(code="A1")
    listing = client.get(reverse("competency:index")).content.decode()
    assert "行政DXの背景・政策理解" in listing
    assert reverse("competency:edit", args=[a1.pk]) not in listing
    assert reverse("competency:add") not in listing
    assert client.get(reverse("competency:inspect", args=[a1.pk])).status_code == 200


def test_advisor_reads_the_framework_but_may_not_make_a_version(client, framework):  # noqa: F811
    before = snapshot(framework)
    login_as(client, Role.ADVISOR)
    assert client.get(reverse("competency:index")).status_code == 200
    new_version = reverse("competencies_admin:framework_new_version", args=[framework.pk])
    assert refused(client.post(new_version, {"version": "1.1"}))
    assert snapshot(framework) == before


def test_the_administrator_changes_the_framework_by_a_new_version(
    client,
    framework,  # noqa: F811
    framework_csv,  # noqa: F811
):
    before = selectors.framework_data(framework=framework)
    login_as(client, Role.ADMIN)
    copy = client.post(
        reverse("competencies_admin:framework_new_version", args=[framework.pk]), {"version": "1.1"}
    )
    assert copy.status_code == 302
    assert CompetencyFramework.objects.filter(version="1.1", is_current=False).exists()
    changed = (
        framework_csv.decode().replace(",1.0,", ",2.0,", 1).replace("行政DXの背景・政策理解", "行政DXの背景")
    )
    imported = client.post(
        reverse("competencies_admin:framework_import"),
        {"file": SimpleUploadedFile("framework.csv", changed.encode()), "make_current": "on"},
    )
    assert imported.status_code == 302
    newer = CompetencyFramework.objects.get(version="2.0")
    assert newer.is_current and newer.competencies.get(code="A1").name == "行政DXの背景"
    assert selectors.framework_data(framework=framework) == before  # the registered version is as it was

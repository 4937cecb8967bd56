"""Reference frameworks and mappings in the admin: who imports and maps, who reads, where mappings show."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.competencies import services
from courses.competencies.models import CompetencyFramework, CompetencyMapping, MappingRelation
from lms_site.organisation.roles import Role

from .conftest import framework_row_counts, user_with_role

CASE_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "case"
ACT = CASE_DIR / "act-holistic-framework-math.json"
IMPORT_URL = reverse("competencies_admin:framework_import")
MAPPINGS_URL = reverse("competency_mapping:index")
ADD_MAPPING_URL = reverse("competency_mapping:add")


def upload(client, content: bytes, name: str = "framework.json", **extra):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content), **extra})


@pytest.fixture
def reference(framework) -> CompetencyFramework:
    return services.framework_import_case(content=ACT.read_bytes()).framework


@pytest.fixture
def mapping(framework, reference) -> CompetencyMapping:
    return CompetencyMapping.objects.create(
        competency=framework.competencies.get(code="C1"),
        reference=reference.competencies.order_by("sort_order").first(),
        relation=MappingRelation.EXACT_MATCH,
    )


def test_the_administrator_imports_a_published_package_as_reference_with_chosen_depth(
    steward_client, framework
):
    content = (CASE_DIR / "opensalt-ordering-sample.json").read_bytes()
    response = upload(steward_client, content, kind="reference", area_depth="2")
    assert response.status_code == 302
    imported = CompetencyFramework.objects.get(is_reference=True)
    # four items two steps down have children, and six leaves are above that depth
    assert not imported.is_current and imported.areas.count() == 4 + 1
    assert "参照フレームワークとして取り込みました" in steward_client.get(response.url).content.decode()


def test_the_form_names_a_missing_item_type_and_imports_nothing(steward_client, framework):
    before = framework_row_counts()
    response = upload(steward_client, ACT.read_bytes(), kind="reference", area_types="Domain")
    assert response.status_code == 200
    assert "CFItemType「domain」の項目がありません" in response.content.decode()
    assert framework_row_counts() == before


def test_a_reference_framework_is_not_made_current_from_the_admin(steward_client, framework, reference):
    response = steward_client.post(reverse("competencies_admin:framework_set_current", args=[reference.pk]))
    assert response.status_code == 302
    assert CompetencyFramework.objects.get(is_current=True) == framework
    listing = steward_client.get(reverse("competency_framework:index")).content.decode()
    assert reverse("competencies_admin:framework_set_current", args=[reference.pk]) not in listing


def test_the_administrator_maps_one_of_ours_to_a_reference_item(steward_client, framework, reference):
    ours = framework.competencies.get(code="A1")
    theirs = reference.competencies.order_by("sort_order").last()
    data = {"competency": ours.pk, "reference": theirs.pk, "relation": "isRelatedTo", "note": ""}

    response = steward_client.post(ADD_MAPPING_URL, data)

    assert response.status_code == 302
    assert CompetencyMapping.objects.get().relation == "isRelatedTo"
    # the other way round is not offered: a mapping goes from ours to a reference item
    backwards = steward_client.post(
        ADD_MAPPING_URL, {"competency": theirs.pk, "reference": ours.pk, "relation": "exactMatchOf"}
    )
    assert backwards.status_code == 200 and CompetencyMapping.objects.count() == 1


def test_mappings_show_on_both_competencies_and_on_the_framework(hr_client, framework, reference, mapping):
    ours = hr_client.get(reverse("competency:inspect", args=[mapping.competency.pk])).content.decode()
    assert f"{reference} / {mapping.reference.code}" in ours and "同じ能力(exactMatchOf)" in ours
    theirs = hr_client.get(reverse("competency:inspect", args=[mapping.reference.pk])).content.decode()
    assert f"{framework} / C1" in theirs
    page = hr_client.get(reverse("competency_framework:inspect", args=[framework.pk])).content.decode()
    assert "対応付け(CASE)" in page and mapping.reference.code in page
    listing = hr_client.get(MAPPINGS_URL, {"reference__framework": reference.pk}).content.decode()
    assert str(mapping.competency) in listing


def test_the_mapping_listing_costs_the_same_queries_for_more_rows(
    steward_client, framework, reference, mapping
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert steward_client.get(MAPPINGS_URL).status_code == 200
        return len(captured)

    few = queries()
    items = reference.competencies.order_by("sort_order")[1:6]
    for ours, theirs in zip(framework.competencies.order_by("code")[:5], items, strict=True):
        CompetencyMapping.objects.create(competency=ours, reference=theirs)
    assert queries() == few


@pytest.mark.parametrize("municipality_code", ["999991", "999992"])
def test_hr_of_any_municipality_reads_mappings_but_may_not_import_or_map(
    client, framework, reference, mapping, municipality_code
):
    """Reference frameworks and mappings are the platform's, like the framework: no town's HR changes them."""
    client.force_login(user_with_role(Role.HR, f"hr-{municipality_code}"))
    before = framework_row_counts()
    ours, theirs = framework.competencies.get(code="A1"), reference.competencies.order_by("sort_order").last()
    refused = [
        upload(client, ACT.read_bytes(), kind="reference").status_code,
        client.get(ADD_MAPPING_URL).status_code,
        client.post(ADD_MAPPING_URL, {"competency": ours.pk, "reference": theirs.pk, "relation": "isPartOf"}),
        client.post(reverse("competency_mapping:edit", args=[mapping.pk]), {"relation": "isRelatedTo"}),
        client.post(reverse("competency_mapping:delete", args=[mapping.pk])),
    ]
    statuses = [r if isinstance(r, int) else r.status_code for r in refused]
    assert all(status in (302, 403) for status in statuses), statuses
    assert framework_row_counts() == before
    mapping.refresh_from_db()
    assert mapping.relation == "exactMatchOf"
    assert client.get(MAPPINGS_URL).status_code == 200


def test_a_learner_reaches_neither_the_import_nor_the_mappings(client, framework, mapping):
    client.force_login(user_with_role(Role.LEARNER, "learner"))
    before = framework_row_counts()
    assert upload(client, ACT.read_bytes(), kind="reference").status_code in (302, 403)
    for url in (
        IMPORT_URL,
        MAPPINGS_URL,
        ADD_MAPPING_URL,
        reverse("competency:inspect", args=[mapping.competency.pk]),
    ):
        assert client.get(url).status_code in (302, 403), url
    assert framework_row_counts() == before

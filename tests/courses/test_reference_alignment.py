"""Issue 17, item 3: a course aligned to an item of a reference framework (デジタルスキル標準, a vendor's
framework) shows on its page which of our competencies that item is mapped to."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.competencies import services
from courses.competencies.models import CompetencyMapping, MappingRelation
from courses.models import CourseReferenceAlignment
from tests.factories import StaffProfileFactory

CASE_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "case"


@pytest.fixture
def reference(framework):
    """A framework published by others (ACT's, as a reference), its first three items."""
    imported = services.framework_import_case(
        content=(CASE_DIR / "act-holistic-framework-math.json").read_bytes()
    )
    return list(imported.framework.competencies.order_by("sort_order")[:3])


def align(course, *items) -> None:
    course.reference_alignments = [CourseReferenceAlignment(reference=item) for item in items]
    course.save_revision().publish()


def page(client, course) -> str:
    response = client.get(course.url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_course_page_names_the_reference_item_and_our_competencies_it_maps_to(
    client, curriculum, framework, reference
):
    course = curriculum["data"]
    CompetencyMapping.objects.create(
        competency=framework.competencies.get(code="C1"),
        reference=reference[0],
        relation=MappingRelation.EXACT_MATCH,
    )
    CompetencyMapping.objects.create(
        competency=framework.competencies.get(code="C2"),
        reference=reference[0],
        relation=MappingRelation.IS_RELATED,
    )
    align(course, reference[0], reference[1])
    client.force_login(StaffProfileFactory().user)

    html = page(client, course)

    assert "外部の能力基準との対応" in html
    assert reference[0].code in html and reference[1].code in html
    c1, c2 = framework.competencies.get(code="C1"), framework.competencies.get(code="C2")
    assert f"C1 {c1.name}(同じ能力(exactMatchOf))" in html
    assert f"C2 {c2.name}(関連する(isRelatedTo))" in html
    assert "対応付けはまだありません" in html  # the second item: nobody has mapped it yet


def test_a_course_aligned_to_nothing_shows_no_such_section(client, curriculum):
    assert "外部の能力基準との対応" not in page(client, curriculum["basics"])


def test_mappings_from_an_older_version_of_our_framework_are_not_shown(
    client, curriculum, framework, reference
):
    older = framework.competencies.get(code="C1")
    framework.is_current = False
    framework.save(update_fields=["is_current"])
    CompetencyMapping.objects.create(competency=older, reference=reference[0])
    align(curriculum["data"], reference[0])

    html = page(client, curriculum["data"])

    assert reference[0].code in html and "対応付けはまだありません" in html


def test_a_course_cannot_be_aligned_to_one_of_our_own_competencies(curriculum, framework):
    alignment = CourseReferenceAlignment(
        course=curriculum["data"], reference=framework.competencies.get(code="C1")
    )
    with pytest.raises(ValidationError) as refused:
        alignment.full_clean()
    assert "参照フレームワークの項目を選んでください。" in refused.value.message_dict["reference"]


def test_the_editor_chooses_among_reference_items_only(framework, reference):
    field = CourseReferenceAlignment._meta.get_field("reference").formfield()
    from django.forms.models import apply_limit_choices_to_to_formfield

    apply_limit_choices_to_to_formfield(field)
    assert set(field.queryset) == set(reference[0].framework.competencies.all())
    assert not field.queryset.filter(framework=framework).exists()


def test_the_page_costs_the_same_queries_for_one_alignment_or_three(client, curriculum, framework, reference):
    for item in reference:
        CompetencyMapping.objects.create(competency=framework.competencies.get(code="C1"), reference=item)

    def queries(*items) -> int:
        align(curriculum["data"], *items)
        page(client, curriculum["data"])  # warm the caches a first view fills
        with CaptureQueriesContext(connection) as captured:
            page(client, curriculum["data"])
        return len(captured)

    assert queries(reference[0]) == queries(*reference)

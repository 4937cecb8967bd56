"""A page uses only images and documents every one of its readers is offered (issue 13, ADR 0024,
"Images and documents"): a shared lesson is read in every municipality, so a figure or document kept
in one municipality's collection would be a 404 to everyone else (downloads are walled) and would be
lost when that municipality deletes it. Tried over HTTP, as the system administrator (whom no wall
narrows) and as the platform's author who works in みどり町 (whose chooser offers the town's own media).
"""

import pytest
from django.contrib.auth.models import Group
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from courses.curriculum_setup import curriculum_permissions_setup
from courses.models import CurriculumIndexPage, LessonPage
from lms_site.home.services import site_root_ensure
from lms_site.organisation.roles import ROLES, Role
from tests.courses.conftest import course

from .test_media_collections import client_for, figures, first_lesson, framework, world  # noqa: F401

pytestmark = pytest.mark.django_db
NOT_FOR_READERS = "このページを読む人の一部には見えない画像・資料です"


@pytest.fixture
def shared_lesson(world, framework):  # noqa: F811
    index = site_root_ensure().add_child(instance=CurriculumIndexPage(title="研修コース", slug="courses"))
    index.save_revision().publish()
    curriculum_permissions_setup(index=index)
    page = course(
        index,
        framework,
        slug="dx-basics",
        title="DXリテラシー基礎",
        audience="all_staff",
        delivery="elearning",
        targets=[("A1", 2)],
    )
    return LessonPage.objects.child_of(page).order_by("path").first()


def body_post(lesson, blocks) -> dict:
    return nested_form_data(
        {
            "title": lesson.title,
            "slug": lesson.slug,
            "summary": "",
            "estimated_minutes": 10,
            "body": streamfield(blocks),
            "comments": inline_formset([]),
        }
    )


def figure(image) -> tuple:
    return ("figure", {"image": image.pk, "alt_text": "図", "caption": ""})


def document(doc) -> tuple:
    return ("document", {"document": doc.pk, "description": ""})


def documents(lesson) -> set[int]:
    page = LessonPage.objects.get(pk=lesson.pk).get_latest_revision_as_object()
    return {block.value["document"].pk for block in page.body if block.block_type == "document"}


@pytest.mark.parametrize("editor", ["admin", "shared_author"])
def test_a_shared_lesson_takes_only_shared_media(world, shared_lesson, editor):  # noqa: F811
    user = world[editor]
    if editor == "shared_author":
        user.groups.add(Group.objects.get(name=ROLES[Role.SHARED_AUTHOR].group_name))
    client = client_for(user)
    url = f"/admin/pages/{shared_lesson.pk}/edit/"
    assert client.get(url).status_code == 200
    for key in ("town", "pref"):  # the author's own municipality's and its prefecture's: not every reader's
        for blocks, held in (
            ([figure(world["images"][key])], figures),
            ([document(world["documents"][key])], documents),
        ):
            response = client.post(url, body_post(shared_lesson, blocks))
            assert response.status_code == 200, (key, blocks)
            assert NOT_FOR_READERS in str(response.context["form"].errors["body"])
            assert held(shared_lesson) == set(), "nothing is saved"
    response = client.post(
        url,
        body_post(shared_lesson, [figure(world["images"]["shared"]), document(world["documents"]["shared"])]),
    )
    assert response.status_code == 302
    assert figures(shared_lesson) == {world["images"]["shared"].pk}
    assert documents(shared_lesson) == {world["documents"]["shared"].pk}


def test_a_municipality_s_lesson_takes_its_own_its_prefecture_s_and_shared_media(world):  # noqa: F811
    client = client_for(world["admin"])
    lesson = first_lesson(world["courses"]["town"])
    url = f"/admin/pages/{lesson.pk}/edit/"
    chosen = [figure(world["images"][key]) for key in ("town", "pref", "shared")]
    chosen += [document(world["documents"][key]) for key in ("town", "pref", "shared")]
    assert client.post(url, body_post(lesson, chosen)).status_code == 302
    assert figures(lesson) == {world["images"][key].pk for key in ("town", "pref", "shared")}
    # the city's, even for the administrator who may choose anything: the town's readers are not offered it
    response = client.post(url, body_post(lesson, [*chosen, figure(world["images"]["city"])]))
    assert response.status_code == 200
    assert NOT_FOR_READERS in str(response.context["form"].errors["body"])
    assert world["images"]["city"].pk not in figures(lesson)

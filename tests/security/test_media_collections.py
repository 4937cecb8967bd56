"""Issue 13 (ADR 0024, "Images and documents"): each municipality's images and documents are its own,
tried over HTTP against Wagtail's image and document URLs as another municipality's HR and course
author would.

The world: 若葉市 (city) and みどり町 (town) in 架空県, each with its own site, course and collection;
架空県 itself with a collection; 別村 with neither. The roles are groups every municipality shares and
hold their media permissions on the root collection, so Wagtail's own policy would show and hand every
municipality's images to all of them: the registered policy and the forms must hold.
"""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from courses.models import LessonPage
from lms_site.home.models import SiteLook
from lms_site.organisation.media import municipality_collection_ensure
from lms_site.organisation.models import MunicipalityKind
from lms_site.organisation.roles import ROLES, Role
from tests.courses.conftest import framework  # noqa: F401 (the courses' fixture)
from tests.factories import MunicipalityFactory, StaffProfileFactory, UserFactory
from tests.own_courses import first_lesson, own_course

pytestmark = pytest.mark.django_db

Image = get_image_model()
Document = get_document_model()
HOSTS = {"city": "city.example.jp", "town": "town.example.jp"}
# an ASCII word in each, which the search backends index as a word of its own (Japanese runs are one token)
TITLES = {
    "city": "若葉市の庁舎 photo",
    "town": "みどり町の庁舎 photo",
    "shared": "共通の図解 figure",
    "pref": "架空県の図解 figure",
}
DOC_TITLES = {
    "city": "若葉市の規程 rules",
    "town": "みどり町の規程 rules",
    "shared": "共通の手引き guide",
    "pref": "架空県の手引き guide",
}


@pytest.fixture
def world(framework):  # noqa: F811
    city = MunicipalityFactory(code="999991", name="若葉市")
    town = MunicipalityFactory(code="999992", name="みどり町", kind=MunicipalityKind.TOWN)
    pref = MunicipalityFactory(code="999000", name="架空県", kind=MunicipalityKind.PREFECTURE)
    village = MunicipalityFactory(code="999993", name="別村", kind=MunicipalityKind.VILLAGE)
    municipalities = {"city": city, "town": town}
    for municipality in (city, town, pref):
        municipality_collection_ensure(municipality=municipality)
    courses = {
        key: own_course(m, framework, hostname=HOSTS[key], slug=f"{key}-rules")
        for key, m in municipalities.items()
    }
    people = {}
    for key, municipality in (("city", city), ("town", town), ("village", village)):
        for role in (Role.HR, Role.ADVISOR):
            user = UserFactory(username=f"{key}-{role}")
            StaffProfileFactory(user=user, municipality=municipality)
            user.groups.add(Group.objects.get(name=ROLES[role].group_name))
            people[(key, role)] = user
    shared_author = UserFactory(username="town-shared-author")
    StaffProfileFactory(user=shared_author, municipality=town)
    for role in (Role.ADVISOR, Role.SHARED_AUTHOR):
        shared_author.groups.add(Group.objects.get(name=ROLES[role].group_name))
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    root = Collection.get_first_root_node()
    where = {"city": city.collection, "town": town.collection, "shared": root, "pref": pref.collection}
    owners = {
        "city": people[("city", Role.HR)],
        "town": people[("town", Role.HR)],
        "shared": admin,
        "pref": None,
    }
    images = {
        key: Image.objects.create(
            title=TITLES[key], file=get_test_image_file(), collection=where[key], uploaded_by_user=owners[key]
        )
        for key in TITLES
    }
    documents = {
        key: Document.objects.create(
            title=DOC_TITLES[key],
            file=ContentFile(b"%PDF-1.4\n", name=f"{key}.pdf"),
            collection=where[key],
            uploaded_by_user=owners[key],
        )
        for key in DOC_TITLES
    }
    return {
        "municipalities": municipalities,
        "courses": courses,
        "people": people,
        "shared_author": shared_author,
        "admin": admin,
        "images": images,
        "documents": documents,
        "collections": where,
    }


def upload(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, get_test_image_file().file.getvalue(), content_type="image/png")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def refused(response) -> bool:
    """Wagtail's refusal (back to the admin home with its message), a 403, or a 404."""
    return response.status_code in (403, 404) or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


def text(response) -> str:
    """A page's HTML, or a chooser's JSON answer's HTML."""
    body = response.content.decode()
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(json.loads(body), ensure_ascii=False)
    return body


def snapshot() -> list:
    return sorted(Image.objects.values_list("pk", "title", "collection_id", "file"))


ATTACKS = [("town", "city"), ("city", "town")]


@pytest.mark.parametrize("role", [Role.HR, Role.ADVISOR])
@pytest.mark.parametrize("attacker, victim", ATTACKS)
def test_the_listing_and_its_search_show_only_the_municipality_s_own_images(world, attacker, victim, role):
    client = client_for(world["people"][(attacker, role)])
    for url in ("/admin/images/", "/admin/images/?q=photo", "/admin/images/results/?q=photo"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = text(response)
        if role == Role.HR:  # the uploader; an author holding "add" only changes their own uploads
            assert TITLES[attacker] in html, url
        assert TITLES[victim] not in html, url
        assert f"/admin/images/{world['images'][victim].pk}/" not in html


@pytest.mark.parametrize("attacker, victim", ATTACKS)
def test_the_chooser_offers_own_prefecture_s_and_shared_images_never_another_municipality_s(
    world, attacker, victim
):
    client = client_for(world["people"][(attacker, Role.HR)])
    everything = client.get("/admin/images/chooser/")
    assert everything.status_code == 200
    html = text(everything)
    for key in (attacker, "shared", "pref"):
        assert TITLES[key] in html, key
    assert TITLES[victim] not in html
    for url in (
        "/admin/images/chooser/results/",
        "/admin/images/chooser/results/?q=photo",
        "/admin/images/chooser/?q=photo",
        f"/admin/images/chooser/results/?collection_id={world['collections'][victim].pk}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert TITLES[victim] not in text(response), url
    victim_id = world["images"][victim].pk
    assert refused(client.get(f"/admin/images/chooser/chosen/{victim_id}/"))
    assert refused(client.get(f"/admin/images/chooser/{victim_id}/select_format/"))
    assert refused(
        client.post(
            f"/admin/images/chooser/{victim_id}/select_format/",
            {"image-chooser-insertion-format": "fullwidth", "image-chooser-insertion-alt_text": "x"},
        )
    )
    for key in (attacker, "shared", "pref"):  # what is offered may be chosen
        assert client.get(f"/admin/images/chooser/chosen/{world['images'][key].pk}/").status_code == 200, key


@pytest.mark.parametrize("role", [Role.HR, Role.ADVISOR])
@pytest.mark.parametrize("attacker, victim", ATTACKS)
def test_another_municipality_s_image_is_not_opened_changed_or_deleted(world, attacker, victim, role):
    client = client_for(world["people"][(attacker, role)])
    image = world["images"][victim]
    before = snapshot()
    urls = [
        f"/admin/images/{image.pk}/",
        f"/admin/images/{image.pk}/delete/",
        f"/admin/images/{image.pk}/generate_url/",
        f"/admin/images/{image.pk}/generate_url/output/?filter_method=original",
        f"/admin/images/{image.pk}/preview/original/",
        f"/admin/images/usage/{image.pk}/",
    ]
    for url in urls:
        assert refused(client.get(url)), url
    forged = {"title": "乗っ取り", "collection": world["collections"][attacker].pk, "tags": ""}
    assert refused(client.post(f"/admin/images/{image.pk}/", forged))
    assert refused(client.post(f"/admin/images/{image.pk}/delete/"))
    assert refused(
        client.post(f"/admin/images/multiple/{image.pk}/", {f"image-{image.pk}-title": "乗っ取り"})
    )
    assert refused(client.post(f"/admin/images/multiple/{image.pk}/delete/"))
    bulk = f"/admin/bulk/wagtailimages/image/delete/?next=/admin/images/&id={image.pk}"
    client.post(bulk)
    assert snapshot() == before


@pytest.mark.parametrize("key", ["shared", "pref"])
def test_shared_and_prefecture_images_are_chosen_but_not_changed_by_a_municipality(world, key):
    client = client_for(world["people"][("town", Role.HR)])
    image = world["images"][key]
    before = snapshot()
    assert client.get(f"/admin/images/chooser/chosen/{image.pk}/").status_code == 200
    assert refused(client.get(f"/admin/images/{image.pk}/"))
    assert refused(client.post(f"/admin/images/{image.pk}/", {"title": "乗っ取り", "tags": ""}))
    assert refused(client.post(f"/admin/images/{image.pk}/delete/"))
    assert snapshot() == before


def test_another_prefecture_s_image_is_not_offered(world):
    other = MunicipalityFactory(
        code="999100", name="隣県", prefecture="隣県", kind=MunicipalityKind.PREFECTURE
    )
    image = Image.objects.create(
        title="隣県の図解",
        file=get_test_image_file(),
        collection=municipality_collection_ensure(municipality=other),
    )
    client = client_for(world["people"][("town", Role.HR)])
    assert "隣県の図解" not in text(client.get("/admin/images/chooser/"))
    assert refused(client.get(f"/admin/images/chooser/chosen/{image.pk}/"))


def look_post(**fields) -> dict:
    return {
        "logo": "",
        "logo_alt": "",
        "accent_colour": "",
        "header_colour": "",
        "header_text_colour": "",
        **fields,
    }


@pytest.mark.parametrize("attacker, victim", ATTACKS)
def test_a_forged_post_of_another_municipality_s_image_as_the_logo_is_refused(world, attacker, victim):
    client = client_for(world["people"][(attacker, Role.HR)])
    site = world["municipalities"][attacker].site
    url = f"/admin/settings/home/sitelook/{site.pk}/"
    response = client.post(url, look_post(logo=world["images"][victim].pk))
    assert response.status_code == 200
    assert "選べない画像・資料が含まれています" in str(response.context["form"].errors["logo"])
    assert not SiteLook.objects.filter(site=site, logo__isnull=False).exists()
    for key in (attacker, "shared", "pref"):  # its own, the shared and the prefecture's are chosen
        response = client.post(url, look_post(logo=world["images"][key].pk))
        assert response.status_code == 302, key
        assert SiteLook.objects.get(site=site).logo_id == world["images"][key].pk


def lesson_post(lesson, *, image_id) -> dict:
    return nested_form_data(
        {
            "title": lesson.title,
            "slug": lesson.slug,
            "summary": "",
            "estimated_minutes": 10,
            "body": streamfield([("figure", {"image": image_id, "alt_text": "庁舎", "caption": ""})]),
            "comments": inline_formset([]),
        }
    )


def figures(lesson) -> set[int]:
    page = LessonPage.objects.get(pk=lesson.pk).get_latest_revision_as_object()
    return {block.value["image"].pk for block in page.body if block.block_type == "figure"}


@pytest.mark.parametrize("attacker, victim", ATTACKS)
def test_a_forged_post_of_another_municipality_s_image_in_a_lesson_is_refused(world, attacker, victim):
    client = client_for(world["people"][(attacker, Role.ADVISOR)])
    lesson = first_lesson(world["courses"][attacker])
    url = f"/admin/pages/{lesson.pk}/edit/"
    assert client.get(url).status_code == 200
    response = client.post(url, lesson_post(lesson, image_id=world["images"][victim].pk))
    assert response.status_code == 200
    assert "選べない画像・資料が含まれています" in str(response.context["form"].errors["body"])
    assert world["images"][victim].pk not in figures(lesson)
    response = client.post(url, lesson_post(lesson, image_id=world["images"][attacker].pk))
    assert response.status_code == 302
    assert figures(lesson) == {world["images"][attacker].pk}
    # a figure the page already holds (from before the collections) stays when someone who may not
    # choose it saves the page again
    page = LessonPage.objects.get(pk=lesson.pk).specific
    page.body = [("figure", {"image": world["images"][victim], "alt_text": "庁舎", "caption": ""})]
    page.save_revision().publish()
    lesson.refresh_from_db()
    again = client.post(url, lesson_post(lesson, image_id=world["images"][victim].pk))
    assert again.status_code == 302


@pytest.mark.parametrize("attacker, victim", ATTACKS)
def test_uploads_land_in_the_uploader_s_own_collection_whatever_is_posted(world, attacker, victim):
    client = client_for(world["people"][(attacker, Role.HR)])
    own, theirs = world["collections"][attacker], world["collections"][victim]
    form = client.get("/admin/images/add/").content.decode()
    assert f'value="{theirs.pk}"' not in form  # no collection field: the own is the only one
    response = client.post(
        "/admin/images/add/", {"title": "新しい写真", "file": upload(), "collection": theirs.pk}
    )
    assert response.status_code == 302
    assert Image.objects.get(title="新しい写真").collection_id == own.pk
    response = client.post(
        "/admin/images/multiple/add/",
        {"files[]": upload("many.png"), "collection": theirs.pk},
    )
    assert response.status_code == 200 and json.loads(response.content)["success"]
    assert Image.objects.get(pk=json.loads(response.content)["image_id"]).collection_id == own.pk
    # the uploader sees and chooses it; the other municipality does not
    assert "新しい写真" in text(client.get("/admin/images/"))
    assert "新しい写真" not in text(
        client_for(world["people"][(victim, Role.HR)]).get("/admin/images/chooser/")
    )


def test_the_platform_s_authors_write_shared_images_and_start_on_their_own_collection(world):
    client = client_for(world["shared_author"])
    root, town = world["collections"]["shared"], world["collections"]["town"]
    form = client.get("/admin/images/add/").content.decode()
    assert f'<option value="{town.pk}" selected>' in form
    assert f'value="{root.pk}"' in form and f'value="{world["collections"]["city"].pk}"' not in form
    response = client.post(
        "/admin/images/add/", {"title": "共通の新図", "file": upload(), "collection": root.pk}
    )
    assert response.status_code == 302
    assert Image.objects.get(title="共通の新図").collection_id == root.pk
    # Wagtail's ownership rule within the wall: "add" changes one's own uploads, not the administrator's
    assert client.get(f"/admin/images/{Image.objects.get(title='共通の新図').pk}/").status_code == 200
    assert refused(client.get(f"/admin/images/{world['images']['shared'].pk}/"))
    assert refused(client.get(f"/admin/images/{world['images']['city'].pk}/"))
    assert (
        refused(
            client.post(
                "/admin/images/add/",
                {
                    "title": "市へ",
                    "file": upload(),
                    "collection": world["collections"]["city"].pk,
                },
            )
        )
        or not Image.objects.filter(title="市へ", collection=world["collections"]["city"]).exists()
    )


@pytest.mark.parametrize("attacker, victim", ATTACKS)
def test_another_municipality_s_documents_are_not_listed_chosen_changed_or_downloaded(
    world, attacker, victim
):
    client = client_for(world["people"][(attacker, Role.ADVISOR)])
    document = world["documents"][victim]
    for url in (
        "/admin/documents/",
        "/admin/documents/chooser/",
        "/admin/documents/chooser/results/?q=rules",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert DOC_TITLES[victim] not in text(response), url
    assert DOC_TITLES["shared"] in text(client.get("/admin/documents/chooser/"))
    assert refused(client.get(f"/admin/documents/chooser/chosen/{document.pk}/"))
    assert refused(client.get(f"/admin/documents/edit/{document.pk}/"))
    assert refused(client.post(f"/admin/documents/edit/{document.pk}/", {"title": "乗っ取り"}))
    assert refused(client.post(f"/admin/documents/delete/{document.pk}/"))
    assert Document.objects.get(pk=document.pk).title == DOC_TITLES[victim]
    # downloads: another municipality's is answered as missing, to anonymous visitors too
    assert client.get(f"/documents/{document.pk}/{document.filename}").status_code == 404
    assert Client().get(f"/documents/{document.pk}/{document.filename}").status_code == 404
    own, shared = world["documents"][attacker], world["documents"]["shared"]
    assert client.get(f"/documents/{own.pk}/{own.filename}").status_code == 200
    assert Client().get(f"/documents/{shared.pk}/{shared.filename}").status_code == 200


def test_hr_of_a_municipality_without_a_collection_is_offered_no_upload(world):
    client = client_for(world["people"][("village", Role.HR)])
    assert client.get("/admin/").status_code == 200
    assert refused(client.get("/admin/images/add/"))
    assert refused(client.get("/admin/images/multiple/add/"))
    assert TITLES["city"] not in text(client.get("/admin/images/chooser/"))


def test_the_system_administrator_sees_and_changes_every_image(world):
    client = client_for(world["admin"])
    html = text(client.get("/admin/images/"))
    assert all(title in html for title in TITLES.values())
    assert client.get(f"/admin/images/{world['images']['town'].pk}/").status_code == 200

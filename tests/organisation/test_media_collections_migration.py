"""Migration organisation.0009 (issue 13, ADR 0024): every municipality gets its collection, and the
existing images and documents move into their uploader's municipality's when the uploader acts in exactly
one; the system administrator's, nobody's and those of an advisor of several stay shared. Run on the
current models (the migration's code reads only fields they still have), forwards and back."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection

from lms_site.organisation.models import AdvisorContract, Municipality, MunicipalityKind
from tests.factories import MunicipalityFactory, StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("lms_site.organisation.migrations.0009_municipality_collections")


def test_images_and_documents_move_into_their_uploader_s_one_municipality_and_back():
    city = MunicipalityFactory(code="999991", name="若葉市")
    town = MunicipalityFactory(code="999992", name="みどり町", kind=MunicipalityKind.TOWN)
    pref = MunicipalityFactory(code="999000", name="架空県", kind=MunicipalityKind.PREFECTURE)
    staff = UserFactory(username="city-hr")
    StaffProfileFactory(user=staff, municipality=city)
    one = UserFactory(username="advisor-of-the-town")
    AdvisorContract.objects.create(advisor=one, municipality=town, starts_on="2024-04-01")
    several = UserFactory(username="advisor-of-the-prefecture")  # the prefecture's: all of its municipalities
    AdvisorContract.objects.create(advisor=several, municipality=pref, starts_on="2024-04-01")
    ended = UserFactory(username="former-advisor")
    AdvisorContract.objects.create(
        advisor=ended, municipality=town, starts_on="2020-04-01", ends_on="2021-03-31"
    )
    admin = UserFactory(username="root", is_superuser=True)
    operator = UserFactory(username="operator")
    operator.user_permissions.add(Permission.objects.get(codename="act_platform_wide"))
    root = Collection.get_first_root_node()
    uploaders = {"staff": staff, "one": one, "several": several, "ended": ended, "admin": admin}
    uploaders |= {"operator": operator, "nobody": None}
    images = {
        key: get_image_model().objects.create(title=key, file=get_test_image_file(), uploaded_by_user=user)
        for key, user in uploaders.items()
    }
    document = get_document_model().objects.create(
        title="規程", file=ContentFile(b"%PDF-1.4\n", name="rules.pdf"), uploaded_by_user=staff
    )

    migration.forwards(apps, None)

    collections = {m.code: m.collection for m in Municipality.objects.select_related("collection")}
    assert {code: c.name for code, c in collections.items()} == {
        "999991": "架空県若葉市",
        "999992": "架空県みどり町",
        "999000": "架空県",
    }
    assert all(c.get_parent() == root for c in collections.values())
    root.refresh_from_db()
    assert root.numchild == 3 and Collection.objects.get(pk=root.pk).get_children().count() == 3
    expected = {"staff": "999991", "one": "999992"}
    for key, image in images.items():
        image.refresh_from_db()
        want = collections[expected[key]].pk if key in expected else root.pk
        assert image.collection_id == want, key
    document.refresh_from_db()
    assert document.collection_id == collections["999991"].pk
    migration.forwards(apps, None)  # again: nothing new
    assert Collection.objects.count() == 4
    # a new collection after the migration's is placed after them by treebeard
    assert Collection.get_first_root_node().add_child(name="後から").depth == 2

    migration.backwards(apps, None)

    assert not Municipality.objects.filter(collection__isnull=False).exists()
    assert set(get_image_model().objects.values_list("collection_id", flat=True)) == {root.pk}
    assert list(Collection.objects.filter(depth=2).values_list("name", flat=True)) == ["後から"]

"""Issue 13, ADR 0024: each municipality's images and documents in a collection of its own.

Every municipality gets its collection (a child of the root, named with its prefecture), as
``media.municipality_collection_ensure`` does for a new one. Each existing image and document uploaded by
someone who acts in exactly one municipality (a staff record, or advisor contracts in force today covering
one) moves into that municipality's collection; the rest (the system administrator's, uploads by nobody
known, an advisor of several) stay where they are, shared. Backwards: the images and documents go back to
the root and the municipalities' collections are removed (left when something else is in them).
"""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

PREFECTURE = "prefecture"
STEPLEN = 4


def _path(parent_path: str, position: int) -> str:
    """treebeard's materialised path of the ``position``-th child (1-based) of ``parent_path``."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    digits = ""
    number = position
    while number:
        number, rest = divmod(number, len(alphabet))
        digits = alphabet[rest] + digits
    return parent_path + digits.rjust(STEPLEN, "0")


def _collections_create(apps):
    Collection = apps.get_model("wagtailcore", "Collection")
    Municipality = apps.get_model("organisation", "Municipality")
    root = Collection.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return
    children = Collection.objects.filter(depth=2, path__startswith=root.path)
    last = children.order_by("-path").values_list("path", flat=True).first()
    position = int(last[-STEPLEN:], 36) if last else 0
    for municipality in Municipality.objects.filter(collection__isnull=True).order_by("code"):
        position += 1
        name = (
            municipality.name
            if municipality.kind == PREFECTURE
            else f"{municipality.prefecture}{municipality.name}"
        )
        municipality.collection = Collection.objects.create(
            name=name, path=_path(root.path, position), depth=2, numchild=0
        )
        municipality.save(update_fields=["collection"])
    Collection.objects.filter(pk=root.pk).update(numchild=Collection.objects.filter(depth=2).count())


def _acting_in(apps, user_ids) -> dict[int, int]:
    """user id → the one municipality they act in (those acting in none or several are left out)."""
    User = apps.get_model("auth", "User")
    StaffProfile = apps.get_model("organisation", "StaffProfile")
    AdvisorContract = apps.get_model("organisation", "AdvisorContract")
    Municipality = apps.get_model("organisation", "Municipality")
    acting = dict(StaffProfile.objects.filter(user_id__in=user_ids).values_list("user_id", "municipality_id"))
    others = (
        User.objects.filter(pk__in=user_ids, is_superuser=False)
        .exclude(pk__in=acting)
        .exclude(
            Q(user_permissions__codename="act_platform_wide")
            | Q(groups__permissions__codename="act_platform_wide")
        )
        .values_list("pk", flat=True)
    )
    today = timezone.localdate()
    for user_id in others:
        contracts = AdvisorContract.objects.filter(advisor_id=user_id, starts_on__lte=today).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today)
        )
        ids = set()
        for municipality_id, kind, prefecture in contracts.values_list(
            "municipality_id", "municipality__kind", "municipality__prefecture"
        ):
            ids.add(municipality_id)
            if kind == PREFECTURE:
                ids |= set(Municipality.objects.filter(prefecture=prefecture).values_list("pk", flat=True))
        if len(ids) == 1:
            acting[user_id] = ids.pop()
    superusers = set(User.objects.filter(pk__in=list(acting), is_superuser=True).values_list("pk", flat=True))
    return {user: municipality for user, municipality in acting.items() if user not in superusers}


def forwards(apps, schema_editor):
    _collections_create(apps)
    Municipality = apps.get_model("organisation", "Municipality")
    collections = dict(
        Municipality.objects.filter(collection__isnull=False).values_list("pk", "collection_id")
    )
    for label in ("wagtailimages.Image", "wagtaildocs.Document"):
        model = apps.get_model(label)
        uploaders = set(
            model.objects.filter(uploaded_by_user__isnull=False).values_list("uploaded_by_user_id", flat=True)
        )
        for user_id, municipality_id in _acting_in(apps, uploaders).items():
            model.objects.filter(uploaded_by_user_id=user_id).update(
                collection_id=collections[municipality_id]
            )


def backwards(apps, schema_editor):
    Collection = apps.get_model("wagtailcore", "Collection")
    Municipality = apps.get_model("organisation", "Municipality")
    root = Collection.objects.filter(depth=1).order_by("path").first()
    ids = list(Municipality.objects.filter(collection__isnull=False).values_list("collection_id", flat=True))
    for label in ("wagtailimages.Image", "wagtaildocs.Document"):
        apps.get_model(label).objects.filter(collection_id__in=ids).update(collection_id=root.pk)
    Municipality.objects.update(collection=None)
    empty = Collection.objects.filter(pk__in=ids, numchild=0)
    empty.delete()
    if root is not None:
        Collection.objects.filter(pk=root.pk).update(
            numchild=Collection.objects.filter(depth=2, path__startswith=root.path).count()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0008_municipality_collection"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

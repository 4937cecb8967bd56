"""Images and documents per municipality (issue 13, ADR 0024 "Images and documents").

Wagtail keeps images and documents in collections; a role group holds ``add``/``choose`` on a collection
and its descendants (``GroupCollectionPermission``). Each municipality has a collection of its own
(``Municipality.collection``, a child of the root, ``municipality_collection_ensure``); everything else
(the root and any collection outside every municipality's) is shared, the platform's.

The roles are groups shared by every municipality (ADR 0016), and they hold their media permissions on
the root, so Wagtail's own policy would let every municipality's HR and course authors see, choose, edit
and delete every municipality's images. ``MunicipalMediaPermissionPolicy`` is Wagtail's collection
ownership policy narrowed by where a collection lies, for anyone not acting platform-wide:

* **choose** (choosers, search, a form's posted choice): the shared collections, their own
  municipalities' and their prefecture's (the "offered" rule of questions and quizzes, ``content``);
* **add, change, delete** (upload, the listing, edit, delete, bulk actions, the upload form's
  collections): their own municipalities' only; the shared collections too for the platform's editorial
  roles (共通教材の編集者, 共通教材の承認者), who write the shared curriculum and its figures.

Every view of Wagtail's images and documents asks the registered policy, so none needs a check of its
own. What a view does not ask is the id a form posts for an image field or a chooser block: a model
choice among all images. ``ChoosableMediaFormMixin`` refuses, in the form's ``clean``, a chosen image or
document the editor may not choose, unless the item already held it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import StartsWith
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Collection
from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy

from .tenancy import municipalities_of

WRITING = frozenset({"add", "change", "delete"})
CHOOSING = frozenset({"choose"})


def collection_name(municipality) -> str:
    """A municipality's collection is named with its prefecture (two 府中市 exist), a prefecture by itself."""
    from .models import MunicipalityKind

    if municipality.kind == MunicipalityKind.PREFECTURE:
        return municipality.name
    return f"{municipality.prefecture}{municipality.name}"


@transaction.atomic
def municipality_collection_ensure(*, municipality) -> Collection:
    """The municipality's own collection of images and documents, a child of the root (created when
    missing; idempotent). Called when a municipality is added (``add_municipality``, the demo)."""
    if municipality.collection_id is not None:
        return municipality.collection
    root = Collection.get_first_root_node()
    if root is None:  # a database emptied since its migrations (a flush) has no root collection
        root = Collection.add_root(name="Root")
    collection = root.add_child(name=collection_name(municipality))
    municipality.collection = collection
    municipality.save(update_fields=["collection"])
    return collection


def within(paths) -> Q:
    """Collections at or under any of ``paths`` (a filter on ``Collection``); nothing for no path."""
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(path__startswith=path)
    return query


def shared_collections() -> Q:
    """Collections under no municipality's own (the root and the platform's): one subquery."""
    from .models import Municipality

    municipal = Municipality.objects.filter(StartsWith(OuterRef("path"), F("collection__path")))
    return ~Exists(municipal)


@dataclass
class Walls:
    """Where one person may choose and write media: filters on ``Collection``, and the municipalities
    whose collections those are (to answer for one collection without a query when it is theirs)."""

    own: dict[str, int]  # collection path -> municipality id: add, change, delete, choose
    offered: dict[str, int]  # the prefecture's: choose only
    shared_writer: bool  # may write the shared collections (the platform's editorial roles)
    owners: dict[int, int | None] = field(default_factory=dict)  # collection id -> owner (memo)

    def collections(self, *, writing: bool) -> Q:
        if writing:
            own = within(self.own)
            return own | shared_collections() if self.shared_writer else own
        return within(self.own) | within(self.offered) | shared_collections()

    def owner(self, collection) -> tuple[str, int | None]:
        """("own" | "offered" | "shared" | "other", municipality id) for one collection."""
        for paths, kind in ((self.own, "own"), (self.offered, "offered")):
            for path, municipality_id in paths.items():
                if collection.path.startswith(path):
                    return kind, municipality_id
        if collection.pk not in self.owners:
            from .models import Municipality

            steps = Collection.steplen
            prefixes = [collection.path[:end] for end in range(steps, len(collection.path) + 1, steps)]
            self.owners[collection.pk] = (
                Municipality.objects.filter(collection__path__in=prefixes)
                .values_list("pk", flat=True)
                .first()
            )
        owner = self.owners[collection.pk]
        return ("shared", None) if owner is None else ("other", owner)

    def allows(self, action: str, collection) -> bool:
        kind, _ = self.owner(collection)
        if action in WRITING:
            return kind == "own" or (kind == "shared" and self.shared_writer)
        if action in CHOOSING:
            return kind in ("own", "offered", "shared")
        return False


def walls_of(user) -> Walls | None:
    """The person's walls (kept on the user object for the request); None platform-wide (no wall)."""
    if not user.is_authenticated:
        return Walls(own={}, offered={}, shared_writer=False)
    cached = getattr(user, "_media_walls", False)
    if cached is not False:
        return cached
    ids = municipalities_of(user)
    walls = None
    if ids is not None:
        from .models import Municipality, MunicipalityKind
        from .pages import SHARED_CONTENT_GROUPS

        names = Municipality.objects.filter(pk__in=ids).values("prefecture")
        rows = Municipality.objects.filter(
            Q(pk__in=ids) | Q(kind=MunicipalityKind.PREFECTURE, prefecture__in=names),
            collection__isnull=False,
        ).values_list("pk", "collection__path")
        rows = list(rows)  # one query for both
        own = {path: pk for pk, path in rows if pk in ids}
        offered = {path: pk for pk, path in rows if pk not in ids}
        writer = user.groups.filter(name__in=SHARED_CONTENT_GROUPS).exists()
        walls = Walls(own=own, offered=offered, shared_writer=writer)
    user._media_walls = walls
    return walls


class MunicipalMediaPermissionPolicy(CollectionOwnershipPermissionPolicy):
    """Wagtail's policy for images and documents, narrowed to the collections a person's municipalities
    may use (see the module). Platform-wide (``municipalities_of`` None): Wagtail's own answers."""

    def _narrowed(self, user, actions, answer):
        """``answer(actions)`` for the choosing and the writing actions apart, each narrowed by its wall,
        combined; ``None`` platform-wide (take Wagtail's answer as it is)."""
        walls = walls_of(user)
        if walls is None:
            return None
        actions = set(actions)
        parts = []
        if actions & CHOOSING:
            parts.append(answer(actions & CHOOSING, walls.collections(writing=False)))
        if actions & WRITING:
            parts.append(answer(actions & WRITING, walls.collections(writing=True)))
        return parts

    def user_has_permission(self, user, action):
        return self.user_has_any_permission(user, [action])

    def user_has_any_permission(self, user, actions):
        """Whether there is any collection where the person may do one of ``actions`` (so that the
        images menu and the upload button are not offered to someone with nowhere to upload)."""
        if not any(super(MunicipalMediaPermissionPolicy, self).user_has_permission(user, a) for a in actions):
            return False
        if walls_of(user) is None or set(actions) <= CHOOSING:
            return True  # the shared collections are offered to everyone
        return self.collections_user_has_any_permission_for(user, actions).exists()

    def user_has_any_permission_for_instance(self, user, actions, instance):
        walls = walls_of(user)
        if walls is None:
            return super().user_has_any_permission_for_instance(user, actions, instance)
        allowed = [action for action in actions if walls.allows(action, instance.collection)]
        return bool(allowed) and super().user_has_any_permission_for_instance(user, allowed, instance)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def instances_user_has_any_permission_for(self, user, actions):
        parts = self._narrowed(
            user,
            actions,
            lambda acts, where: (
                super(MunicipalMediaPermissionPolicy, self)
                .instances_user_has_any_permission_for(user, acts)
                .filter(collection__in=Collection.objects.filter(where))
            ),
        )
        if parts is None:
            return super().instances_user_has_any_permission_for(user, actions)
        result = self.model._default_manager.none()
        for part in parts:
            result |= part
        return result

    def collections_user_has_any_permission_for(self, user, actions):
        parts = self._narrowed(
            user,
            actions,
            lambda acts, where: (
                super(MunicipalMediaPermissionPolicy, self)
                .collections_user_has_any_permission_for(user, acts)
                .filter(where)
            ),
        )
        if parts is None:
            return super().collections_user_has_any_permission_for(user, actions)
        result = Collection.objects.none()
        for part in parts:
            result |= part
        return result


def media_models() -> tuple[type[models.Model], ...]:
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    return (get_image_model(), get_document_model())


def install() -> None:
    """Make the policy Wagtail's for images and documents (from ``ready``). Registered for the exact
    model classes, which Wagtail's registry prefers: the images and documents apps register their own
    policy in their ``ready``, after this app's."""
    from wagtail import hooks
    from wagtail.permissions import register_permission_policy

    hooks.register("before_serve_document", document_serve_wall)
    for model, label in zip(media_models(), ("wagtailimages.Image", "wagtaildocs.Document"), strict=True):
        policy = MunicipalMediaPermissionPolicy(model, auth_model=label, owner_field_name="uploaded_by_user")
        register_permission_policy(model, policy, exact_class=True)


def document_serve_wall(document, request):
    """A document in a municipality's collection is downloaded (``/documents/<id>/<name>``) only by those
    it is offered to, as its lesson pages are served (ADR 0024): the municipality's own people and, for a
    prefecture's, its municipalities'; anyone else, anonymous visitors too, gets a 404 (its existence is
    not confirmed). A shared document is served to everyone, as before."""
    walls = walls_of(request.user)
    if walls is not None and not walls.allows("choose", document.collection):
        raise Http404


def own_collection_first(form, user) -> None:
    """An upload form offering several collections (the platform's editorial roles, an advisor of
    several municipalities) starts on the person's own municipality's, not on the shared root."""
    if "collection" not in form.fields or form.instance.pk is not None:
        return
    walls = walls_of(user)
    if walls is not None and walls.own:
        first = min(walls.own)  # the earliest in the tree
        own = Collection.objects.filter(path=first).values_list("pk", flat=True).first()
        form.initial["collection"] = own  # the instance's default (the root) otherwise


NOT_CHOOSABLE = _(
    "選べない画像・資料が含まれています(ID: %(ids)s)。"
    "自団体、所属する都道府県、共通のものから選んでください。"
)


NOT_FOR_READERS = _(
    "このページを読む人の一部には見えない画像・資料です(ID: %(ids)s)。共通の教材には共通のもの、"
    "団体の教材にはその団体、所属する都道府県、共通のものを選んでください。"
)


def _references(model_field, value) -> set[tuple[type, str]]:
    """The images and documents ``value`` of ``model_field`` names: an image or document field's object,
    a stream's chooser blocks, a rich text's embeds."""
    media = media_models()
    if isinstance(model_field, models.ForeignKey):
        if model_field.related_model in media and value is not None:
            return {(model_field.related_model, str(getattr(value, "pk", value)))}
        return set()
    if isinstance(model_field, (StreamField, RichTextField)) and value is not None:
        found = set()
        for model, pk, *_rest in model_field.extract_references(value):
            if model in media:
                found.add((model, str(pk)))
        return found
    return set()


class ChoosableMediaFormMixin:
    """For an admin form with image or document fields (a ``ForeignKey``, a stream's chooser blocks, rich
    text): refuses a newly chosen image or document the editor may not choose (another municipality's),
    naming the field; what the item already held may stay (a shared page's figure chosen by someone
    else). Choosers offer only what may be chosen; this refuses a forged POST. A page also refuses newly
    chosen media that not all of its readers are offered (``audience_refused``), whoever edits it."""

    def clean(self):
        cleaned = super().clean()
        user = getattr(self, "for_user", None)
        if user is None:
            return cleaned
        walls = walls_of(user)
        from wagtail.permissions import policy_registry

        instance = self.instance
        owner = self._page_owner()
        for name in list(cleaned):
            try:
                model_field = instance._meta.get_field(name)
            except FieldDoesNotExist:  # a form field of no model field
                continue
            new = _references(model_field, cleaned[name])
            if not new:
                continue
            if instance.pk is not None:
                new -= _references(model_field, getattr(instance, name, None))
            refused, unread = [], []
            for model in {model for model, _pk in new}:
                wanted = {pk for m, pk in new if m is model}
                if walls is not None:
                    choosable = {
                        str(pk)
                        for pk in policy_registry.get_by_type(model)
                        .instances_user_has_permission_for(user, "choose")
                        .filter(pk__in=wanted)
                        .values_list("pk", flat=True)
                    }
                    refused.extend(sorted(wanted - choosable))
                    wanted &= choosable
                if owner is not NOT_A_PAGE and wanted:
                    unread.extend(audience_refused(model, wanted, page_owner=owner))
            if refused:
                self.add_error(name, forms.ValidationError(NOT_CHOOSABLE % {"ids": ", ".join(refused)}))
            elif unread:
                self.add_error(name, forms.ValidationError(NOT_FOR_READERS % {"ids": ", ".join(unread)}))
        return cleaned

    def _page_owner(self):
        """The owning municipality of the page being edited or added (None: shared), or ``NOT_A_PAGE``."""
        from .content import owner_at

        path = getattr(self.instance, "path", None) or getattr(
            getattr(self, "parent_page", None), "path", None
        )
        return owner_at(path) if path else NOT_A_PAGE


NOT_A_PAGE = object()


def audience_refused(model, pks, *, page_owner: int | None) -> list[str]:
    """Of these images or documents, the ids (sorted) that some reader of a page owned by ``page_owner``
    would not be offered: media are offered as content is (``content.offered_to``: a shared page takes
    shared media; a municipality's page also its own and its prefecture's). Otherwise the page would show
    another municipality's document as a 404 (downloads are walled, ``document_serve_wall``), or lose its
    figure when the owner deletes it. One query."""
    from django.db.models import Subquery

    from .content import OWNER, offered_to
    from .models import Municipality

    holder = Municipality.objects.filter(
        StartsWith(OuterRef("collection__path"), F("collection__path"))
    ).values("pk")[:1]
    rows = (
        model.objects.filter(pk__in=pks)
        .annotate(**{OWNER: Subquery(holder)})
        .exclude(offered_to(page_owner))
        .values_list("pk", flat=True)
    )
    return sorted(str(pk) for pk in rows)


class ChoosableMediaModelForm(ChoosableMediaFormMixin, WagtailAdminModelForm):
    """A model's admin form (``base_form_class``) refusing another municipality's image or document."""


class ChoosableMediaPageForm(ChoosableMediaFormMixin, WagtailAdminPageForm):
    """A page's admin form (``base_form_class``) refusing another municipality's image or document."""

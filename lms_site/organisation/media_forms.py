"""Wagtail's image and document forms, starting on the uploader's own collection (ADR 0024): named by
``WAGTAILIMAGES_IMAGE_FORM_BASE`` and ``WAGTAILDOCS_DOCUMENT_FORM_BASE``, and imported by Wagtail when it
builds the forms (not at model loading, when Wagtail's form modules cannot be imported yet)."""

from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

from .media import own_collection_first


class OwnCollectionImageForm(BaseImageForm):
    """``WAGTAILIMAGES_IMAGE_FORM_BASE``: Wagtail's image form, starting on the uploader's collection."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        own_collection_first(self, user)


class OwnCollectionDocumentForm(BaseDocumentForm):
    """``WAGTAILDOCS_DOCUMENT_FORM_BASE``: Wagtail's document form, starting on the uploader's collection."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        own_collection_first(self, user)
